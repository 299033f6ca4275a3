#pragma once

#include <cstddef>

#include "gc/GcObjectHeader.h"
#include "gc/GcSmallObjectHeap.h"

namespace poolscope {

// What one collection condemns: the small objects from `start` up, and the LOH when the
// generation is 2. Fixed for the whole collection, even after the compaction moved the
// generation boundaries.
struct GcCondemnedRange {
    const GcSmallObjectHeap* smallObjects = nullptr;
    std::byte* start = nullptr;
    int generation = 0;

    bool contains(const GcObjectHeader* object) const {
        if (smallObjects->contains(object)) {
            return reinterpret_cast<const std::byte*>(object) >= start;
        }
        return generation == 2;
    }
    // Where a compaction moves the object: its forwarding address when it is a condemned small
    // object, which only the compaction's plan step may have set, else the object itself.
    GcObjectHeader* forwarded(GcObjectHeader* object) const {
        if (object != nullptr && smallObjects->contains(object) && contains(object)) {
            return reinterpret_cast<GcObjectHeader*>(object->forwardingAddress);
        }
        return object;
    }
};

}  // namespace poolscope
