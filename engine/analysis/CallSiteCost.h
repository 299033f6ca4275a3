#pragma once

#include <cstdint>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// What the allocations made at one call site (one stack) cost: every analysis of a recording
// reads its figures from these.
struct CallSiteCost {
    StackId stackId = 0;
    std::uint64_t allocations = 0;
    std::uint64_t bytes = 0;
    // Freed before the thread that made them made or freed anything else (heaptrack's rule).
    std::uint64_t temporaryAllocations = 0;
    std::uint64_t temporaryBytes = 0;
    // Still live at the recording's end.
    std::uint64_t leakedAllocations = 0;
    std::uint64_t leakedBytes = 0;
    // Held at the moment the recording held the most.
    std::uint64_t peakAllocations = 0;
    std::uint64_t peakBytes = 0;

    // Adds another site's figures (the stack id stays).
    CallSiteCost& operator+=(const CallSiteCost& other) {
        allocations += other.allocations;
        bytes += other.bytes;
        temporaryAllocations += other.temporaryAllocations;
        temporaryBytes += other.temporaryBytes;
        leakedAllocations += other.leakedAllocations;
        leakedBytes += other.leakedBytes;
        peakAllocations += other.peakAllocations;
        peakBytes += other.peakBytes;
        return *this;
    }

    friend bool operator==(const CallSiteCost&, const CallSiteCost&) = default;
};

}  // namespace poolscope
