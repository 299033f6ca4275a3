#pragma once

#include <cstdint>
#include <vector>

#include "gc/GcCondemnedRange.h"
#include "gc/GcHeapState.h"
#include "gc/GcObjectHeader.h"

namespace poolscope {

// Where the survivors of a collection go, decided before anything moves.
struct CompactionPlan {
    // Space below a pinned survivor that sliding cannot reach; later survivors of the same
    // band are placed into it from `fill` up.
    struct Gap {
        std::byte* fill;  // the next free byte
        std::byte* end;
    };

    // Marked small survivors in address order, each with its forwarding address set.
    std::vector<GcObjectHeader*> survivors;
    std::vector<Gap> gaps;
    std::byte* newGen1Start = nullptr;
    std::byte* newTop = nullptr;
    std::uint64_t promotedBytes = 0;  // survivors that change generation
    std::uint64_t freedBytes = 0;     // dead small objects
};

// What a compaction did.
struct CompactionResult {
    // Every survivor at its new address: the small ones in address order, then the LOH's.
    std::vector<GcObjectHeader*> survivors;
    std::uint64_t promotedBytes = 0;
    std::uint64_t freedBytes = 0;  // small objects and, with generation 2, the LOH's
    std::uint64_t movedObjects = 0;
    std::uint64_t movedBytes = 0;
    // Each moved object's old and new address, in address order.
    std::vector<GcObjectMove> moves;
};

// The compaction of a marked heap: plan where each condemned survivor goes, fix up every
// reference to it, move it there, and sweep the LOH with generation 2. Survivors leave marked
// and pinned flags cleared.
class GcCompactor {
public:
    GcCompactor(GcHeapState& state, const GcCondemnedRange& condemned);

    CompactionResult compact();

private:
    CompactionPlan plan();
    // Rewrites references into the condemned range while the old headers, which hold the
    // forwarding addresses, are still in place.
    void fixUp(const CompactionPlan& plan);
    CompactionResult move(const CompactionPlan& plan);
    void sweepLargeObjects(CompactionResult& result);

    GcHeapState& state_;
    const GcCondemnedRange condemned_;
};

}  // namespace poolscope
