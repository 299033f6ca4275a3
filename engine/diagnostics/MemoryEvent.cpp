#include "diagnostics/MemoryEvent.h"

namespace poolscope {

const char* memoryEventKindName(MemoryEventKind kind) {
    switch (kind) {
        case MemoryEventKind::Rent:
            return "rent";
        case MemoryEventKind::Return:
            return "return";
        case MemoryEventKind::UnpooledAllocate:
            return "unpooled-allocate";
        case MemoryEventKind::UnpooledFree:
            return "unpooled-free";
        case MemoryEventKind::SmallRent:
            return "small-rent";
        case MemoryEventKind::SmallReturn:
            return "small-return";
        case MemoryEventKind::SlotCreated:
            return "slot-created";
        case MemoryEventKind::ChunkFreed:
            return "chunk-freed";
        case MemoryEventKind::Trim:
            return "trim";
        case MemoryEventKind::ReleaseRetained:
            return "release-retained";
        case MemoryEventKind::LimitRefused:
            return "limit-refused";
        case MemoryEventKind::Undisposed:
            return "undisposed";
        case MemoryEventKind::GcStart:
            return "gc-start";
        case MemoryEventKind::GcEnd:
            return "gc-end";
        case MemoryEventKind::GcAllocationSample:
            return "gc-allocation-sample";
        case MemoryEventKind::GcFinalizerRun:
            return "gc-finalizer-run";
        case MemoryEventKind::GcWeakCleared:
            return "gc-weak-cleared";
        case MemoryEventKind::GcResurrection:
            return "gc-resurrection";
        case MemoryEventKind::GcObjectsMoved:
            return "gc-objects-moved";
        case MemoryEventKind::ImageBufferCreated:
            return "image-buffer-created";
    }
    return "unknown";
}

}  // namespace poolscope
