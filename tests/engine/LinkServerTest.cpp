#include <QtTest>

#include <poll.h>
#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "link/LinkClient.h"
#include "link/LinkDecoder.h"
#include "link/LinkServer.h"
#include "link/LinkSocket.h"
#include "memory/MemoryAllocator.h"

using namespace poolscope;

namespace {

constexpr int kWaitMilliseconds = 20000;

std::vector<MemoryEvent> eventsOf(LinkClient& client, std::vector<MemoryEvent>& seen) {
    client.drain(seen);
    return seen;
}

const MemoryEvent* rentOf(const std::vector<MemoryEvent>& events, AllocationId id) {
    for (const MemoryEvent& event : events) {
        if (event.kind == MemoryEventKind::Rent && event.allocationId == id) {
            return &event;
        }
    }
    return nullptr;
}

[[gnu::noinline]] MemoryGroup allocateForTheLinkTest(MemoryAllocator& allocator) {
    AllocationTagScope tag("link-test");
    return allocator.allocateGroup(6 * 1024 * 1024, 1, 1024);
}

// Reads everything a raw viewer socket holds until the status says `dropped` events were
// dropped, counting the events that came.
struct RawViewer {
    LinkSocket socket;
    LinkDecoder decoder;
    std::uint64_t events = 0;
    LinkStatus status;

    void readFor(std::chrono::milliseconds timeout) {
        std::vector<std::uint8_t> buffer(1 << 16);
        const long count = socket.readSome(buffer, timeout);
        if (count <= 0) {
            return;
        }
        decoder.feed(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(count)));
        while (std::optional<LinkFrame> frame = decoder.next()) {
            if (const auto* batch = std::get_if<LinkEvents>(&*frame)) {
                events += batch->events.size();
            } else if (const auto* latest = std::get_if<LinkStatus>(&*frame)) {
                status = *latest;
            }
        }
    }
};

}  // namespace

class LinkServerTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void attachedViewer_getsPoolTagStackAndEvents();
    void attachedViewer_seesAllocationsMadeBeforeItCameOnce();
    void stalledViewer_costsTheProgramNothingAndLearnsWhatWasDropped();
    void garbageSendingViewer_isDisconnectedWithANamedError();
    void garbageSendingProgram_endsTheLinkWithANamedError();
    void detach_leavesTheProgramListening();

private:
    LinkServer::Options options() const {
        LinkServer::Options made;
        made.socketPath = directory_.filePath(QStringLiteral("test.sock")).toStdString();
        return made;
    }
    QTemporaryDir directory_;
};

void LinkServerTest::init() {
    QVERIFY(directory_.isValid());
}

void LinkServerTest::attachedViewer_getsPoolTagStackAndEvents() {
    LinkServer server(options());
    LinkClient client(server.socketPath());
    QCOMPARE(client.process().pid, static_cast<std::uint32_t>(::getpid()));
    QTRY_COMPARE_WITH_TIMEOUT(server.attachedViewers(), std::size_t{1}, kWaitMilliseconds);

    const std::shared_ptr<MemoryAllocator> allocator = MemoryAllocator::create({64, std::nullopt});
    MemoryGroup group = allocateForTheLinkTest(*allocator);
    std::vector<MemoryEvent> seen;
    QTRY_VERIFY_WITH_TIMEOUT(
        rentOf(eventsOf(client, seen), group.allocationIds().front()) != nullptr,
        kWaitMilliseconds);
    const MemoryEvent rent = *rentOf(seen, group.allocationIds().front());
    QCOMPARE(client.stacks()->tagName(rent.tagId()), std::string("link-test"));
    const std::vector<Frame> frames = client.stacks()->symbolizedStack(rent.stackId);
    QVERIFY(!frames.empty());
    QVERIFY2(frames.front().function.find("allocateForTheLinkTest") != std::string::npos,
             frames.front().toString().c_str());
    const std::vector<LinkPool> pools = client.takePools();
    QVERIFY(std::any_of(pools.begin(), pools.end(), [&](const LinkPool& pool) {
        return pool.sourceId == allocator->sourceId() && pool.capacityChunks == 16 &&
               pool.chunkBytes == 4u << 20;
    }));
}

void LinkServerTest::attachedViewer_seesAllocationsMadeBeforeItCameOnce() {
    const std::shared_ptr<MemoryAllocator> allocator = MemoryAllocator::create({64, std::nullopt});
    LinkServer server(options());
    MemoryGroup before = allocateForTheLinkTest(*allocator);
    LinkClient client(server.socketPath());
    MemoryGroup after = allocateForTheLinkTest(*allocator);
    std::vector<MemoryEvent> seen;
    QTRY_VERIFY_WITH_TIMEOUT(
        rentOf(eventsOf(client, seen), after.allocationIds().front()) != nullptr,
        kWaitMilliseconds);
    const auto rents = std::count_if(seen.begin(), seen.end(), [&](const MemoryEvent& event) {
        return event.kind == MemoryEventKind::Rent &&
               event.allocationId == before.allocationIds().front();
    });
    QCOMPARE(rents, 2);  // its two chunks, each once, as the pool handed them out
    std::vector<std::uint64_t> chunkBytes;
    for (const MemoryEvent& event : seen) {
        if (event.kind == MemoryEventKind::Rent &&
            event.allocationId == before.allocationIds().front()) {
            chunkBytes.push_back(event.bytes);
        }
    }
    QCOMPARE(chunkBytes, (std::vector<std::uint64_t>{4u << 20, 2u << 20}));
    const MemoryEvent* rent = rentOf(seen, before.allocationIds().front());
    QVERIFY(client.stacks()
                ->symbolizedStack(rent->stackId)
                .front()
                .function.find("allocateForTheLinkTest") != std::string::npos);
}

void LinkServerTest::stalledViewer_costsTheProgramNothingAndLearnsWhatWasDropped() {
    LinkServer::Options small = options();
    small.viewerBufferBytes = 64 * 1024;
    LinkServer server(small);
    RawViewer viewer{LinkSocket::connectTo(server.socketPath())};
    LinkEncoder::Bytes greeting;
    LinkEncoder::hello(greeting);
    LinkEncoder::frame(greeting, LinkAttach{});
    QVERIFY(viewer.socket.writeAll(greeting, std::chrono::milliseconds(kWaitMilliseconds)));
    QTRY_COMPARE_WITH_TIMEOUT(server.attachedViewers(), std::size_t{1}, kWaitMilliseconds);

    // The viewer reads nothing while the program publishes far more than its buffer holds.
    constexpr std::uint64_t kPublished = 200'000;
    for (std::uint64_t i = 0; i < kPublished; ++i) {
        MemoryEvent event;
        event.kind = MemoryEventKind::Trim;
        event.sourceId = 999;
        EventStream::publish(event);
    }
    QTRY_VERIFY_WITH_TIMEOUT(server.droppedEvents() > 0, kWaitMilliseconds);
    // Once it reads again, what came and what was dropped add up to what was published.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (viewer.events + viewer.status.linkDroppedEvents + viewer.status.engineDroppedEvents <
               kPublished &&
           std::chrono::steady_clock::now() < deadline) {
        viewer.readFor(std::chrono::milliseconds(200));
    }
    QVERIFY(viewer.status.linkDroppedEvents > 0);
    QCOMPARE(viewer.events + viewer.status.linkDroppedEvents + viewer.status.engineDroppedEvents,
             kPublished);
}

void LinkServerTest::garbageSendingViewer_isDisconnectedWithANamedError() {
    LinkServer server(options());
    LinkSocket peer = LinkSocket::connectTo(server.socketPath());
    const std::string request = "GET / HTTP/1.1\r\n\r\n";
    QVERIFY(
        peer.writeAll(std::span<const std::uint8_t>(
                          reinterpret_cast<const std::uint8_t*>(request.data()), request.size()),
                      std::chrono::milliseconds(kWaitMilliseconds)));
    QTRY_VERIFY_WITH_TIMEOUT(!server.refusals().empty(), kWaitMilliseconds);
    QVERIFY2(server.refusals().back().find("bad magic at offset 0") != std::string::npos,
             server.refusals().back().c_str());
    // The server hung up: after its greeting the stream ends.
    std::vector<std::uint8_t> buffer(4096);
    long count = 0;
    do {
        count = peer.readSome(buffer, std::chrono::milliseconds(kWaitMilliseconds));
    } while (count > 0);
    QCOMPARE(count, 0L);
    QCOMPARE(server.attachedViewers(), std::size_t{0});
}

void LinkServerTest::garbageSendingProgram_endsTheLinkWithANamedError() {
    const std::string path = directory_.filePath(QStringLiteral("fake.sock")).toStdString();
    LinkSocket listener = LinkSocket::listenAt(path);
    std::thread program([&listener] {
        pollfd entry{listener.fd(), POLLIN, 0};
        ::poll(&entry, 1, kWaitMilliseconds);
        LinkSocket viewer(::accept(listener.fd(), nullptr, nullptr));
        LinkEncoder::Bytes bytes;
        LinkEncoder::hello(bytes);
        LinkEncoder::frame(bytes, LinkProcessInfo{1, 2, 3, "fake", ""});
        bytes.insert(bytes.end(), {200, 1, 0, 0, 0, 0});
        viewer.writeAll(bytes, std::chrono::milliseconds(kWaitMilliseconds));
        std::vector<std::uint8_t> buffer(4096);
        while (viewer.readSome(buffer, std::chrono::milliseconds(kWaitMilliseconds)) > 0) {
        }
    });
    LinkClient client(path);
    QTRY_VERIFY_WITH_TIMEOUT(client.ended(), kWaitMilliseconds);
    const std::string reason = client.endReason();
    QVERIFY2(reason.find("unknown frame type 200 at offset") != std::string::npos, reason.c_str());
    program.join();
}

void LinkServerTest::detach_leavesTheProgramListening() {
    LinkServer server(options());
    {
        LinkClient client(server.socketPath());
        QTRY_COMPARE_WITH_TIMEOUT(server.attachedViewers(), std::size_t{1}, kWaitMilliseconds);
        client.detach();
        QVERIFY(client.ended());
        QCOMPARE(client.endReason(), std::string("detached"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.attachedViewers(), std::size_t{0}, kWaitMilliseconds);
    LinkClient again(server.socketPath());
    QTRY_COMPARE_WITH_TIMEOUT(server.attachedViewers(), std::size_t{1}, kWaitMilliseconds);
    QVERIFY(!again.ended());
}

QTEST_GUILESS_MAIN(LinkServerTest)
#include "LinkServerTest.moc"
