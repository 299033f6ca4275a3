#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"

namespace poolscope {

// The call sites' costs as a tree of frames: bottom-up (the frames that allocated, under each
// its callers) or top-down (the outermost frames, under each its callees), so that a person can
// walk from a function to its callers and callees. A node's cost is that of every stack
// through it; children come most bytes first, then by name.
struct CallTree {
    std::string frame;  // StackNames::label(); empty for the root
    CallSiteCost cost;  // stackId unused
    std::vector<CallTree> children;
    // The node's number in a walk of its tree from the root (0), each node before its
    // children, the children in their order: a view keeps what it knows of each node in
    // arrays by this number instead of maps by the node's address. bottomUp and topDown number
    // their trees; a tree made otherwise is numbered by numberNodes() once it is whole.
    std::uint32_t order = 0;

    static CallTree bottomUp(const AllocationAnalysis& analysis, StackNames& names);
    static CallTree topDown(const AllocationAnalysis& analysis, StackNames& names);

    // Sets `order` of this node (0) and of every node below it.
    void numberNodes();
};

}  // namespace poolscope
