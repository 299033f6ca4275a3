#include "gc/GcHandleKind.h"

namespace poolscope {

const char* gcHandleKindName(GcHandleKind kind) {
    switch (kind) {
        case GcHandleKind::FrameLocal:
            return "frame local";
        case GcHandleKind::Strong:
            return "strong handle";
        case GcHandleKind::Pinned:
            return "pinned handle";
        case GcHandleKind::WeakShort:
            return "short weak handle";
        case GcHandleKind::WeakLong:
            return "long weak handle";
        case GcHandleKind::FinalizerSelf:
            return "finalizer";
    }
    return "unknown";
}

}  // namespace poolscope
