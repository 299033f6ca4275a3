#include <QtTest>

#include <random>
#include <thread>
#include <vector>

#include "TestAllocators.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/PoolOccupancy.h"

using namespace poolscope;
using poolscope::testing::tinySettings;

class PoolOccupancyTest : public QObject {
    Q_OBJECT

private slots:
    void eventsAlone_rebuildThePoolExactly();
    void otherAllocatorsEvents_areIgnored();
};

void PoolOccupancyTest::eventsAlone_rebuildThePoolExactly() {
    ManualClock clock;
    auto settings = tinySettings(256, 4096, 16, 8192);
    settings.clock = &clock;
    PooledMemoryAllocator allocator(settings);
    auto subscription = EventStream::subscribe(1 << 18);
    PoolOccupancy occupancy(allocator.sourceId(), allocator.pool().capacity());
    std::vector<MemoryEvent> batch;
    auto catchUp = [&] {
        batch.clear();
        subscription->drain(batch);
        for (const MemoryEvent& event : batch) {
            occupancy.apply(event);
        }
    };

    std::mt19937 random(7);
    std::vector<MemoryGroup> held;
    std::uint64_t unpooledHeld = 0;
    for (int step = 0; step < 3000; ++step) {
        const unsigned choice = random() % 10;
        if (choice < 5 || held.empty()) {
            static constexpr std::int64_t kSizes[] = {100, 3000, 4096, 9000, 20'000, 70'000};
            held.push_back(allocator.allocateGroup(kSizes[random() % 6], 1, 1));
        } else if (choice < 9) {
            held.erase(held.begin() + static_cast<std::ptrdiff_t>(random() % held.size()));
        } else if (random() % 2 == 0) {
            clock.advanceMilliseconds(61'000);
            allocator.pool().trim();
        } else {
            allocator.releaseRetainedResources();
        }
        if (step % 97 == 0) {
            catchUp();
            const auto states = allocator.pool().slotStates();
            QCOMPARE(occupancy.slotStates(), states);
            const auto stats = allocator.pool().stats();
            QCOMPARE(occupancy.rentedChunks(), stats.rented);
            QCOMPARE(occupancy.retainedChunks(), stats.retained);
            unpooledHeld = 0;
            for (const MemoryGroup& group : held) {
                if (group.tier() == MemoryTier::Unpooled) {
                    unpooledHeld += static_cast<std::uint64_t>(group.totalLength());
                }
            }
            QCOMPARE(occupancy.unpooledBytesLive(), unpooledHeld);
        }
    }
    held.clear();
    catchUp();
    QCOMPARE(occupancy.rentedChunks(), 0);
    QCOMPARE(occupancy.unpooledBytesLive(), 0u);
    QCOMPARE(occupancy.smallBytesLive(), 0u);
    QCOMPARE(occupancy.chunkRents(), occupancy.chunkReturns());
    QVERIFY(occupancy.trimPasses() > 0);
    QCOMPARE(subscription->droppedCount(), 0u);
}

void PoolOccupancyTest::otherAllocatorsEvents_areIgnored() {
    PooledMemoryAllocator watched(tinySettings(256, 4096, 4, 8192));
    PooledMemoryAllocator other(tinySettings(256, 4096, 4, 8192));
    auto subscription = EventStream::subscribe();
    PoolOccupancy occupancy(watched.sourceId(), watched.pool().capacity());
    MemoryGroup mine = watched.allocateGroup(8192, 1, 1);
    MemoryGroup theirs = other.allocateGroup(16384, 1, 1);
    std::vector<MemoryEvent> batch;
    subscription->drain(batch);
    for (const MemoryEvent& event : batch) {
        occupancy.apply(event);
    }
    QCOMPARE(occupancy.rentedChunks(), 2);
    QCOMPARE(occupancy.emptySlots(), 2);
}

QTEST_GUILESS_MAIN(PoolOccupancyTest)
#include "PoolOccupancyTest.moc"
