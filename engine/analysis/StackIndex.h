#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "analysis/FlatIdMap.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Numbers the stack ids an analysis meets from 0, in the order it meets them, so that it keeps
// its call sites in a dense array. Stack ids are numbered from 1 as a recording interns its
// stacks: most are looked up in an array, which stays in cache where a hash map's entries
// would not; larger ones in a map.
class StackIndex {
public:
    // The index of `stackId`, and whether this made it (it is then the number of ids before).
    std::pair<std::uint32_t, bool> indexOf(StackId stackId) {
        if (stackId < kDirectStacks) {
            if (stackId >= direct_.size()) {
                direct_.resize(std::max<std::size_t>(stackId + 1, direct_.size() * 2), 0);
            }
            std::uint32_t& known = direct_[stackId];
            const bool added = known == 0;
            if (added) {
                known = count_++ + 1;
            }
            return {known - 1, added};
        }
        const auto [found, added] = others_.tryEmplace(stackId, count_);
        count_ += added ? 1 : 0;
        return {*found, added};
    }

    static constexpr std::uint32_t kNone = UINT32_MAX;
    // The index of `stackId` when the array holds it, else kNone (the array's 0, less one): for
    // a prefetch of what the index finds, which must not wait on a map's lookup.
    std::uint32_t peek(StackId stackId) const {
        return stackId < direct_.size() ? direct_[stackId] - 1 : kNone;
    }

    std::uint32_t size() const { return count_; }

private:
    static constexpr StackId kDirectStacks = 1u << 22;
    // The index plus one of each id below kDirectStacks (0: none yet).
    std::vector<std::uint32_t> direct_;
    FlatIdMap<std::uint32_t> others_;
    std::uint32_t count_ = 0;
};

}  // namespace poolscope
