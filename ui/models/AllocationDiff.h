#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "session/SessionSnapshot.h"

namespace poolscope {

// What happened between two snapshots' allocation tables, A before B: the allocations B holds
// that A did not (made in between and still live), with their bytes, and how many of A's
// were gone by B.
class AllocationDiff {
public:
    AllocationDiff(const AllocationTable& before, const AllocationTable& after);

    // A table of its own, with the new allocations' chunks, timed as `after`.
    const std::shared_ptr<const AllocationTable>& newAllocations() const { return new_; }
    std::uint64_t newBytes() const { return newBytes_; }
    std::size_t freedCount() const { return freedCount_; }

private:
    std::shared_ptr<const AllocationTable> new_;
    std::uint64_t newBytes_ = 0;
    std::size_t freedCount_ = 0;
};

}  // namespace poolscope
