#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

#include "TestAllocators.h"
#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/GuardStorage.h"
#include "memory/LifetimeGuard.h"
#include "memory/MemoryGroup.h"
#include "memory/PooledMemoryAllocator.h"

using namespace poolscope;
using poolscope::testing::tinySettings;

namespace {

// Counts how often its memory is released.
class CountingGuard final : public LifetimeGuard {
public:
    CountingGuard(int* releases, std::uint64_t bytes)
        : LifetimeGuard(bytes, MemoryTier::Heap, 0), releases_(releases) {
        AllocationRegistry::instance().add(this);  // whole now (see LifetimeGuard)
    }

protected:
    void releaseMemory() noexcept override { ++*releases_; }

private:
    int* releases_;
};

// Takes every block the calling thread has cached, so that a test starts from an empty cache
// whatever ran before it on this thread, and gives them back when the test ends.
class EmptiedCache {
public:
    EmptiedCache() {
        while (GuardStorage::cachedOnThisThread() > 0) {
            taken_.push_back(GuardStorage::allocate(GuardStorage::kBlockBytes));
        }
    }
    ~EmptiedCache() {
        for (void* block : taken_) {
            GuardStorage::free(block, GuardStorage::kBlockBytes);
        }
    }
    EmptiedCache(const EmptiedCache&) = delete;
    EmptiedCache& operator=(const EmptiedCache&) = delete;

private:
    std::vector<void*> taken_;
};

}  // namespace

class GuardStorageTest : public QObject {
    Q_OBJECT

private slots:
    void guardAfterAFinalizedGuard_getsItsBlock_andNoneOfItsState();
    void rentAfterAnAbandonedRent_isCountedAndReleasedAsItsOwnAllocation();
    void freedBlocks_areKeptUpToTheCacheSize_andTheRestGoToTheHeap();
    void blockLargerThanTheCachedSize_bypassesTheCache();
    void blockFreedOnAnotherThread_goesToThatThreadsCache();
};

void GuardStorageTest::guardAfterAFinalizedGuard_getsItsBlock_andNoneOfItsState() {
    const EmptiedCache emptied;
    int releases = 0;
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    const AllocationId mark = AllocationRegistry::instance().peekNextId();
    auto* first = new CountingGuard(&releases, 100);
    first->addRef();
    first->finalize();
    first->releaseRef();  // released: disposed, finalized, no reference left
    const void* firstBlock = first;
    QCOMPARE(releases, 1);
    QCOMPARE(GuardStorage::cachedOnThisThread(), 1);

    auto* second = new CountingGuard(&releases, 200);
    QCOMPARE(static_cast<const void*>(second), firstBlock);  // the recycled block
    QCOMPARE(GuardStorage::cachedOnThisThread(), 0);
    QVERIFY(!second->isDisposed());
    QCOMPARE(second->referenceCount(), 1);
    const std::vector<AllocationInfo> live = AllocationRegistry::instance().liveSince(mark);
    QCOMPARE(live.size(), std::size_t{1});
    QCOMPARE(live.front().id, second->id());
    QCOMPARE(live.front().bytes, std::uint64_t{200});
    // The first was finalized: had the second inherited that, its dispose would leave it counted.
    second->dispose();
    QCOMPARE(releases, 2);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    QVERIFY(AllocationRegistry::instance().liveSince(mark).empty());
}

void GuardStorageTest::rentAfterAnAbandonedRent_isCountedAndReleasedAsItsOwnAllocation() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    std::vector<UndisposedAllocation> reported;
    const auto subscription = MemoryDiagnostics::subscribeUndisposed(
        [&reported](const UndisposedAllocation& allocation) { reported.push_back(allocation); });
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();

    MemoryGroup abandoned = allocator.allocateGroup(1000, 1, 100);
    const AllocationId abandonedId = abandoned.allocationIds().front();
    abandoned.abandonToFinalizer();
    QCOMPARE(reported.size(), std::size_t{1});
    QCOMPARE(reported.front().allocation.id, abandonedId);

    MemoryGroup next = allocator.allocateGroup(600, 1, 100);
    const AllocationId nextId = next.allocationIds().front();
    QVERIFY(nextId != abandonedId);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 2);
    const std::vector<AllocationInfo> live = AllocationRegistry::instance().liveSince(nextId);
    QCOMPARE(live.size(), std::size_t{1});
    QCOMPARE(live.front().bytes, std::uint64_t{600});
    QCOMPARE(live.front().chunkSlots.size(), std::size_t{1});
    next.dispose();
    QCOMPARE(reported.size(), std::size_t{1});  // disposed by its owner: no notification
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    QCOMPARE(allocator.pool().stats().rented, 0);
}

void GuardStorageTest::freedBlocks_areKeptUpToTheCacheSize_andTheRestGoToTheHeap() {
    const EmptiedCache emptied;
    std::vector<void*> blocks;
    for (int i = 0; i < GuardStorage::kCachedBlocks + 5; ++i) {
        blocks.push_back(GuardStorage::allocate(GuardStorage::kBlockBytes));
    }
    for (void* block : blocks) {
        GuardStorage::free(block, GuardStorage::kBlockBytes);
    }
    QCOMPARE(GuardStorage::cachedOnThisThread(), GuardStorage::kCachedBlocks);
    // Handed out last freed first: the blocks most likely still in the cache.
    void* again = GuardStorage::allocate(GuardStorage::kBlockBytes);
    QCOMPARE(again, blocks[GuardStorage::kCachedBlocks - 1]);
    GuardStorage::free(again, GuardStorage::kBlockBytes);
}

void GuardStorageTest::blockLargerThanTheCachedSize_bypassesTheCache() {
    const EmptiedCache emptied;
    void* large = GuardStorage::allocate(GuardStorage::kBlockBytes + 1);
    GuardStorage::free(large, GuardStorage::kBlockBytes + 1);
    QCOMPARE(GuardStorage::cachedOnThisThread(), 0);
}

void GuardStorageTest::blockFreedOnAnotherThread_goesToThatThreadsCache() {
    const EmptiedCache emptied;
    void* block = GuardStorage::allocate(GuardStorage::kBlockBytes);
    int cachedThere = -1;
    std::thread([&] {
        GuardStorage::free(block, GuardStorage::kBlockBytes);
        cachedThere = GuardStorage::cachedOnThisThread();
    }).join();  // the thread's exit gives its cached block back to the heap
    QCOMPARE(cachedThere, 1);
    QCOMPARE(GuardStorage::cachedOnThisThread(), 0);
}

QTEST_GUILESS_MAIN(GuardStorageTest)
#include "GuardStorageTest.moc"
