#pragma once

#include <cstdint>
#include <functional>

#include "imaging/Configuration.h"

namespace poolscope {

// Runs row work on oneTBB, on at most configuration.maxDegreeOfParallelism threads (a
// tbb::task_arena of that size). The split into ranges never changes a result: every processor
// computes each output row from the input alone.
class ParallelRowIterator {
public:
    // Fewer pixels than this per task cost more in scheduling than they gain (ImageSharp's
    // MinimumPixelsProcessedPerTask).
    static constexpr std::int64_t kMinimumPixelsPerTask = 4096;

    // Calls body(firstRow, endRow) for disjoint ranges covering [0, rowCount). Exceptions from
    // the body propagate to the caller.
    static void forEachRowRange(const Configuration& configuration, int rowCount,
                                std::int64_t pixelsPerRow,
                                const std::function<void(int, int)>& body);
};

}  // namespace poolscope
