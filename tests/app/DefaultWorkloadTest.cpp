#include <QtTest>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SimpleHeapAllocator.h"
#include "scenarios/DefaultWorkload.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<PooledMemoryAllocator> pooledAllocator(std::int64_t poolMegabytes) {
    MemoryAllocatorOptions options;
    options.maximumPoolSizeMegabytes = poolMegabytes;
    return std::static_pointer_cast<PooledMemoryAllocator>(MemoryAllocator::create(options));
}

WorkloadOptions iterations(int count) {
    WorkloadOptions options;
    options.iterations = count;
    return options;
}

}  // namespace

class DefaultWorkloadTest : public QObject {
    Q_OBJECT

private slots:
    void workload_runsEveryIterationAndDisposesEverythingItAllocated() {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        const auto allocator = pooledAllocator(256);
        DefaultWorkload workload(allocator, iterations(24));

        const WorkloadSummary summary = workload.run();

        QCOMPARE(summary.iterationsPlanned, 24);
        QCOMPARE(summary.iterationsCompleted, 24);
        QVERIFY(!summary.cancelled);
        QCOMPARE(summary.groupAllocations, 24);
        QCOMPARE(summary.contiguousAllocations, 6);  // every fourth iteration
        QCOMPARE(summary.smallAllocations, 2 * 24);  // a row buffer and a histogram per image
        QVERIFY(summary.bytesAllocated > 24ull * 640 * 480 * 4);
        QCOMPARE(summary.leakedAllocations, 0);
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
        QCOMPARE(allocator->pool().stats().rented, 0);
    }

    void largePhotos_overflowASmallPoolIntoUnpooledMemory() {
        const auto allocator = pooledAllocator(64);  // 16 chunks; a 48 MP photo needs 46
        DefaultWorkload workload(allocator, iterations(48));

        const WorkloadSummary summary = workload.run();

        QVERIFY(summary.unpooledAllocations > 0);
        QVERIFY(summary.peakRentedChunks > 0);
        QVERIFY(summary.peakRentedChunks <= allocator->pool().capacity());
    }

    void workload_keepsSeveralImagesAliveSoTheDefaultPoolFillsUp() {
        const auto allocator = pooledAllocator(256);
        DefaultWorkload workload(allocator, WorkloadOptions{});

        const WorkloadSummary summary = workload.run();

        // Several images at once need more chunks than any single image does (46 at most).
        QVERIFY2(summary.peakRentedChunks > 46,
                 qPrintable(QString::number(summary.peakRentedChunks)));
        QVERIFY(summary.peakRentedChunks <= allocator->pool().capacity());
    }

    void sameSeed_makesTheSameRequests() {
        WorkloadOptions options = iterations(32);
        options.seed = 7;
        DefaultWorkload first(pooledAllocator(128), options);
        DefaultWorkload second(pooledAllocator(128), options);

        const WorkloadSummary a = first.run();
        const WorkloadSummary b = second.run();

        QCOMPARE(a.allocations, b.allocations);
        QCOMPARE(a.bytesAllocated, b.bytesAllocated);
        QCOMPARE(a.unpooledAllocations, b.unpooledAllocations);
        QCOMPARE(a.peakRentedChunks, b.peakRentedChunks);
    }

    void leak_keepsPreviewsLiveUnderTheLeakyCacheTagUntilTheWorkloadIsDestroyed() {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        WorkloadOptions options = iterations(48);
        options.leak = true;
        auto workload = std::make_unique<DefaultWorkload>(pooledAllocator(256), options);
        const LeakMark mark = MemoryDiagnostics::mark();

        const WorkloadSummary summary = workload->run();

        QCOMPARE(summary.leakedAllocations, 4);  // every twelfth iteration
        QCOMPARE(workload->leakyCacheSize(), std::size_t{4});
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount() - undisposedBefore, 4);
        const std::uint16_t leakyTag =
            MemoryDiagnostics::internTag(DefaultWorkload::kLeakyCacheTag);
        std::int64_t leakedCount = 0;
        std::uint64_t leakedBytes = 0;
        for (const LeakGroup& group : MemoryDiagnostics::leakCheckpoint(mark)) {
            leakedCount += group.count;
            leakedBytes += group.bytes;
            for (const AllocationInfo& allocation : group.allocations) {
                QCOMPARE(allocation.tagId, leakyTag);
            }
        }
        QCOMPARE(leakedCount, summary.leakedAllocations);
        QCOMPARE(leakedBytes, summary.leakedBytes);

        workload.reset();
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
        QVERIFY(MemoryDiagnostics::leakCheckpoint(mark).empty());
    }

    void workload_reportsProgressAfterEachIteration() {
        DefaultWorkload workload(pooledAllocator(128), iterations(5));
        std::vector<int> completed;

        workload.run({}, [&](const WorkloadProgress& progress) {
            QCOMPARE(progress.iterationsPlanned, 5);
            completed.push_back(progress.iterationsCompleted);
        });

        QCOMPARE(completed, (std::vector<int>{1, 2, 3, 4, 5}));
    }

    void stopRequest_endsTheRunAfterTheCurrentIteration() {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        DefaultWorkload workload(pooledAllocator(128), iterations(40));
        std::stop_source stop;

        const WorkloadSummary summary =
            workload.run(stop.get_token(), [&](const WorkloadProgress& progress) {
                if (progress.iterationsCompleted == 3) {
                    stop.request_stop();
                }
            });

        QVERIFY(summary.cancelled);
        QCOMPARE(summary.iterationsCompleted, 3);
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
    }

    void stopRequest_cutsThePauseBetweenIterationsShort() {
        WorkloadOptions options = iterations(3);
        options.iterationPause = 30s;
        DefaultWorkload workload(pooledAllocator(128), options);
        std::stop_source stop;
        std::jthread stopper([&stop] {
            std::this_thread::sleep_for(100ms);
            stop.request_stop();
        });
        QElapsedTimer clock;
        clock.start();

        const WorkloadSummary summary = workload.run(stop.get_token());

        QVERIFY2(clock.elapsed() < 10'000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(summary.cancelled);
        QCOMPARE(summary.iterationsCompleted, 1);
    }

    void workload_finishesTheDefaultIterationsInUnderTwoSeconds() {
        DefaultWorkload workload(pooledAllocator(256), WorkloadOptions{});

        const WorkloadSummary summary = workload.run();

        QCOMPARE(summary.iterationsCompleted, WorkloadOptions::kDefaultIterations);
        QVERIFY2(
            summary.elapsed < 2s,
            qPrintable(QString::number(std::chrono::duration<double>(summary.elapsed).count())));
    }

    void workload_runsOnAnAllocatorWithoutAChunkPool() {
        DefaultWorkload workload(std::make_shared<SimpleHeapAllocator>(), iterations(8));

        const WorkloadSummary summary = workload.run();

        QCOMPARE(summary.iterationsCompleted, 8);
        QCOMPARE(summary.peakRentedChunks, 0);
        QCOMPARE(summary.unpooledAllocations, 0);
        QCOMPARE(summary.smallAllocations, 0);
    }
};

QTEST_GUILESS_MAIN(DefaultWorkloadTest)
#include "DefaultWorkloadTest.moc"
