#pragma once

#include <optional>
#include <string>

#include "gc/GcHeapSnapshot.h"
#include "gc/GcHeapState.h"
#include "gc/RetentionPath.h"

namespace poolscope {

// Describes the heap for people: a snapshot of all of it, and why one object is alive.
// Runs under the GcHeap's lock and changes nothing.
class GcHeapInspector {
public:
    explicit GcHeapInspector(GcHeapState& state) : state_(state) {}

    GcHeapSnapshot snapshot() const;
    // Shortest path to `target` from any root, or from the root named rootName. Weak handles
    // are not roots. None when unreachable.
    std::optional<RetentionPath> retentionPath(GcObjectHeader* target,
                                               const std::optional<std::string>& rootName) const;

private:
    GcHeapState& state_;
};

}  // namespace poolscope
