#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
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
    // The most held since the last resume point (or the start), its held then included
    // (AllocationAnalyzer::State::heldMostSincePoint); unknown in a summary stored without it.
    std::optional<std::uint64_t> heldMostSinceLastPoint;

    // The allocation of `allocationId` live at the end, or nullptr.
    const LeftLive* leftLiveOf(AllocationId allocationId) const {
        return byId(leftLive, &LeftLive::allocationId, allocationId);
    }
    // The sequence of the thread's last allocation or free; 0 for a thread with none.
    std::int64_t lastSequenceOf(std::uint32_t threadId) const {
        const ThreadEnd* end = byId(threads, &ThreadEnd::threadId, threadId);
        return end != nullptr ? end->lastSequence : 0;
    }

    friend bool operator==(const AllocationEnds&, const AllocationEnds&) = default;

private:
    // The entry of `list` (sorted by `key`) whose key is `id`, or nullptr.
    template <typename Entry, typename Id>
    static const Entry* byId(const std::vector<Entry>& list, Id Entry::*key, Id id) {
        const auto found =
            std::lower_bound(list.begin(), list.end(), id,
                             [key](const Entry& entry, Id wanted) { return entry.*key < wanted; });
        return found != list.end() && (*found).*key == id ? &*found : nullptr;
    }
};

}  // namespace poolscope
