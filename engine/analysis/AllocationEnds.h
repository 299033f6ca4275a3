#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// What a whole recording's allocations come to at its end, which a time range's analysis
// would otherwise read every later event for: which allocations are still live at the end
// (and what they hold then), where each thread's last allocation or free is, and whether any
// allocation was given more chunks after its thread had done something else. With these, the
// analysis of a range that ends early stops reading soon after the range's end
// (AllocationAnalyzer::pass). Worked out by the recording's writer (AnalysisSummarizer).
struct AllocationEnds {
    // An allocation live at the recording's end.
    struct LeftLive {
        AllocationId allocationId = 0;
        std::int64_t firstSequence = 0;  // its first event's
        std::uint64_t heldBytes = 0;

        friend bool operator==(const LeftLive&, const LeftLive&) = default;
    };
    struct ThreadEnd {
        std::uint32_t threadId = 0;
        std::int64_t lastSequence = 0;  // of its last allocation or free

        friend bool operator==(const ThreadEnd&, const ThreadEnd&) = default;
    };

    // Rents of an allocation already live that did not follow its thread's rent of it: when
    // there are any, a later event can grow an allocation of a range, and a range's analysis
    // reads to the end.
    std::uint64_t lateRents = 0;
    std::vector<LeftLive> leftLive;  // by allocation id
    std::vector<ThreadEnd> threads;  // by thread id

    // The allocation of `allocationId` live at the end, or nullptr.
    const LeftLive* leftLiveOf(AllocationId allocationId) const {
        const auto found = std::lower_bound(
            leftLive.begin(), leftLive.end(), allocationId,
            [](const LeftLive& live, AllocationId id) { return live.allocationId < id; });
        return found != leftLive.end() && found->allocationId == allocationId ? &*found : nullptr;
    }
    // The sequence of the thread's last allocation or free; 0 for a thread with none.
    std::int64_t lastSequenceOf(std::uint32_t threadId) const {
        const auto found = std::lower_bound(
            threads.begin(), threads.end(), threadId,
            [](const ThreadEnd& end, std::uint32_t id) { return end.threadId < id; });
        return found != threads.end() && found->threadId == threadId ? found->lastSequence : 0;
    }

    friend bool operator==(const AllocationEnds&, const AllocationEnds&) = default;
};

}  // namespace poolscope
