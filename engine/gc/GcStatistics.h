#pragma once

#include <cstdint>

#include "gc/GcReason.h"

namespace poolscope {

// Totals since the heap was made, and the outcome of the latest collection.
struct GcStatistics {
    std::uint64_t collections[3] = {0, 0, 0};  // by condemned generation
    std::uint64_t allocatedBytes = 0;
    std::uint64_t allocatedObjects = 0;
    std::uint64_t finalizersRun = 0;
    std::uint64_t bytesInUse = 0;  // small object heap up to the bump pointer + LOH
    std::uint64_t generationBytes[4] = {0, 0, 0, 0};  // gen 0, 1, 2, LOH
    int lastGeneration = -1;
    GcReason lastReason = GcReason::Induced;
    std::uint64_t lastPromotedBytes = 0;
    std::uint64_t lastFreedBytes = 0;
    std::uint64_t lastMovedObjects = 0;
    std::int64_t lastPauseNanoseconds = 0;
};

}  // namespace poolscope
