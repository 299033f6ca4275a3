#include <QtTest>

#include <thread>
#include <vector>

#include "TestAllocators.h"
#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/LifetimeGuard.h"
#include "memory/MemoryAllocator.h"
#include "memory/OsMemory.h"

using namespace poolscope;
using poolscope::testing::tinySettings;

namespace {

// Counts how often its memory is released, so tests can see "exactly once".
class CountingGuard final : public LifetimeGuard {
public:
    explicit CountingGuard(int* releases)
        : LifetimeGuard(64, MemoryTier::Heap, 0), releases_(releases) {
        // As every final guard does once it is whole (see LifetimeGuard's constructor).
        AllocationRegistry::instance().add(this);
    }

protected:
    void releaseMemory() noexcept override { ++*releases_; }

private:
    int* releases_;
};

}  // namespace

class LifetimeGuardTest : public QObject {
    Q_OBJECT

private slots:
    void dispose_releasesOnce();
    void disposeThreeTimesWhilePinned_releasesOnceOnUnpin();
    void finalize_releasesOnce_andKeepsUndisposedCount();
    void addRef_preventsReleaseOnDispose();
    void addRef_preventsReleaseOnFinalize();
    void ownerDoubleDispose_isHarmless();
    void ownerAccessAfterDispose_raisesClearError();
    void pin_keepsPooledMemoryAliveAfterDispose();
    void pin_keepsUnpooledMemoryAliveUntilUnpinned();
    void pinMoved_unpinsOnce();
    void groupPin_keepsEveryChunkAlive();
    void groupAccessAfterDispose_raisesClearError();
    void movedFromOwner_isDisposedAndHarmless();
    void guardsMadeOnManyThreads_releasedOnAnother_leaveTheRegistryAndItsCount();
};

void LifetimeGuardTest::dispose_releasesOnce() {
    int releases = 0;
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    auto* guard = new CountingGuard(&releases);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    guard->dispose();
    QCOMPARE(releases, 1);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
}

void LifetimeGuardTest::disposeThreeTimesWhilePinned_releasesOnceOnUnpin() {
    int releases = 0;
    auto* guard = new CountingGuard(&releases);
    guard->addRef();
    guard->dispose();
    guard->dispose();
    guard->dispose();
    QCOMPARE(releases, 0);
    QVERIFY(guard->isDisposed());
    QCOMPARE(guard->referenceCount(), 1);
    guard->releaseRef();
    QCOMPARE(releases, 1);
}

void LifetimeGuardTest::finalize_releasesOnce_andKeepsUndisposedCount() {
    int releases = 0;
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    auto* guard = new CountingGuard(&releases);
    guard->finalize();
    QCOMPARE(releases, 1);
    // As in ImageSharp: memory released by a finalizer stays counted as undisposed.
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
}

void LifetimeGuardTest::addRef_preventsReleaseOnDispose() {
    int releases = 0;
    auto* guard = new CountingGuard(&releases);
    guard->addRef();
    guard->addRef();
    guard->dispose();
    guard->releaseRef();
    QCOMPARE(releases, 0);
    guard->releaseRef();
    QCOMPARE(releases, 1);
}

void LifetimeGuardTest::addRef_preventsReleaseOnFinalize() {
    int releases = 0;
    auto* guard = new CountingGuard(&releases);
    guard->addRef();
    guard->finalize();
    guard->dispose();  // after finalize: nothing more to drop
    QCOMPARE(releases, 0);
    guard->releaseRef();
    QCOMPARE(releases, 1);
}

void LifetimeGuardTest::ownerDoubleDispose_isHarmless() {
    auto allocator = MemoryAllocator::create();
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryOwner buffer = allocator->allocate(10'000, 1);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    buffer.dispose();
    buffer.dispose();
    buffer.dispose();
    QVERIFY(buffer.isDisposed());
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
}

void LifetimeGuardTest::ownerAccessAfterDispose_raisesClearError() {
    auto allocator = MemoryAllocator::create();
    MemoryOwner buffer = allocator->allocate(100, 4);
    buffer.dispose();
    try {
        (void)buffer.bytes();
        QFAIL("access after dispose was allowed");
    } catch (const InvalidMemoryOperation& error) {
        QCOMPARE(QString(error.what()), QString("Cannot access a disposed buffer."));
    }
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation, (void)buffer.pin());
}

void LifetimeGuardTest::pin_keepsPooledMemoryAliveAfterDispose() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    MemoryOwner buffer = allocator.allocate(1000, 1);
    std::byte* data = buffer.bytes().data();
    MemoryPin pin = buffer.pin();
    buffer.dispose();
    QCOMPARE(allocator.pool().stats().rented, 1);  // still out: the pin holds it
    data[999] = std::byte{3};                      // and it is still ours to write
    pin.unpin();
    QCOMPARE(allocator.pool().stats().rented, 0);
    QCOMPARE(allocator.pool().stats().retained, 1);
}

void LifetimeGuardTest::pin_keepsUnpooledMemoryAliveUntilUnpinned() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    const std::int64_t before = OsMemory::outstandingMappings();
    MemoryOwner buffer = allocator->allocate(2 * 1024 * 1024, 1);
    MemoryPin first = buffer.pin();
    MemoryPin second = buffer.pin();
    buffer.dispose();
    first.unpin();
    QCOMPARE(OsMemory::outstandingMappings() - before, 1);
    second.unpin();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void LifetimeGuardTest::pinMoved_unpinsOnce() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    const std::int64_t before = OsMemory::outstandingMappings();
    MemoryOwner buffer = allocator->allocate(2 * 1024 * 1024, 1);
    MemoryPin pin = buffer.pin();
    MemoryPin moved = std::move(pin);
    buffer.dispose();
    pin.unpin();  // moved-from: holds nothing
    QCOMPARE(OsMemory::outstandingMappings() - before, 1);
    moved.unpin();
    moved.unpin();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void LifetimeGuardTest::groupPin_keepsEveryChunkAlive() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    const std::int64_t before = OsMemory::outstandingMappings();
    MemoryGroup group = allocator->allocateGroup(80 * 1024 * 1024, 1, 1024);
    QCOMPARE(group.count(), 3);  // 32 + 32 + 16 MiB unpooled chunks
    MemoryPin pin = group.pin();
    group.dispose();
    QCOMPARE(OsMemory::outstandingMappings() - before, 3);
    pin.unpin();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void LifetimeGuardTest::groupAccessAfterDispose_raisesClearError() {
    auto allocator = MemoryAllocator::create();
    MemoryGroup group = allocator->allocateGroup(16 * 1024 * 1024, 1, 1024);
    group.dispose();
    QVERIFY(!group.isValid());
    try {
        (void)group.chunkBytes(0);
        QFAIL("access after dispose was allowed");
    } catch (const InvalidMemoryOperation& error) {
        QCOMPARE(QString(error.what()), QString("Cannot access a disposed MemoryGroup."));
    }
}

void LifetimeGuardTest::movedFromOwner_isDisposedAndHarmless() {
    auto allocator = MemoryAllocator::create();
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryOwner buffer = allocator->allocate(100, 1);
    MemoryOwner taken = std::move(buffer);
    QVERIFY(buffer.isDisposed());
    buffer.dispose();
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    taken.dispose();
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
}

void LifetimeGuardTest::guardsMadeOnManyThreads_releasedOnAnother_leaveTheRegistryAndItsCount() {
    // Guards made on other threads and released on this one: whatever list and count the
    // registry filed each under, the release must unlink it there and lower that same count.
    constexpr int kThreads = 4;
    constexpr int kGuardsPerThread = 8;
    int releases = 0;
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    const AllocationId mark = AllocationRegistry::instance().peekNextId();
    std::vector<std::vector<CountingGuard*>> made(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&made, &releases, t] {
            for (int i = 0; i < kGuardsPerThread; ++i) {
                made[static_cast<std::size_t>(t)].push_back(new CountingGuard(&releases));
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    const std::vector<AllocationInfo> listed = AllocationRegistry::instance().liveSince(mark);
    QCOMPARE(static_cast<int>(listed.size()), kThreads * kGuardsPerThread);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(),
             before + kThreads * kGuardsPerThread);
    for (std::size_t i = 1; i < listed.size(); ++i) {
        QVERIFY(listed[i - 1].id < listed[i].id);
    }
    // One guard of each thread is finalized (and stays counted), the others disposed.
    for (const std::vector<CountingGuard*>& guards : made) {
        guards.front()->finalize();
        for (std::size_t i = 1; i < guards.size(); ++i) {
            guards[i]->dispose();
        }
    }
    QCOMPARE(releases, kThreads * kGuardsPerThread);
    QVERIFY(AllocationRegistry::instance().liveSince(mark).empty());
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + kThreads);
}

QTEST_GUILESS_MAIN(LifetimeGuardTest)
#include "LifetimeGuardTest.moc"
