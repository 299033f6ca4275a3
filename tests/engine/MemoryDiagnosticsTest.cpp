#include <QtTest>

#include <sys/resource.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "TestAllocators.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackTable.h"
#include "diagnostics/Symbolizer.h"
#include "memory/MemoryAllocator.h"
#include "memory/SimpleHeapAllocator.h"

using namespace poolscope;

// Named allocation sites: the reports must name them.
__attribute__((noinline)) MemoryGroup leakyThumbnailCache(MemoryAllocator& allocator) {
    MemoryGroup group = allocator.allocateGroup(256 * 256, 4, 256);
    asm volatile("" ::: "memory");  // keep this frame out of tail-call optimisation
    return group;
}

// Several thumbnails from one call site, so from one stack: the loop count is opaque to the
// compiler, which therefore cannot unroll it into several call sites.
std::vector<MemoryGroup> cacheThumbnails(MemoryAllocator& allocator, int count) {
    std::vector<MemoryGroup> cache;
    volatile int calls = count;
    for (int i = 0; i < calls; ++i) {
        cache.push_back(leakyThumbnailCache(allocator));
    }
    return cache;
}

__attribute__((noinline)) MemoryOwner forgottenScratchBuffer(MemoryAllocator& allocator) {
    MemoryOwner buffer = allocator.allocate(3 * 1024 * 1024, 1);
    asm volatile("" ::: "memory");
    return buffer;
}

__attribute__((noinline)) MemoryOwner bufferReleasedOnAnotherThread(MemoryAllocator& allocator) {
    MemoryOwner buffer = allocator.allocate(1024 * 1024, 1);
    asm volatile("" ::: "memory");
    return buffer;
}

__attribute__((noinline)) MemoryOwner allocationSiteForReport(MemoryAllocator& allocator,
                                                              std::int64_t bytes) {
    MemoryOwner buffer = allocator.allocate(bytes, 1);
    asm volatile("" ::: "memory");
    return buffer;
}

__attribute__((noinline)) StackId captureHere() {
    StackId id = captureStack();
    asm volatile("" ::: "memory");
    return id;
}

class MemoryDiagnosticsTest : public QObject {
    Q_OBJECT

private slots:
    void perfectCleanup_countReturnsToStart_andNoLeakIsReported_data();
    void perfectCleanup_countReturnsToStart_andNoLeakIsReported();
    void unpooledGroup_countsEachChunk();
    void missingDispose_leakCheckpointNamesTheAllocatingFunction();
    void abandonedOwner_notifiesWithStack_andStaysCounted();
    void undisposedNotification_namesNoStackOnTheReleasingThread();
    void leakReport_startsAtTheCaller_forEveryTier_data();
    void leakReport_startsAtTheCaller_forEveryTier();
    void stacks_areCapturedOnlyWhileSomeoneAsks();
    void leakCheckpoint_groupsByStack_largestFirst();
    void leakCheckpoint_ignoresAllocationsBeforeTheMark();
    void tags_nameAllocationsMadeInTheirScope();
    void stackTable_deduplicatesIdenticalStacks();
    void stackTable_firstStackTouchesOnlyThePagesItFills();
    void symbolizer_namesFunctionFileAndLine_andCaches();
    void liveAllocations_reportPoolSlots();
};

void MemoryDiagnosticsTest::perfectCleanup_countReturnsToStart_andNoLeakIsReported_data() {
    QTest::addColumn<qint64>("bytes");
    for (qint64 bytes : {1024LL, 64LL * 1024, 1024LL * 1024, 2LL * 1024 * 1024, 16LL * 1024 * 1024,
                         64LL * 1024 * 1024}) {
        QTest::addRow("%lld bytes", bytes) << bytes;
    }
}

void MemoryDiagnosticsTest::perfectCleanup_countReturnsToStart_andNoLeakIsReported() {
    QFETCH(qint64, bytes);
    std::atomic<int> notifications{0};
    auto subscription = MemoryDiagnostics::subscribeUndisposed(
        [&](const UndisposedAllocation&) { ++notifications; });
    auto allocator = MemoryAllocator::create();
    const auto start = MemoryDiagnostics::totalUndisposedAllocationCount();
    std::vector<MemoryOwner> buffers;
    for (int i = 0; i < 5; ++i) {
        buffers.push_back(allocator->allocate(bytes, 1));
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start + i + 1);
    }
    for (int i = 0; i < 5; ++i) {
        buffers[static_cast<std::size_t>(i)].dispose();
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start + 4 - i);
    }
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start);
    QCOMPARE(notifications.load(), 0);
}

void MemoryDiagnosticsTest::unpooledGroup_countsEachChunk() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    const auto start = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryGroup group = allocator->allocateGroup(96 * 1024 * 1024, 1, 1024);
    QCOMPARE(group.count(), 3);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start + 3);
    auto pooledAllocator = MemoryAllocator::create();
    MemoryGroup pooled = pooledAllocator->allocateGroup(16 * 1024 * 1024, 1, 1024);
    QCOMPARE(pooled.count(), 4);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start + 4);  // one per group
    group.dispose();
    pooled.dispose();
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start);
}

void MemoryDiagnosticsTest::missingDispose_leakCheckpointNamesTheAllocatingFunction() {
    auto capture = MemoryDiagnostics::enableStackCapture();
    auto allocator = MemoryAllocator::create();
    const LeakMark mark = MemoryDiagnostics::mark();
    std::vector<MemoryGroup> cache = cacheThumbnails(*allocator, 3);
    const std::vector<LeakGroup> leaks = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(leaks.size(), std::size_t{1});
    QCOMPARE(leaks[0].count, 3);
    QCOMPARE(leaks[0].bytes, 3u * 256 * 256 * 4);
    const QString stack = QString::fromStdString(MemoryDiagnostics::formatStack(leaks[0].stackId));
    QVERIFY2(stack.contains("leakyThumbnailCache"), qPrintable(stack));
    // The allocator's own frames are left out at the top of the report.
    QVERIFY2(stack.startsWith("  at leakyThumbnailCache"), qPrintable(stack));
}

void MemoryDiagnosticsTest::abandonedOwner_notifiesWithStack_andStaysCounted() {
    std::mutex mutex;
    std::vector<UndisposedAllocation> reports;
    auto subscription =
        MemoryDiagnostics::subscribeUndisposed([&](const UndisposedAllocation& report) {
            std::lock_guard lock(mutex);
            reports.push_back(report);
        });
    auto allocator = MemoryAllocator::create();
    const auto start = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryOwner buffer = forgottenScratchBuffer(*allocator);
    const AllocationId id = buffer.allocationId();
    buffer.abandonToFinalizer();
    QCOMPARE(reports.size(), std::size_t{1});
    QCOMPARE(reports[0].allocation.id, id);
    QCOMPARE(reports[0].allocation.bytes, 3u * 1024 * 1024);
    const std::string stackTrace = MemoryDiagnostics::formatStack(reports[0].allocation.stackId);
    QVERIFY2(QString::fromStdString(stackTrace).contains("forgottenScratchBuffer"),
             stackTrace.c_str());
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), start + 1);
    // The memory itself went back to the pool: a finalizer cleans up, it does not leak.
    auto* pooled = dynamic_cast<PooledMemoryAllocator*>(allocator.get());
    QCOMPARE(pooled->pool().stats().rented, 0);
}

void MemoryDiagnosticsTest::undisposedNotification_namesNoStackOnTheReleasingThread() {
    std::mutex mutex;
    std::vector<UndisposedAllocation> reports;
    auto subscription =
        MemoryDiagnostics::subscribeUndisposed([&](const UndisposedAllocation& report) {
            std::lock_guard lock(mutex);
            reports.push_back(report);
        });
    auto allocator = MemoryAllocator::create();
    MemoryOwner buffer = bufferReleasedOnAnotherThread(*allocator);
    const std::size_t namedBefore = Symbolizer::instance().cachedAddressCount();
    std::thread([&buffer] { buffer.abandonToFinalizer(); }).join();
    // Nothing was looked up while the memory was let go: the stack travels as its id.
    QCOMPARE(Symbolizer::instance().cachedAddressCount(), namedBefore);
    QCOMPARE(reports.size(), std::size_t{1});
    QVERIFY(reports[0].allocation.stackId != 0);
    const std::string stack = MemoryDiagnostics::formatStack(reports[0].allocation.stackId);
    QVERIFY2(stack.find("bufferReleasedOnAnotherThread") != std::string::npos, stack.c_str());
    QVERIFY(Symbolizer::instance().cachedAddressCount() > namedBefore);
}

void MemoryDiagnosticsTest::leakReport_startsAtTheCaller_forEveryTier_data() {
    QTest::addColumn<QString>("allocatorKind");
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<int>("tier");
    QTest::newRow("small") << "pooled" << 100LL << static_cast<int>(MemoryTier::Small);
    QTest::newRow("pooled") << "pooled" << 3LL * 1024 * 1024
                            << static_cast<int>(MemoryTier::Pooled);
    QTest::newRow("unpooled") << "no-pool" << 3LL * 1024 * 1024
                              << static_cast<int>(MemoryTier::Unpooled);
    QTest::newRow("heap") << "heap" << 4096LL << static_cast<int>(MemoryTier::Heap);
}

void MemoryDiagnosticsTest::leakReport_startsAtTheCaller_forEveryTier() {
    QFETCH(QString, allocatorKind);
    QFETCH(qint64, bytes);
    QFETCH(int, tier);
    std::shared_ptr<MemoryAllocator> allocator;
    if (allocatorKind == "heap") {
        allocator = std::make_shared<SimpleHeapAllocator>();
    } else {
        allocator = MemoryAllocator::create(
            {.maximumPoolSizeMegabytes = allocatorKind == "no-pool" ? 0 : 64});
    }
    auto capture = MemoryDiagnostics::enableStackCapture();
    const LeakMark mark = MemoryDiagnostics::mark();
    MemoryOwner leaked = allocationSiteForReport(*allocator, bytes);
    QCOMPARE(static_cast<int>(leaked.tier()), tier);
    const auto leaks = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(leaks.size(), std::size_t{1});
    const std::string stack = MemoryDiagnostics::formatStack(leaks[0].stackId);
    QVERIFY2(QString::fromStdString(stack).startsWith("  at allocationSiteForReport"),
             stack.c_str());
}

void MemoryDiagnosticsTest::stacks_areCapturedOnlyWhileSomeoneAsks() {
    auto allocator = MemoryAllocator::create();
    QVERIFY(!MemoryDiagnostics::stackCaptureActive());
    const LeakMark mark = MemoryDiagnostics::mark();
    MemoryOwner withoutCapture = allocator->allocate(100, 1);
    MemoryOwner withCapture;
    {
        auto capture = MemoryDiagnostics::enableStackCapture();
        QVERIFY(MemoryDiagnostics::stackCaptureActive());
        withCapture = allocator->allocate(100, 1);
    }
    QVERIFY(!MemoryDiagnostics::stackCaptureActive());
    const auto live = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(live.size(), std::size_t{2});
    std::vector<StackId> stacks;
    for (const LeakGroup& group : live) {
        stacks.push_back(group.stackId);
    }
    QVERIFY(std::count(stacks.begin(), stacks.end(), StackId{0}) == 1);
}

void MemoryDiagnosticsTest::leakCheckpoint_groupsByStack_largestFirst() {
    auto capture = MemoryDiagnostics::enableStackCapture();
    auto allocator = MemoryAllocator::create();
    const LeakMark mark = MemoryDiagnostics::mark();
    std::vector<MemoryGroup> thumbnails = cacheThumbnails(*allocator, 2);
    MemoryOwner scratch = forgottenScratchBuffer(*allocator);
    const auto leaks = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(leaks.size(), std::size_t{2});
    QCOMPARE(leaks[0].bytes, 3u * 1024 * 1024);
    QCOMPARE(leaks[0].count, 1);
    QCOMPARE(leaks[1].count, 2);
    QVERIFY(QString::fromStdString(MemoryDiagnostics::formatStack(leaks[0].stackId))
                .contains("forgottenScratchBuffer"));
}

void MemoryDiagnosticsTest::leakCheckpoint_ignoresAllocationsBeforeTheMark() {
    auto allocator = MemoryAllocator::create();
    MemoryOwner before = allocator->allocate(100, 1);
    const LeakMark mark = MemoryDiagnostics::mark();
    QVERIFY(MemoryDiagnostics::leakCheckpoint(mark).empty());
    MemoryOwner after = allocator->allocate(100, 1);
    const auto leaks = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(leaks.size(), std::size_t{1});
    QCOMPARE(leaks[0].allocations.front().id, after.allocationId());
    after.dispose();
    QVERIFY(MemoryDiagnostics::leakCheckpoint(mark).empty());
}

void MemoryDiagnosticsTest::tags_nameAllocationsMadeInTheirScope() {
    auto allocator = MemoryAllocator::create();
    const LeakMark mark = MemoryDiagnostics::mark();
    MemoryOwner untagged = allocator->allocate(64, 1);
    MemoryOwner tagged;
    {
        AllocationTagScope scope("decode");
        tagged = allocator->allocate(64, 1);
    }
    const auto live = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(live.size(), std::size_t{1});  // same stack: no capture, both stack 0
    const auto& allocations = live[0].allocations;
    QCOMPARE(allocations.size(), std::size_t{2});
    QCOMPARE(MemoryDiagnostics::tagName(allocations[0].tagId), std::string());
    QCOMPARE(MemoryDiagnostics::tagName(allocations[1].tagId), std::string("decode"));
    QCOMPARE(MemoryDiagnostics::internTag("decode"), allocations[1].tagId);
}

void MemoryDiagnosticsTest::stackTable_deduplicatesIdenticalStacks() {
    std::vector<StackId> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(captureHere());
    }
    QVERIFY(ids[0] != 0);
    QCOMPARE(ids[1], ids[0]);
    QCOMPARE(ids[2], ids[0]);
    const StackId elsewhere = captureStack();
    QVERIFY(elsewhere != ids[0]);
    const std::uintptr_t frames[] = {1, 2, 3};
    StackTable table;
    const StackId a = table.intern(frames, 3);
    QCOMPARE(table.intern(frames, 3), a);
    QCOMPARE(table.intern(frames, 2) != a, true);
    QCOMPARE(table.frames(a), (std::vector<std::uintptr_t>{1, 2, 3}));
    QCOMPARE(table.size(), std::size_t{2});
    QVERIFY(table.frames(0).empty());
}

void MemoryDiagnosticsTest::stackTable_firstStackTouchesOnlyThePagesItFills() {
    // A table's storage comes in blocks of thousands of stacks (a megabyte); the allocation
    // that brings the first stack, on a program's thread, must not clear the whole block.
    const auto faults = [] {
        rusage usage{};
        getrusage(RUSAGE_THREAD, &usage);
        return usage.ru_minflt;
    };
    StackTable table;
    const std::uintptr_t frames[StackTable::kMaxFrames] = {0x1000, 0x2000, 0x3000};
    const long before = faults();
    const StackId first = table.intern(frames, 3);
    const StackId second = table.intern(frames, 2);
    const long touched = faults() - before;
    QVERIFY2(touched < 32,
             qPrintable(QStringLiteral("%1 page faults for two stacks").arg(touched)));
    QCOMPARE(table.frames(first), (std::vector<std::uintptr_t>{0x1000, 0x2000, 0x3000}));
    QCOMPARE(table.frames(second), (std::vector<std::uintptr_t>{0x1000, 0x2000}));
    QVERIFY(table.frames(second + 1).empty());
}

void MemoryDiagnosticsTest::symbolizer_namesFunctionFileAndLine_andCaches() {
    const auto frames = StackTable::instance().frames(captureHere());
    QVERIFY(frames.size() >= 2);
    Symbolizer symbolizer;
    const Frame top = symbolizer.symbolize(frames[0]).back();
    QVERIFY2(QString::fromStdString(top.function).contains("captureHere"), top.function.c_str());
    QVERIFY2(QString::fromStdString(top.file).endsWith("MemoryDiagnosticsTest.cpp"),
             top.file.c_str());
    QVERIFY(top.line > 0);
    QVERIFY(QString::fromStdString(top.module).contains("MemoryDiagnosticsTest"));
    QCOMPARE(symbolizer.cachedAddressCount(), std::size_t{1});
    (void)symbolizer.symbolize(frames[0]);
    QCOMPARE(symbolizer.cachedAddressCount(), std::size_t{1});
    QCOMPARE(QString::fromStdString(demangle("_ZN9poolscope10StackTable8instanceEv")),
             QString("poolscope::StackTable::instance()"));
}

void MemoryDiagnosticsTest::liveAllocations_reportPoolSlots() {
    auto allocator = MemoryAllocator::create();
    const LeakMark mark = MemoryDiagnostics::mark();
    MemoryGroup group = allocator->allocateGroup(12 * 1024 * 1024, 1, 1024);
    const auto live = MemoryDiagnostics::leakCheckpoint(mark);
    QCOMPARE(live.size(), std::size_t{1});
    const AllocationInfo& info = live[0].allocations.front();
    QCOMPARE(info.tier, MemoryTier::Pooled);
    QCOMPARE(info.chunkSlots.size(), std::size_t{3});
    QCOMPARE(info.sourceId, allocator->sourceId());
    QVERIFY(info.threadId != 0);
}

QTEST_GUILESS_MAIN(MemoryDiagnosticsTest)
#include "MemoryDiagnosticsTest.moc"
