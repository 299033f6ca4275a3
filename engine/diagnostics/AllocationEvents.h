#pragma once

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// The allocation events of a recording's analyses, by what they do to an allocation's memory:
// hand it out (a pool chunk, a small buffer, unpooled or a launched program's memory) or take it
// back. The other kinds (trims, slots, the managed heap's collections) hold no allocation.
inline bool isAllocation(MemoryEventKind kind) {
    return kind == MemoryEventKind::Rent || kind == MemoryEventKind::UnpooledAllocate ||
           kind == MemoryEventKind::SmallRent;
}

inline bool isFree(MemoryEventKind kind) {
    return kind == MemoryEventKind::Return || kind == MemoryEventKind::UnpooledFree ||
           kind == MemoryEventKind::SmallReturn;
}

}  // namespace poolscope
