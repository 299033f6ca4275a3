#pragma once

#include <cstdint>

namespace poolscope {

// The kinds of slots in the handle table. Frame locals and strong handles keep their object
// alive; a pinned handle also keeps it where it is; weak handles do not keep it alive and are
// cleared when it dies: a short one before finalization, a long one only after (so a long weak
// handle follows an object its finalizer resurrects).
enum class GcHandleKind : std::uint8_t {
    FrameLocal,
    Strong,
    Pinned,
    WeakShort,
    WeakLong,
    FinalizerSelf,  // the object a finalizer is running for
};

const char* gcHandleKindName(GcHandleKind kind);

}  // namespace poolscope
