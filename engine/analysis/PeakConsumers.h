#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"

namespace poolscope {

// Who held the memory at the moment of the peak: the stacks, and the innermost frames of the
// program (the allocator's own left out) that those stacks share, most bytes first.
struct PeakConsumers {
    struct Stack {
        StackId stackId = 0;
        std::uint64_t bytes = 0;
        std::uint64_t allocations = 0;
    };
    struct Site {
        std::string frame;  // StackNames::label() of the innermost frame
        std::uint64_t bytes = 0;
        std::uint64_t allocations = 0;
    };

    std::uint64_t peakBytes = 0;
    std::int64_t peakNanoseconds = 0;
    std::vector<Stack> stacks;
    std::vector<Site> frames;

    static PeakConsumers of(const AllocationAnalysis& analysis, StackNames& names);
};

}  // namespace poolscope
