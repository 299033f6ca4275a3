#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "link/LinkDecoder.h"
#include "link/LinkDirectory.h"
#include "link/LinkPeer.h"
#include "link/LinkProtocol.h"

using namespace poolscope;

namespace {

using Bytes = LinkEncoder::Bytes;

Bytes helloAnd(const std::vector<LinkFrame>& frames) {
    Bytes bytes;
    LinkEncoder::hello(bytes);
    for (const LinkFrame& frame : frames) {
        LinkEncoder::frame(bytes, frame);
    }
    return bytes;
}

std::vector<LinkFrame> decodeAll(const Bytes& bytes, std::size_t piece = SIZE_MAX) {
    LinkDecoder decoder;
    std::vector<LinkFrame> frames;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        const std::size_t count = std::min(piece, bytes.size() - at);
        decoder.feed(std::span<const std::uint8_t>(bytes.data() + at, count));
        while (std::optional<LinkFrame> frame = decoder.next()) {
            frames.push_back(std::move(*frame));
        }
    }
    return frames;
}

// The decoder's error for these bytes; empty when it took them.
QString errorFor(const Bytes& bytes) {
    try {
        decodeAll(bytes);
    } catch (const LinkProtocolError& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

MemoryEvent sampleEvent(std::uint64_t id) {
    MemoryEvent event;
    event.timeNanoseconds = 1234 + static_cast<std::int64_t>(id);
    event.allocationId = id;
    event.bytes = 4u << 20;
    event.value = 3;
    event.value2 = 0xdeadbeef;
    event.stackId = 9;
    event.threadId = 2;
    event.slot = 5;
    event.chunkIndex = 1;
    event.chunkCount = 2;
    event.sourceId = 7;
    event.kind = MemoryEventKind::Return;
    event.tier = MemoryTier::Pooled;
    return event;
}

bool sameEvent(const MemoryEvent& a, const MemoryEvent& b) {
    return a.timeNanoseconds == b.timeNanoseconds && a.allocationId == b.allocationId &&
           a.bytes == b.bytes && a.value == b.value && a.value2 == b.value2 &&
           a.stackId == b.stackId && a.threadId == b.threadId && a.slot == b.slot &&
           a.chunkIndex == b.chunkIndex && a.chunkCount == b.chunkCount &&
           a.sourceId == b.sourceId && a.kind == b.kind && a.tier == b.tier;
}

void putU32(Bytes& bytes, std::size_t at, std::uint32_t value) {
    std::memcpy(bytes.data() + at, &value, sizeof value);
}

}  // namespace

class LinkProtocolTest : public QObject {
    Q_OBJECT

private slots:
    void everyFrame_decodesAsItWasEncoded();
    void decoder_takesTheStreamInPiecesOfAnySize();
    void decoder_namesBadMagic();
    void decoder_namesAnotherVersion();
    void decoder_namesUnknownFrameTypeAndItsOffset();
    void decoder_refusesAnOverlongFrameBeforeItArrives();
    void decoder_namesWhatATruncatedEventsFrameLacks();
    void decoder_namesAnUnknownEventKind();
    void decoder_refusesAnOverlongString();
    void decoder_staysFailedAfterAnError();
    void peer_ofAnotherUser_isRefused();
    void peer_ofThisUser_isAccepted();
    void folder_ofAnotherUserOrOpenToOthers_isRefused();
    void folder_isMadeForThisUserOnly();
};

void LinkProtocolTest::everyFrame_decodesAsItWasEncoded() {
    const LinkProcessInfo info{42, 1700000000, 99, "thumbnailer", "pooled (64 × 4 MiB)"};
    LinkModule module{3, {"/usr/lib/libx.so", "abcdef", 0x7f0000}};
    LinkStack stack{11, {{0x401000, 3u, 0x1000}, {0x402000, std::nullopt, 0}}};
    LinkEvents events{{sampleEvent(1), sampleEvent(2)}};
    const std::vector<LinkFrame> frames = decodeAll(
        helloAnd({info, LinkAttach{}, events, module, stack, LinkTag{4, "decode"},
                  LinkPool{7, 64, 4u << 20, "pooled"}, LinkStatus{5, 6, 7, 8}, LinkGoodbye{}}));
    QCOMPARE(frames.size(), std::size_t{9});
    QVERIFY(std::get<LinkProcessInfo>(frames[0]) == info);
    QVERIFY(std::holds_alternative<LinkAttach>(frames[1]));
    const auto& decodedEvents = std::get<LinkEvents>(frames[2]).events;
    QCOMPARE(decodedEvents.size(), std::size_t{2});
    QVERIFY(sameEvent(decodedEvents[1], events.events[1]));
    const auto& decodedModule = std::get<LinkModule>(frames[3]);
    QCOMPARE(decodedModule.index, 3u);
    QCOMPARE(decodedModule.module.path, module.module.path);
    QCOMPARE(decodedModule.module.buildId, module.module.buildId);
    QCOMPARE(decodedModule.module.loadAddress, module.module.loadAddress);
    QVERIFY(std::get<LinkStack>(frames[4]).frames == stack.frames);
    QCOMPARE(std::get<LinkTag>(frames[5]).name, std::string("decode"));
    QCOMPARE(std::get<LinkPool>(frames[6]).capacityChunks, 64);
    QCOMPARE(std::get<LinkStatus>(frames[7]).linkDroppedEvents, 7u);
    QVERIFY(std::holds_alternative<LinkGoodbye>(frames[8]));
}

void LinkProtocolTest::decoder_takesTheStreamInPiecesOfAnySize() {
    const Bytes bytes = helloAnd(
        {LinkEvents{{sampleEvent(1), sampleEvent(2), sampleEvent(3)}}, LinkTag{1, "resize"}});
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{100}}) {
        const std::vector<LinkFrame> frames = decodeAll(bytes, piece);
        QCOMPARE(frames.size(), std::size_t{2});
        QVERIFY(sameEvent(std::get<LinkEvents>(frames[0]).events[2], sampleEvent(3)));
    }
}

void LinkProtocolTest::decoder_namesBadMagic() {
    const std::string request = "GET / HTTP/1.1\r\n";
    const QString error = errorFor(Bytes(request.begin(), request.end()));
    QVERIFY2(error.contains(QStringLiteral("bad magic at offset 0")), qPrintable(error));
}

void LinkProtocolTest::decoder_namesAnotherVersion() {
    Bytes bytes = helloAnd({});
    putU32(bytes, sizeof LinkProtocol::kMagic, 7);
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("unsupported version 7")), qPrintable(error));
}

void LinkProtocolTest::decoder_namesUnknownFrameTypeAndItsOffset() {
    Bytes bytes = helloAnd({LinkTag{1, "x"}});
    const std::size_t offset = bytes.size();
    bytes.insert(bytes.end(), {200, 0, 0, 0, 0});
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("unknown frame type 200 at offset %1").arg(offset)),
             qPrintable(error));
}

void LinkProtocolTest::decoder_refusesAnOverlongFrameBeforeItArrives() {
    Bytes bytes = helloAnd({});
    bytes.insert(bytes.end(), {static_cast<std::uint8_t>(LinkFrameType::Events), 0, 0, 0, 0});
    putU32(bytes, LinkProtocol::kHelloBytes + 1, 0x7fffffff);
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("frame length 2147483647 over the limit of %1 at offset "
                                           "%2")
                                .arg(LinkProtocol::kMaxFrameBytes)
                                .arg(LinkProtocol::kHelloBytes)),
             qPrintable(error));
}

void LinkProtocolTest::decoder_namesWhatATruncatedEventsFrameLacks() {
    Bytes bytes = helloAnd({LinkEvents{{sampleEvent(1), sampleEvent(2)}}});
    // The count says three; the frame holds two.
    putU32(bytes, LinkProtocol::kHelloBytes + LinkProtocol::kFrameHeaderBytes, 3);
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("events frame at offset %1: 3 events need 192 bytes, "
                                           "the frame has 128")
                                .arg(LinkProtocol::kHelloBytes)),
             qPrintable(error));
}

void LinkProtocolTest::decoder_namesAnUnknownEventKind() {
    Bytes bytes = helloAnd({LinkEvents{{sampleEvent(1)}}});
    bytes[LinkProtocol::kHelloBytes + LinkProtocol::kFrameHeaderBytes + 4 + 62] = 250;
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("event 0 has unknown kind 250")), qPrintable(error));
}

void LinkProtocolTest::decoder_refusesAnOverlongString() {
    Bytes bytes = helloAnd({LinkTag{1, "x"}});
    putU32(bytes, LinkProtocol::kHelloBytes + LinkProtocol::kFrameHeaderBytes + 2, 1u << 30);
    const QString error = errorFor(bytes);
    QVERIFY2(error.contains(QStringLiteral("tag name is 1073741824 bytes long, over the limit")),
             qPrintable(error));
}

void LinkProtocolTest::decoder_staysFailedAfterAnError() {
    LinkDecoder decoder;
    const std::string garbage = "garbage!";
    decoder.feed(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size()));
    QVERIFY_THROWS_EXCEPTION(LinkProtocolError, decoder.next());
    const Bytes good = helloAnd({LinkTag{1, "x"}});
    QVERIFY_THROWS_EXCEPTION(LinkProtocolError, decoder.feed(good));
    QVERIFY_THROWS_EXCEPTION(LinkProtocolError, decoder.next());
}

void LinkProtocolTest::peer_ofAnotherUser_isRefused() {
    const auto refusal = LinkPeer::refusal(LinkPeer::Credentials{321, 1001}, 1000);
    QVERIFY(refusal.has_value());
    QVERIFY2(refusal->find("runs as user 1001, not as this user (1000)") != std::string::npos,
             refusal->c_str());
    QVERIFY(LinkPeer::refusal(std::nullopt, 1000).has_value());
}

void LinkProtocolTest::peer_ofThisUser_isAccepted() {
    QVERIFY(!LinkPeer::refusal(LinkPeer::Credentials{321, 1000}, 1000).has_value());
}

void LinkProtocolTest::folder_ofAnotherUserOrOpenToOthers_isRefused() {
    struct stat status {};
    status.st_mode = S_IFDIR | 0700;
    status.st_uid = 1000;
    QVERIFY(!LinkDirectory::problemWith(status, 1000).has_value());
    const auto foreign = LinkDirectory::problemWith(status, 1001);
    QVERIFY(foreign && foreign->find("belongs to user 1000") != std::string::npos);
    status.st_mode = S_IFDIR | 0755;
    const auto open = LinkDirectory::problemWith(status, 1000);
    QVERIFY(open && open->find("0755") != std::string::npos);
    status.st_mode = S_IFLNK | 0777;
    QVERIFY(LinkDirectory::problemWith(status, 1000).has_value());
}

void LinkProtocolTest::folder_isMadeForThisUserOnly() {
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", runtime.path().toUtf8());
    const std::string folder = LinkDirectory::ensure();
    QCOMPARE(QString::fromStdString(folder), runtime.filePath(QStringLiteral("poolscope")));
    struct stat status {};
    QCOMPARE(::stat(folder.c_str(), &status), 0);
    QCOMPARE(status.st_mode & 07777, 0700u);
    QCOMPARE(status.st_uid, ::geteuid());
    ::chmod(folder.c_str(), 0750);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, LinkDirectory::ensure());
}

QTEST_GUILESS_MAIN(LinkProtocolTest)
#include "LinkProtocolTest.moc"
