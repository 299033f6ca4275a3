#pragma once

#include <cstdint>
#include <limits>

namespace poolscope {

// The part of a recording an analysis looks at: the allocations made from `from` to `to`
// (event times, both included), followed to their frees whenever those come, as the window's
// time range selects the leak table's rows by when they were made. The whole recording by
// default.
struct AnalysisRange {
    std::int64_t fromNanoseconds = std::numeric_limits<std::int64_t>::min();
    std::int64_t toNanoseconds = std::numeric_limits<std::int64_t>::max();

    bool contains(std::int64_t timeNanoseconds) const {
        return timeNanoseconds >= fromNanoseconds && timeNanoseconds <= toNanoseconds;
    }
};

}  // namespace poolscope
