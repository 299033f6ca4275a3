#include <QtTest>

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "memory/OsMemory.h"
#include "memory/SystemMemory.h"
#include "memory/TrimScheduler.h"
#include "memory/UniformChunkPool.h"

using namespace poolscope;

namespace {

constexpr std::size_t kChunk = 4096;

UniformChunkPool::Settings settings(int capacity, Clock* clock = &SteadyClock::instance(),
                                    MemoryLoadSource* load = nullptr) {
    static FixedLoadSource idle(MemoryLoad{1000, 900});
    UniformChunkPool::Settings s;
    s.chunkBytes = kChunk;
    s.capacity = capacity;
    s.clock = clock;
    s.loadSource = load ? load : &idle;
    s.registerForTrimming = false;
    s.trimPolicy.period = std::chrono::milliseconds(5000);
    return s;
}

std::vector<PoolChunk> rentEach(UniformChunkPool& pool, int count) {
    std::vector<PoolChunk> chunks;
    for (int i = 0; i < count; ++i) {
        chunks.push_back(*pool.rent());
    }
    return chunks;
}

void returnEach(UniformChunkPool& pool, const std::vector<PoolChunk>& chunks) {
    for (const PoolChunk& chunk : chunks) {
        QVERIFY(pool.giveBack({&chunk, 1}));
    }
}

std::set<std::int32_t> slotsOf(const std::vector<PoolChunk>& chunks) {
    std::set<std::int32_t> slotIds;
    for (const PoolChunk& chunk : chunks) {
        slotIds.insert(chunk.slot);
    }
    return slotIds;
}

}  // namespace

class UniformChunkPoolTest : public QObject {
    Q_OBJECT

private slots:
    void construction_hasCapacityAndNothingMapped();
    void rent_mapsSlotsLazily();
    void rent_withoutReturn_givesDifferentChunks();
    void rentReturnRent_givesSameChunksInSameOrder();
    void rentSingle_overCapacity_givesNothing();
    void rentGroup_overCapacity_givesNothingAndRentsNothing();
    void rentGroup_belowCapacity_succeeds();
    void giveBack_doesNotFree();
    void giveBack_moreThanRented_isRefused();
    void release_freesRetained_nextRentMapsNewMemory();
    void shutDown_freesRetained_andRefusesReturns();
    void shutDown_withRentedChunks_keepsThePoolUntilTheLastReturns();
    void trim_beforePeriod_freesNothing();
    void trim_eachPeriod_halvesRetained();
    void trim_freesLeastRecentlyReturnedFirst();
    void trim_highSystemLoad_freesEverything();
    void trim_neverTouchesRentedChunks();
    void releasedChunks_leaveTheResidentSet();
    void trimScheduler_trimsEveryLivePool_andForgetsDeadOnes();
    void trimScheduler_wakeIntervalIsAQuarterOfShortestPeriod();
    void rentReturn_fromManyThreads_neverSharesAChunk();
    void slotStates_tellEachSlotRentedRetainedOrEmpty();
};

void UniformChunkPoolTest::construction_hasCapacityAndNothingMapped() {
    auto pool = UniformChunkPool::create(settings(10));
    const auto stats = pool->stats();
    QCOMPARE(stats.capacity, 10);
    QCOMPARE(stats.rented, 0);
    QCOMPARE(stats.retained, 0);
    QCOMPARE(stats.slotsCreated, 0u);
    QCOMPARE(pool->chunkBytes(), kChunk);
}

void UniformChunkPoolTest::rent_mapsSlotsLazily() {
    auto pool = UniformChunkPool::create(settings(10));
    const std::int64_t before = OsMemory::outstandingMappings();
    auto chunks = rentEach(*pool, 3);
    QCOMPARE(OsMemory::outstandingMappings() - before, 3);
    QCOMPARE(pool->stats().slotsCreated, 3u);
    const auto states = pool->slotStates();
    QCOMPARE(std::count(states.begin(), states.end(), SlotState::Rented), 3);
    QCOMPARE(std::count(states.begin(), states.end(), SlotState::Empty), 7);
    pool->giveBack(chunks);
}

void UniformChunkPoolTest::rent_withoutReturn_givesDifferentChunks() {
    auto pool = UniformChunkPool::create(settings(8));
    auto chunks = rentEach(*pool, 8);
    std::set<std::byte*> addresses;
    for (const PoolChunk& chunk : chunks) {
        addresses.insert(chunk.data);
    }
    QCOMPARE(addresses.size(), std::size_t{8});
    QCOMPARE(slotsOf(chunks).size(), std::size_t{8});
    pool->giveBack(chunks);
}

void UniformChunkPoolTest::rentReturnRent_givesSameChunksInSameOrder() {
    auto pool = UniformChunkPool::create(settings(8));
    std::vector<PoolChunk> first;
    QVERIFY(pool->rent(5, first));
    QVERIFY(pool->giveBack(first));
    std::vector<PoolChunk> second;
    QVERIFY(pool->rent(5, second));
    for (std::size_t i = 0; i < first.size(); ++i) {
        QCOMPARE(second[i].data, first[i].data);
        QCOMPARE(second[i].slot, first[i].slot);
    }
    QCOMPARE(pool->stats().slotsCreated, 5u);
    pool->giveBack(second);
}

void UniformChunkPoolTest::rentSingle_overCapacity_givesNothing() {
    auto pool = UniformChunkPool::create(settings(2));
    auto chunks = rentEach(*pool, 2);
    QVERIFY(!pool->rent().has_value());
    pool->giveBack(chunks);
    QVERIFY(pool->rent().has_value());
}

void UniformChunkPoolTest::rentGroup_overCapacity_givesNothingAndRentsNothing() {
    auto pool = UniformChunkPool::create(settings(4));
    auto held = rentEach(*pool, 2);
    std::vector<PoolChunk> group;
    QVERIFY(!pool->rent(3, group));
    QVERIFY(group.empty());
    QCOMPARE(pool->stats().rented, 2);
    pool->giveBack(held);
}

void UniformChunkPoolTest::rentGroup_belowCapacity_succeeds() {
    auto pool = UniformChunkPool::create(settings(4));
    std::vector<PoolChunk> group;
    QVERIFY(pool->rent(4, group));
    QCOMPARE(group.size(), std::size_t{4});
    QCOMPARE(pool->stats().rented, 4);
    pool->giveBack(group);
}

void UniformChunkPoolTest::giveBack_doesNotFree() {
    auto pool = UniformChunkPool::create(settings(4));
    const std::int64_t before = OsMemory::outstandingMappings();
    auto chunks = rentEach(*pool, 4);
    pool->giveBack(chunks);
    QCOMPARE(OsMemory::outstandingMappings() - before, 4);
    QCOMPARE(pool->stats().retained, 4);
}

void UniformChunkPoolTest::giveBack_moreThanRented_isRefused() {
    auto pool = UniformChunkPool::create(settings(4));
    auto chunks = rentEach(*pool, 1);
    QVERIFY(pool->giveBack(chunks));
    QVERIFY(!pool->giveBack(chunks));
    QCOMPARE(pool->stats().retained, 1);
}

void UniformChunkPoolTest::release_freesRetained_nextRentMapsNewMemory() {
    auto pool = UniformChunkPool::create(settings(4));
    const std::int64_t before = OsMemory::outstandingMappings();
    auto chunks = rentEach(*pool, 4);
    pool->giveBack(chunks);
    QCOMPARE(pool->release(), std::size_t{4});
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
    auto again = rentEach(*pool, 1);
    QCOMPARE(pool->stats().slotsCreated, 5u);
    pool->giveBack(again);
}

void UniformChunkPoolTest::shutDown_freesRetained_andRefusesReturns() {
    auto pool = UniformChunkPool::create(settings(4));
    const std::int64_t before = OsMemory::outstandingMappings();
    auto kept = rentEach(*pool, 2);
    auto returned = rentEach(*pool, 2);
    pool->giveBack(returned);
    pool->shutDown();
    QCOMPARE(OsMemory::outstandingMappings() - before, 2);
    QVERIFY(!pool->giveBack(kept));
    QVERIFY(!pool->rent().has_value());
    QVERIFY(!pool->trim());
    for (const PoolChunk& chunk : kept) {
        UniformChunkPool::freeChunk(chunk, kChunk, 0);
    }
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void UniformChunkPoolTest::shutDown_withRentedChunks_keepsThePoolUntilTheLastReturns() {
    auto pool = UniformChunkPool::create(settings(4));
    const std::weak_ptr<UniformChunkPool> watch = pool;
    const std::vector<PoolChunk> rented = rentEach(*pool, 2);
    pool->shutDown();
    pool.reset();
    QVERIFY(!watch.expired());
    UniformChunkPool* const kept = watch.lock().get();
    QVERIFY(!kept->giveBack({&rented[0], 1}));
    QVERIFY(!watch.expired());
    QVERIFY(!kept->giveBack({&rented[1], 1}));
    QVERIFY(watch.expired());
    for (const PoolChunk& chunk : rented) {
        UniformChunkPool::freeChunk(chunk, kChunk, 0);
    }
}

void UniformChunkPoolTest::trim_beforePeriod_freesNothing() {
    ManualClock clock;
    auto pool = UniformChunkPool::create(settings(16, &clock));
    pool->giveBack(rentEach(*pool, 16));
    clock.advanceMilliseconds(4999);
    QVERIFY(pool->trim());
    QCOMPARE(pool->stats().retained, 16);
}

void UniformChunkPoolTest::trim_eachPeriod_halvesRetained() {
    ManualClock clock;
    auto pool = UniformChunkPool::create(settings(64, &clock));
    pool->giveBack(rentEach(*pool, 64));
    QCOMPARE(pool->stats().retained, 64);
    const std::int64_t before = OsMemory::outstandingMappings();
    for (int expected : {32, 16, 8, 4, 2, 1, 0}) {
        clock.advanceMilliseconds(5001);
        QVERIFY(pool->trim());
        QCOMPARE(pool->stats().retained, expected);
        QVERIFY(pool->trim());  // a second pass in the same period frees nothing more
        QCOMPARE(pool->stats().retained, expected);
    }
    QCOMPARE(before - OsMemory::outstandingMappings(), 64);
}

void UniformChunkPoolTest::trim_freesLeastRecentlyReturnedFirst() {
    ManualClock clock;
    auto pool = UniformChunkPool::create(settings(8, &clock));
    auto chunks = rentEach(*pool, 8);
    returnEach(*pool, chunks);  // chunks[0] returned longest ago
    clock.advanceMilliseconds(5001);
    pool->trim();
    const auto states = pool->slotStates();
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const auto expected = i < 4 ? SlotState::Empty : SlotState::Retained;
        QCOMPARE(states[static_cast<std::size_t>(chunks[i].slot)], expected);
    }
}

void UniformChunkPoolTest::trim_highSystemLoad_freesEverything() {
    ManualClock clock;
    FixedLoadSource load(MemoryLoad{1000, 900});
    auto pool = UniformChunkPool::create(settings(16, &clock, &load));
    pool->giveBack(rentEach(*pool, 16));
    load.set(MemoryLoad{1000, 1000 - 820});  // 82% used: over 0.9 x the 90% threshold
    QVERIFY(pool->trim());                   // no period has passed, load alone decides
    QCOMPARE(pool->stats().retained, 0);
    pool->giveBack(rentEach(*pool, 4));
    load.set(MemoryLoad{1000, 1000 - 800});  // 80%: below the cut-off, period not elapsed
    QVERIFY(pool->trim());
    QCOMPARE(pool->stats().retained, 4);
}

void UniformChunkPoolTest::trim_neverTouchesRentedChunks() {
    ManualClock clock;
    FixedLoadSource load(MemoryLoad{1000, 10});
    auto pool = UniformChunkPool::create(settings(8, &clock, &load));
    auto rented = rentEach(*pool, 5);
    for (const PoolChunk& chunk : rented) {
        std::memset(chunk.data, 7, kChunk);
    }
    clock.advanceMilliseconds(60'000);
    pool->trim();
    QCOMPARE(pool->stats().rented, 5);
    for (const PoolChunk& chunk : rented) {
        QCOMPARE(static_cast<int>(chunk.data[kChunk - 1]), 7);
    }
    pool->giveBack(rented);
}

void UniformChunkPoolTest::releasedChunks_leaveTheResidentSet() {
    UniformChunkPool::Settings big = settings(16);
    big.chunkBytes = 4 * 1024 * 1024;
    auto pool = UniformChunkPool::create(big);
    std::vector<PoolChunk> chunks;
    QVERIFY(pool->rent(16, chunks));
    for (const PoolChunk& chunk : chunks) {
        std::memset(chunk.data, 1, big.chunkBytes);  // fault every page in
    }
    pool->giveBack(chunks);
    const std::uint64_t before = SystemMemory::residentSetBytes();
    pool->release();
    const std::uint64_t after = SystemMemory::residentSetBytes();
    // 64 MiB were resident; at least 48 MiB of it must have left.
    QVERIFY2(before > after && before - after >= 48ull * 1024 * 1024,
             qPrintable(QString("RSS %1 -> %2 bytes").arg(before).arg(after)));
}

void UniformChunkPoolTest::trimScheduler_trimsEveryLivePool_andForgetsDeadOnes() {
    TrimScheduler& scheduler = TrimScheduler::instance();
    const std::size_t registeredBefore = scheduler.registeredCount();
    UniformChunkPool::Settings fast = settings(8);
    fast.registerForTrimming = true;
    fast.trimPolicy.period = std::chrono::milliseconds(40);
    auto first = UniformChunkPool::create(fast);
    fast.trimPolicy.period = std::chrono::milliseconds(80);
    auto second = UniformChunkPool::create(fast);
    auto doomed = UniformChunkPool::create(fast);
    QCOMPARE(scheduler.registeredCount(), registeredBefore + 3);
    first->giveBack(rentEach(*first, 8));
    second->giveBack(rentEach(*second, 8));
    doomed.reset();
    // The shared thread trims both live pools down to nothing, period after period.
    QTRY_COMPARE_WITH_TIMEOUT(first->stats().retained, 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(second->stats().retained, 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(scheduler.registeredCount(), registeredBefore + 2, 10000);
    first.reset();
    second.reset();
    // A pass of the shared thread may hold a pool for a moment after its owner let go; the
    // next pass after that forgets it.
    QTRY_VERIFY_WITH_TIMEOUT((scheduler.runOnce(), scheduler.registeredCount() == registeredBefore),
                             10000);
}

void UniformChunkPoolTest::trimScheduler_wakeIntervalIsAQuarterOfShortestPeriod() {
    UniformChunkPool::Settings s = settings(1);
    s.registerForTrimming = true;
    s.trimPolicy.period = std::chrono::milliseconds(400);
    auto pool = UniformChunkPool::create(s);
    QVERIFY(TrimScheduler::instance().wakeInterval() <= std::chrono::milliseconds(100));
}

void UniformChunkPoolTest::rentReturn_fromManyThreads_neverSharesAChunk() {
    const int threads = 8;
    auto pool = UniformChunkPool::create(settings(threads * 4));
    std::atomic<int> corrupted{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int round = 0; round < 400; ++round) {
                std::vector<PoolChunk> chunks;
                if (!pool->rent(1 + round % 4, chunks)) {
                    continue;
                }
                const auto pattern = static_cast<unsigned char>(t * 31 + round);
                for (const PoolChunk& chunk : chunks) {
                    std::memset(chunk.data, pattern, kChunk);
                }
                std::this_thread::yield();
                for (const PoolChunk& chunk : chunks) {
                    for (std::size_t i = 0; i < kChunk; i += 512) {
                        if (static_cast<unsigned char>(chunk.data[i]) != pattern) {
                            ++corrupted;
                        }
                    }
                }
                pool->giveBack(chunks);
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    QCOMPARE(corrupted.load(), 0);
    QCOMPARE(pool->stats().rented, 0);
}

void UniformChunkPoolTest::slotStates_tellEachSlotRentedRetainedOrEmpty() {
    // Every slot, one by one, through rent, return, re-rent and release.
    auto pool = UniformChunkPool::create(settings(6));
    const auto chunks = rentEach(*pool, 4);
    const auto stateOf = [&pool](const PoolChunk& chunk) {
        return pool->slotStates()[static_cast<std::size_t>(chunk.slot)];
    };
    const auto countOf = [&pool](SlotState state) {
        const auto states = pool->slotStates();
        return static_cast<int>(std::count(states.begin(), states.end(), state));
    };
    QCOMPARE(countOf(SlotState::Rented), 4);
    QCOMPARE(countOf(SlotState::Empty), 2);

    QVERIFY(pool->giveBack({&chunks[1], 1}));
    QVERIFY(pool->giveBack({&chunks[3], 1}));
    QCOMPARE(stateOf(chunks[0]), SlotState::Rented);
    QCOMPARE(stateOf(chunks[1]), SlotState::Retained);
    QCOMPARE(stateOf(chunks[2]), SlotState::Rented);
    QCOMPARE(stateOf(chunks[3]), SlotState::Retained);
    QCOMPARE(countOf(SlotState::Empty), 2);

    const auto again = pool->rent();  // the most recently returned
    QVERIFY(again.has_value());
    QCOMPARE(again->slot, chunks[3].slot);
    QCOMPARE(stateOf(chunks[3]), SlotState::Rented);
    QCOMPARE(stateOf(chunks[1]), SlotState::Retained);

    QCOMPARE(pool->release(), std::size_t{1});
    QCOMPARE(stateOf(chunks[1]), SlotState::Empty);
    QCOMPARE(countOf(SlotState::Rented), 3);
    QCOMPARE(countOf(SlotState::Empty), 3);

    QVERIFY(pool->giveBack({&chunks[0], 1}));
    QVERIFY(pool->giveBack({&chunks[2], 1}));
    QVERIFY(pool->giveBack({&*again, 1}));
    QCOMPARE(countOf(SlotState::Retained), 3);
    QCOMPARE(countOf(SlotState::Rented), 0);
    QCOMPARE(pool->stats().retained, 3);
}

QTEST_GUILESS_MAIN(UniformChunkPoolTest)
#include "UniformChunkPoolTest.moc"
