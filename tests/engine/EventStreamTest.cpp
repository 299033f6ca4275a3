#include <QtTest>

#include <sys/resource.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "EventTestSupport.h"
#include "TestAllocators.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryEventQueue.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/MemoryAllocator.h"

using namespace poolscope;
using poolscope::testing::drainAll;
using poolscope::testing::ofKind;
using poolscope::testing::tinySettings;

class EventStreamTest : public QObject {
    Q_OBJECT

private slots:
    void withoutSubscriber_streamIsInactive();
    void pooledGroup_reportsSlotCreationRentAndReturnPerChunk();
    void unpooledAndSmallBuffers_reportTheirTier();
    void trimAndRelease_reportFreedChunks();
    void refusedRequest_reportsBytesAndLimit();
    void fullQueue_countsDroppedEvents();
    void reserve_growsTheQueueKeepingEventsInOrderAndTheDropCount();
    void reserve_whileProducersPublish_losesNothing();
    void drain_takesBatchesInOrder();
    void queue_afterManyLaps_holdsExactlyItsCapacity();
    void largeQueue_touchesNoMemoryUntilEventsReachIt();
    void manyProducers_loseNothing_andKeepPerThreadOrder();
    void everySubscriber_getsEveryEvent();
    void subscribingWhilePublishing_isSafe();
};

void EventStreamTest::withoutSubscriber_streamIsInactive() {
    QVERIFY(!EventStream::active());
    {
        auto subscription = EventStream::subscribe(64);
        QVERIFY(EventStream::active());
    }
    QVERIFY(!EventStream::active());
}

void EventStreamTest::pooledGroup_reportsSlotCreationRentAndReturnPerChunk() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 8, 256));
    auto subscription = EventStream::subscribe();
    MemoryGroup group = allocator.allocateGroup(2500, 1, 100);
    const AllocationId id = group.allocationIds().front();
    group.dispose();
    const auto events = drainAll(*subscription);
    const auto created = ofKind(events, MemoryEventKind::SlotCreated);
    const auto rents = ofKind(events, MemoryEventKind::Rent);
    const auto returns = ofKind(events, MemoryEventKind::Return);
    QCOMPARE(created.size(), std::size_t{3});
    QCOMPARE(rents.size(), std::size_t{3});
    QCOMPARE(returns.size(), std::size_t{3});
    std::set<std::int32_t> slotIds;
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < 3; ++i) {
        QCOMPARE(rents[i].allocationId, id);
        QCOMPARE(rents[i].chunkIndex, i);
        QCOMPARE(rents[i].chunkCount, 3u);
        QCOMPARE(rents[i].sourceId, allocator.sourceId());
        QCOMPARE(rents[i].tier, MemoryTier::Pooled);
        QVERIFY(rents[i].threadId != 0);
        QVERIFY(rents[i].timeNanoseconds > 0);
        slotIds.insert(rents[i].slot);
        bytes += rents[i].bytes;
    }
    QCOMPARE(bytes, 2500u);  // chunks expose 1000 + 1000 + 500 bytes
    QCOMPARE(slotIds.size(), std::size_t{3});
    QCOMPARE(returns[0].allocationId, id);
}

void EventStreamTest::unpooledAndSmallBuffers_reportTheirTier() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 0, 256));
    auto subscription = EventStream::subscribe();
    {
        MemoryOwner small = allocator.allocate(100, 1);
        MemoryGroup unpooled = allocator.allocateGroup(600, 1, 1);
    }
    const auto events = drainAll(*subscription);
    QCOMPARE(ofKind(events, MemoryEventKind::SmallRent).size(), std::size_t{1});
    QCOMPARE(ofKind(events, MemoryEventKind::SmallReturn).size(), std::size_t{1});
    const auto allocations = ofKind(events, MemoryEventKind::UnpooledAllocate);
    QCOMPARE(allocations.size(), std::size_t{3});  // 256 + 256 + 88
    QCOMPARE(allocations[2].bytes, 88u);
    QCOMPARE(allocations[2].tier, MemoryTier::Unpooled);
    QCOMPARE(ofKind(events, MemoryEventKind::UnpooledFree).size(), std::size_t{3});
}

void EventStreamTest::trimAndRelease_reportFreedChunks() {
    ManualClock clock;
    auto settings = tinySettings(128, 1024, 8, 256);
    settings.clock = &clock;
    PooledMemoryAllocator allocator(settings);
    { MemoryGroup group = allocator.allocateGroup(8 * 1024, 1, 1); }
    auto subscription = EventStream::subscribe();
    clock.advanceMilliseconds(61'000);
    allocator.pool().trim();
    allocator.releaseRetainedResources();
    const auto events = drainAll(*subscription);
    const auto trims = ofKind(events, MemoryEventKind::Trim);
    QCOMPARE(trims.size(), std::size_t{1});
    QCOMPARE(trims[0].chunksFreed(), 4u);
    QCOMPARE(trims[0].chunksStillRetained(), 4u);
    const auto releases = ofKind(events, MemoryEventKind::ReleaseRetained);
    QCOMPARE(releases.size(), std::size_t{1});
    QCOMPARE(releases[0].chunksFreed(), 4u);
    QCOMPARE(ofKind(events, MemoryEventKind::ChunkFreed).size(), std::size_t{8});
}

void EventStreamTest::refusedRequest_reportsBytesAndLimit() {
    auto allocator = MemoryAllocator::create({.allocationLimitMegabytes = 4});
    auto subscription = EventStream::subscribe();
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation, allocator->allocate(5 * 1024 * 1024, 1));
    const auto refused = ofKind(drainAll(*subscription), MemoryEventKind::LimitRefused);
    QCOMPARE(refused.size(), std::size_t{1});
    QCOMPARE(refused[0].bytes, 5u * 1024 * 1024);
    QCOMPARE(refused[0].limitBytes(), 4u * 1024 * 1024);
}

void EventStreamTest::reserve_growsTheQueueKeepingEventsInOrderAndTheDropCount() {
    auto subscription = EventStream::subscribe(16);
    auto publish = [](AllocationId first, int count) {
        for (int i = 0; i < count; ++i) {
            MemoryEvent event;
            event.allocationId = first + static_cast<AllocationId>(i);
            EventStream::publish(event);
        }
    };
    publish(0, 20);  // 4 dropped
    subscription->reserve(1000);
    QCOMPARE(subscription->capacity(), std::size_t{1024});
    publish(100, 500);  // fits now
    std::vector<MemoryEvent> events;
    QCOMPARE(subscription->drain(events, 10), std::size_t{10});  // the carried events first
    QCOMPARE(subscription->drain(events), std::size_t{506});
    QCOMPARE(events.size(), std::size_t{516});
    for (std::size_t i = 0; i < 16; ++i) {
        QCOMPARE(events[i].allocationId, AllocationId{i});
    }
    for (std::size_t i = 16; i < events.size(); ++i) {
        QCOMPARE(events[i].allocationId, AllocationId{100 + i - 16});
    }
    QCOMPARE(subscription->droppedCount(), 4u);
    subscription->reserve(8);  // never shrinks
    QCOMPARE(subscription->capacity(), std::size_t{1024});
}

void EventStreamTest::reserve_whileProducersPublish_losesNothing() {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20'000;
    auto subscription = EventStream::subscribe(64);
    std::atomic<bool> go{false};
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
        producers.emplace_back([&go, t] {
            while (!go.load()) {
            }
            for (int i = 0; i < kPerThread; ++i) {
                MemoryEvent event;
                event.sourceId = static_cast<std::uint16_t>(t + 1);
                event.allocationId = static_cast<AllocationId>(i);
                EventStream::publish(event);
            }
        });
    }
    go.store(true);
    std::vector<MemoryEvent> events;
    std::size_t capacity = subscription->capacity();
    while (capacity < (std::size_t{1} << 20)) {
        subscription->drain(events);
        capacity *= 4;
        subscription->reserve(capacity);
    }
    for (std::thread& producer : producers) {
        producer.join();
    }
    subscription->drain(events);
    // Every event is either drained or counted as dropped, each producer's in order.
    QCOMPARE(events.size() + subscription->droppedCount(),
             static_cast<std::size_t>(kThreads) * kPerThread);
    std::map<std::uint16_t, AllocationId> last;
    for (const MemoryEvent& event : events) {
        const auto it = last.find(event.sourceId);
        QVERIFY(it == last.end() || it->second < event.allocationId);
        last[event.sourceId] = event.allocationId;
    }
}

void EventStreamTest::fullQueue_countsDroppedEvents() {
    auto subscription = EventStream::subscribe(16);
    QCOMPARE(subscription->capacity(), std::size_t{16});
    for (int i = 0; i < 100; ++i) {
        MemoryEvent event;
        event.allocationId = static_cast<AllocationId>(i);
        EventStream::publish(event);
    }
    const auto events = drainAll(*subscription);
    QCOMPARE(events.size(), std::size_t{16});
    QCOMPARE(subscription->droppedCount(), 84u);
    QCOMPARE(events.front().allocationId, 0u);  // the oldest are kept, the newest dropped
}

void EventStreamTest::drain_takesBatchesInOrder() {
    MemoryEventQueue queue(8);
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 6; ++i) {
            MemoryEvent event;
            event.allocationId = static_cast<AllocationId>(round * 10 + i);
            QVERIFY(queue.tryPush(event));
        }
        std::vector<MemoryEvent> batch;
        QCOMPARE(queue.drain(batch, 4), std::size_t{4});
        QCOMPARE(queue.drain(batch, 4), std::size_t{2});
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(batch[static_cast<std::size_t>(i)].allocationId,
                     static_cast<AllocationId>(round * 10 + i));
        }
    }
    QCOMPARE(queue.droppedCount(), 0u);
}

void EventStreamTest::queue_afterManyLaps_holdsExactlyItsCapacity() {
    MemoryEventQueue queue(8);
    std::vector<MemoryEvent> batch;
    AllocationId next = 1;
    // Every cell is used and freed several times over, at every offset in the ring.
    for (int lap = 0; lap < 7; ++lap) {
        for (int i = 0; i < 3; ++i) {
            MemoryEvent event;
            event.allocationId = next++;
            QVERIFY(queue.tryPush(event));
        }
        batch.clear();
        QCOMPARE(queue.drain(batch, SIZE_MAX), std::size_t{3});
    }
    for (std::size_t i = 0; i < queue.capacity(); ++i) {
        MemoryEvent event;
        event.allocationId = next++;
        QVERIFY(queue.tryPush(event));
    }
    QVERIFY(!queue.tryPush(MemoryEvent{}));
    QCOMPARE(queue.droppedCount(), 1u);
    batch.clear();
    QCOMPARE(queue.drain(batch, SIZE_MAX), queue.capacity());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        QCOMPARE(batch[i].allocationId, static_cast<AllocationId>(22 + i));
    }
    QVERIFY(queue.tryPush(MemoryEvent{}));
}

namespace {

long pageFaultsOfThisThread() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_minflt;
}

}  // namespace

void EventStreamTest::largeQueue_touchesNoMemoryUntilEventsReachIt() {
    // A recording subscribes with room for bursts as a program starts; the program must not
    // pay for that room (over 18,000 pages here) before its events use it.
    constexpr std::size_t kCapacity = std::size_t{1} << 20;
    const std::size_t pages = kCapacity * sizeof(MemoryEvent) / 4096;
    const long before = pageFaultsOfThisThread();
    MemoryEventQueue queue(kCapacity);
    for (int i = 0; i < 100; ++i) {
        MemoryEvent event;
        event.allocationId = static_cast<AllocationId>(i + 1);
        QVERIFY(queue.tryPush(event));
    }
    const long faults = pageFaultsOfThisThread() - before;
    QVERIFY2(faults < static_cast<long>(pages / 100),
             qPrintable(QStringLiteral("%1 page faults for a queue of %2 pages holding 100 events")
                            .arg(faults)
                            .arg(pages)));
    std::vector<MemoryEvent> batch;
    QCOMPARE(queue.drain(batch, SIZE_MAX), std::size_t{100});
    QCOMPARE(batch.back().allocationId, AllocationId{100});
}

void EventStreamTest::manyProducers_loseNothing_andKeepPerThreadOrder() {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20'000;
    auto subscription = EventStream::subscribe(1 << 17);
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
        producers.emplace_back([t] {
            for (int i = 0; i < kPerThread; ++i) {
                MemoryEvent event;
                event.value = static_cast<std::uint64_t>(t);
                event.value2 = static_cast<std::uint64_t>(i);
                EventStream::publish(event);
            }
        });
    }
    std::vector<MemoryEvent> events;
    // Drain while they produce, as the GUI's session does.
    while (events.size() < std::size_t{kThreads * kPerThread}) {
        if (subscription->drain(events, 1024) == 0) {
            std::this_thread::yield();
        }
    }
    for (auto& producer : producers) {
        producer.join();
    }
    QCOMPARE(subscription->droppedCount(), 0u);
    std::map<std::uint64_t, std::uint64_t> nextExpected;
    for (const MemoryEvent& event : events) {
        QCOMPARE(event.value2, nextExpected[event.value]);
        ++nextExpected[event.value];
    }
    QCOMPARE(nextExpected.size(), std::size_t{kThreads});
}

void EventStreamTest::everySubscriber_getsEveryEvent() {
    auto first = EventStream::subscribe(64);
    auto second = EventStream::subscribe(64);
    for (int i = 0; i < 10; ++i) {
        EventStream::publish(MemoryEvent{});
    }
    QCOMPARE(drainAll(*first).size(), std::size_t{10});
    QCOMPARE(drainAll(*second).size(), std::size_t{10});
}

void EventStreamTest::subscribingWhilePublishing_isSafe() {
    std::atomic<bool> stop{false};
    std::thread producer([&] {
        while (!stop.load()) {
            EventStream::publish(MemoryEvent{});
        }
    });
    std::size_t received = 0;
    for (int round = 0; round < 200; ++round) {
        auto subscription = EventStream::subscribe(256);
        std::vector<MemoryEvent> events;
        while (subscription->drain(events) == 0) {  // the producer reaches the new queue
            std::this_thread::yield();
        }
        received += events.size();
    }
    stop = true;
    producer.join();
    QVERIFY(received >= 200);
}

QTEST_GUILESS_MAIN(EventStreamTest)
#include "EventStreamTest.moc"
