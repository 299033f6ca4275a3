#include "imaging/ParallelRowIterator.h"

#include <algorithm>
#include <atomic>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace poolscope {

void ParallelRowIterator::forEachRowRange(const Configuration& configuration, int rowCount,
                                          std::int64_t pixelsPerRow,
                                          const std::function<void(int, int)>& body) {
    configuration.validate();
    if (rowCount <= 0) {
        return;
    }
    const std::int64_t rowsPerTask =
        std::max<std::int64_t>(1, kMinimumPixelsPerTask / std::max<std::int64_t>(pixelsPerRow, 1));
    // More threads than the machine has would only queue behind each other (and oneTBB warns).
    const int threads =
        std::min(configuration.maxDegreeOfParallelism, tbb::this_task_arena::max_concurrency());
    if (threads == 1 || rowCount <= rowsPerTask) {
        body(0, rowCount);
        return;
    }
    // oneTBB orders the tasks after the caller's setup and the caller's return after the tasks,
    // but inside libtbb, which ThreadSanitizer does not see. These release/acquire pairs state
    // the same order in instrumented code: `started` orders the caller before every task,
    // `finished` (a chain of read-modify-writes) every task before the caller's return. Tasks
    // never acquire what other tasks release, so a race between two row ranges still reports.
    std::atomic<bool> started{false};
    std::atomic<int> finished{0};
    started.store(true, std::memory_order_release);
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(
            tbb::blocked_range<int>(0, rowCount, static_cast<std::size_t>(rowsPerTask)),
            [&](const tbb::blocked_range<int>& range) {
                static_cast<void>(started.load(std::memory_order_acquire));
                body(range.begin(), range.end());
                finished.fetch_add(1, std::memory_order_release);
            });
    });
    static_cast<void>(finished.load(std::memory_order_acquire));
}

}  // namespace poolscope
