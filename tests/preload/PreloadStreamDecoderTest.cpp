#include <QtTest>

#include <cerrno>

#include <cstring>
#include <string>
#include <vector>

#include "CollectedRecords.h"
#include "PreloadStreamBuilder.h"
#include "native/PreloadStreamDecoder.h"

using namespace poolscope;
using poolscope::test::CollectedRecords;
using poolscope::test::PreloadStreamBuilder;
namespace wire = poolscope::PreloadWire;

namespace {

std::span<const unsigned char> textBytes(const std::string& text) {
    return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

// One record of every kind, in one packet (a stack and its frames, paths as tails).
std::vector<unsigned char> everyKind() {
    PreloadStreamBuilder stream;
    stream.hello();

    wire::ModuleRecord module{};
    const std::string modulePath = "/usr/lib/libexample.so";
    module.header =
        PreloadStreamBuilder::header(wire::RecordKind::Module, sizeof module + modulePath.size());
    module.index = 3;
    module.pathBytes = static_cast<std::uint32_t>(modulePath.size());
    module.loadAddress = 0x7000;
    module.startAddress = 0x7100;
    module.endAddress = 0x9000;
    stream.record(module, textBytes(modulePath));

    const std::vector<std::uint64_t> frames{0x7123, 0x7456, 0x7789};
    wire::StackRecord stack{};
    stack.header = PreloadStreamBuilder::header(
        wire::RecordKind::Stack, sizeof stack + frames.size() * sizeof(std::uint64_t));
    stack.stackId = 1;
    stack.depth = 3;
    stream.record(stack, {reinterpret_cast<const unsigned char*>(frames.data()),
                          frames.size() * sizeof(std::uint64_t)});

    wire::Allocation allocation{};
    allocation.header = PreloadStreamBuilder::header(wire::RecordKind::Allocate, sizeof allocation,
                                                     std::uint8_t(wire::HeapCall::NewArray));
    allocation.address = 0x5000;
    allocation.bytes = 640;
    allocation.stackId = 1;
    allocation.alignment = 64;
    stream.record(allocation);

    wire::Release release{};
    release.header = PreloadStreamBuilder::header(wire::RecordKind::Free, sizeof release,
                                                  std::uint8_t(wire::HeapCall::Delete));
    release.address = 0x5000;
    stream.record(release);

    wire::Mapping mapping{};
    mapping.header = PreloadStreamBuilder::header(wire::RecordKind::Map, sizeof mapping);
    mapping.address = 0x10000;
    mapping.bytes = 8192;
    mapping.stackId = 1;
    mapping.protection = 3;
    mapping.flags = 0x22;
    mapping.fd = -1;
    stream.record(mapping);

    wire::Unmapping unmapping{};
    unmapping.header = PreloadStreamBuilder::header(wire::RecordKind::Unmap, sizeof unmapping);
    unmapping.address = 0x10000;
    unmapping.bytes = 4096;
    stream.record(unmapping);

    wire::Remapping remapping{};
    remapping.header = PreloadStreamBuilder::header(wire::RecordKind::Remap, sizeof remapping);
    remapping.oldAddress = 0x11000;
    remapping.oldBytes = 4096;
    remapping.newAddress = 0x20000;
    remapping.newBytes = 16384;
    remapping.stackId = 1;
    stream.record(remapping);

    const std::string path = "/tmp/data.bin";
    wire::DescriptorOpened opened{};
    opened.header =
        PreloadStreamBuilder::header(wire::RecordKind::DescriptorOpen, sizeof opened + path.size(),
                                     std::uint8_t(wire::DescriptorCall::Open));
    opened.fd = 7;
    opened.stackId = 1;
    opened.pathBytes = static_cast<std::uint32_t>(path.size());
    stream.record(opened, textBytes(path));

    wire::DescriptorClosed closed{};
    closed.header = PreloadStreamBuilder::header(wire::RecordKind::DescriptorClose, sizeof closed,
                                                 std::uint8_t(wire::DescriptorCall::Close));
    closed.fd = 7;
    stream.record(closed);

    wire::DroppedRecords dropped{};
    dropped.header = PreloadStreamBuilder::header(wire::RecordKind::Dropped, sizeof dropped);
    dropped.records = 1234;
    stream.record(dropped);

    for (const auto kind : {wire::RecordKind::Fork, wire::RecordKind::Exec, wire::RecordKind::Exit,
                            wire::RecordKind::Crash}) {
        wire::ProcessEvent event{};
        event.header = PreloadStreamBuilder::header(kind, sizeof event);
        event.value = static_cast<std::int64_t>(kind) * 10;
        stream.record(event);
    }
    stream.endPacket();
    return stream.bytes;
}

wire::ProcessEvent processEvent(wire::RecordKind kind, std::int64_t value) {
    wire::ProcessEvent event{};
    event.header = PreloadStreamBuilder::header(kind, sizeof event);
    event.value = value;
    return event;
}

void checkEveryKind(const CollectedRecords& records) {
    QCOMPARE(records.hellos.size(), std::size_t{1});
    QCOMPARE(records.hellos[0].pid, 4321u);
    QCOMPARE(records.modules.size(), std::size_t{1});
    QCOMPARE(records.modules[0].path, std::string("/usr/lib/libexample.so"));
    QCOMPARE(records.modules[0].record.index, 3u);
    QCOMPARE(records.modules[0].record.endAddress, std::uint64_t{0x9000});
    QCOMPARE(records.stacks.at(1), (std::vector<std::uint64_t>{0x7123, 0x7456, 0x7789}));
    QCOMPARE(records.allocations.size(), std::size_t{1});
    QCOMPARE(records.allocations[0].bytes, std::uint64_t{640});
    QCOMPARE(records.allocations[0].alignment, 64u);
    QCOMPARE(records.allocations[0].header.call, std::uint8_t(wire::HeapCall::NewArray));
    QCOMPARE(records.allocations[0].header.threadId, 77u);
    QCOMPARE(records.releases.at(0).address, std::uint64_t{0x5000});
    QCOMPARE(records.mappings.at(0).bytes, std::uint64_t{8192});
    QCOMPARE(records.mappings.at(0).fd, -1);
    QCOMPARE(records.unmappings.at(0).bytes, std::uint64_t{4096});
    QCOMPARE(records.remappings.at(0).newAddress, std::uint64_t{0x20000});
    QCOMPARE(records.remappings.at(0).newBytes, std::uint64_t{16384});
    QCOMPARE(records.opened.at(0).path, std::string("/tmp/data.bin"));
    QCOMPARE(records.opened.at(0).record.fd, 7);
    QCOMPARE(records.closed.at(0).fd, 7);
    QCOMPARE(records.drops.at(0).records, std::uint64_t{1234});
    QCOMPARE(records.processes.size(), std::size_t{4});
    QCOMPARE(records.processes[3].header.kind, wire::RecordKind::Crash);
    QCOMPARE(records.processes[3].value, std::int64_t{140});
    QCOMPARE(records.order.size(), std::size_t{14});
    QCOMPARE(records.order[0].first, wire::RecordKind::Module);
    QCOMPARE(records.order[1].first, wire::RecordKind::Stack);
    QCOMPARE(records.order[2].first, wire::RecordKind::Allocate);
}

// Feeds `bytes` and returns the decoder's complaint, empty when it took them.
std::string complaintAbout(const std::vector<unsigned char>& bytes, CollectedRecords& records) {
    PreloadStreamDecoder decoder(records);
    try {
        decoder.feed(bytes);
    } catch (const PreloadStreamError& error) {
        return error.what();
    }
    return {};
}

std::string complaintAbout(const std::vector<unsigned char>& bytes) {
    CollectedRecords records;
    return complaintAbout(bytes, records);
}

wire::Release releaseOf(std::uint64_t address) {
    wire::Release release{};
    release.header = PreloadStreamBuilder::header(wire::RecordKind::Free, sizeof release);
    release.address = address;
    return release;
}

}  // namespace

class PreloadStreamDecoderTest : public QObject {
    Q_OBJECT

private slots:
    void decoder_roundTripsEveryRecordKind() {
        CollectedRecords records;
        PreloadStreamDecoder decoder(records);
        decoder.feed(everyKind());
        checkEveryKind(records);
        QVERIFY(decoder.atBoundary());
        QCOMPARE(decoder.offset(), std::uint64_t{everyKind().size()});
    }

    void decoder_acceptsPiecesOfAnySize() {
        const std::vector<unsigned char> bytes = everyKind();
        for (std::size_t piece = 1; piece <= bytes.size(); ++piece) {
            CollectedRecords records;
            PreloadStreamDecoder decoder(records);
            for (std::size_t at = 0; at < bytes.size(); at += piece) {
                const std::size_t size = std::min(piece, bytes.size() - at);
                decoder.feed(std::span<const unsigned char>(bytes.data() + at, size));
            }
            checkEveryKind(records);
            QVERIFY(decoder.atBoundary());
        }
    }

    void decoder_atBoundaryOnlyBetweenPackets() {
        const std::vector<unsigned char> bytes = everyKind();
        CollectedRecords records;
        PreloadStreamDecoder decoder(records);
        QVERIFY(!decoder.atBoundary());
        decoder.feed(std::span<const unsigned char>(bytes.data(), sizeof(wire::Hello)));
        QVERIFY(decoder.atBoundary());
        decoder.feed(std::span<const unsigned char>(bytes.data() + sizeof(wire::Hello), 12));
        QVERIFY(!decoder.atBoundary());
        QVERIFY(records.order.empty());
    }

    void decoder_takesTheHelloOfTheImageAnExecStarted() {
        PreloadStreamBuilder stream;
        stream.hello();
        stream.record(processEvent(wire::RecordKind::Exec, 0)).endPacket();
        stream.hello();
        wire::Allocation allocation{};
        allocation.header =
            PreloadStreamBuilder::header(wire::RecordKind::Allocate, sizeof allocation);
        allocation.address = 0x5000;
        allocation.bytes = 64;
        stream.record(allocation).endPacket();
        for (std::size_t piece = 1; piece <= stream.bytes.size(); ++piece) {
            CollectedRecords records;
            PreloadStreamDecoder decoder(records);
            for (std::size_t at = 0; at < stream.bytes.size(); at += piece) {
                decoder.feed(std::span<const unsigned char>(
                    stream.bytes.data() + at, std::min(piece, stream.bytes.size() - at)));
            }
            QCOMPARE(records.hellos.size(), std::size_t{2});
            QCOMPARE(records.allocations.size(), std::size_t{1});
            QCOMPARE(records.allocations[0].address, std::uint64_t{0x5000});
            QVERIFY(decoder.atBoundary());
        }
    }

    void decoder_refusesAHelloWhereNoExecStartedAnImage() {
        // After a failed exec, as after none, the stream goes on in packets: a hello there is
        // read as a packet far over the limit.
        PreloadStreamBuilder failed;
        failed.hello();
        failed.record(processEvent(wire::RecordKind::Exec, 0))
            .record(processEvent(wire::RecordKind::Exec, ENOENT))
            .endPacket();
        const std::size_t helloAt = failed.bytes.size();
        failed.hello();
        const std::string complaint = complaintAbout(failed.bytes);
        QVERIFY2(complaint.find("offset " + std::to_string(helloAt)) != std::string::npos,
                 complaint.c_str());
        QVERIFY2(complaint.find("over the limit") != std::string::npos, complaint.c_str());
        PreloadStreamBuilder none;
        none.hello().hello();
        QVERIFY(complaintAbout(none.bytes).find("over the limit") != std::string::npos);
    }

    void decoder_refusesBadMagicAtOffsetZero() {
        std::vector<unsigned char> bytes = everyKind();
        bytes[2] = 'X';
        const std::string complaint = complaintAbout(bytes);
        QVERIFY2(complaint.find("offset 0") != std::string::npos, complaint.c_str());
        QVERIFY2(complaint.find("magic") != std::string::npos, complaint.c_str());
    }

    void decoder_refusesBadMagicBeforeTheHelloIsWhole() {
        CollectedRecords records;
        PreloadStreamDecoder decoder(records);
        const std::string text = "GET / HTTP/1.1";
        QVERIFY_THROWS_EXCEPTION(PreloadStreamError,
                                 decoder.feed(std::span<const unsigned char>(
                                     reinterpret_cast<const unsigned char*>(text.data()), 3)));
    }

    void decoder_refusesAnotherVersion() {
        PreloadStreamBuilder stream;
        stream.hello(wire::kVersion + 1);
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(
            complaint.find("version " + std::to_string(wire::kVersion + 1)) != std::string::npos,
            complaint.c_str());
    }

    void decoder_refusesOversizePacketBeforeBuffering() {
        PreloadStreamBuilder stream;
        stream.hello();
        const std::size_t packetAt = stream.bytes.size();
        stream.bytes.resize(packetAt + sizeof(wire::PacketHeader));
        wire::put(stream.bytes.data() + packetAt, wire::PacketHeader{wire::kMaxPacketBytes + 1, 1});
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(complaint.find("offset " + std::to_string(packetAt)) != std::string::npos,
                 complaint.c_str());
        QVERIFY2(complaint.find("over the limit") != std::string::npos, complaint.c_str());
    }

    void decoder_refusesRecordLongerThanItsPacket() {
        PreloadStreamBuilder stream;
        stream.hello();
        wire::Release release = releaseOf(0x1000);
        release.header.bytes = 200;
        stream.record(release).endPacket();
        const std::size_t recordAt = sizeof(wire::Hello) + sizeof(wire::PacketHeader);
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(complaint.find("offset " + std::to_string(recordAt)) != std::string::npos,
                 complaint.c_str());
        QVERIFY2(complaint.find("record length 200") != std::string::npos, complaint.c_str());
    }

    void decoder_refusesRecordShorterThanItsKind() {
        // An allocation cut to the length of a release.
        wire::Release shortAllocation = releaseOf(0x1000);
        shortAllocation.header.kind = wire::RecordKind::Allocate;
        PreloadStreamBuilder stream;
        stream.hello().record(releaseOf(0x1000)).record(shortAllocation).endPacket();
        const std::size_t recordAt =
            sizeof(wire::Hello) + sizeof(wire::PacketHeader) + sizeof(wire::Release);
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(complaint.find("offset " + std::to_string(recordAt)) != std::string::npos,
                 complaint.c_str());
        QVERIFY2(complaint.find("Allocate record") != std::string::npos, complaint.c_str());
    }

    void decoder_refusesStackDeeperThanTheLimit() {
        PreloadStreamBuilder stream;
        stream.hello();
        wire::StackRecord stack{};
        stack.header = PreloadStreamBuilder::header(wire::RecordKind::Stack, sizeof stack);
        stack.stackId = 1;
        stack.depth = wire::kMaxStackFrames + 1;
        stream.record(stack).endPacket();
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(complaint.find("over the limit") != std::string::npos, complaint.c_str());
    }

    void decoder_refusesPacketMiscountingItsRecords() {
        PreloadStreamBuilder stream;
        stream.hello().record(releaseOf(0x1000)).record(releaseOf(0x2000)).endPacketSaying(3);
        const std::string complaint = complaintAbout(stream.bytes);
        QVERIFY2(
            complaint.find("offset " + std::to_string(sizeof(wire::Hello))) != std::string::npos,
            complaint.c_str());
        QVERIFY2(complaint.find("says 3 records") != std::string::npos, complaint.c_str());
    }

    void decoder_deliversNothingOfABadPacket() {
        PreloadStreamBuilder stream;
        stream.hello().record(releaseOf(0x1000)).endPacket();
        wire::Release bad = releaseOf(0x3000);
        bad.header.bytes = 9;
        stream.record(releaseOf(0x2000)).record(bad).endPacket();
        CollectedRecords records;
        QVERIFY(!complaintAbout(stream.bytes, records).empty());
        QCOMPARE(records.releases.size(), std::size_t{1});
        QCOMPARE(records.releases[0].address, std::uint64_t{0x1000});
    }

    void decoder_stepsOverKindsItDoesNotKnow() {
        PreloadStreamBuilder stream;
        stream.hello();
        struct Future {
            wire::RecordHeader header;
            std::uint64_t payload[3];
        } future{};
        future.header =
            PreloadStreamBuilder::header(static_cast<wire::RecordKind>(200), sizeof future);
        stream.record(future).record(releaseOf(0x4000)).endPacket();
        CollectedRecords records;
        QCOMPARE(complaintAbout(stream.bytes, records), std::string());
        QCOMPARE(records.releases.size(), std::size_t{1});
        QCOMPARE(records.releases[0].address, std::uint64_t{0x4000});
    }
};

QTEST_GUILESS_MAIN(PreloadStreamDecoderTest)
#include "PreloadStreamDecoderTest.moc"
