#include "base/MemoryTier.h"

namespace poolscope {

const char* memoryTierName(MemoryTier tier) {
    switch (tier) {
        case MemoryTier::Small:
            return "small";
        case MemoryTier::Pooled:
            return "pooled";
        case MemoryTier::Unpooled:
            return "unpooled";
        case MemoryTier::Heap:
            return "heap";
        case MemoryTier::Managed:
            return "managed";
        case MemoryTier::NativeHeap:
            return "native heap";
        case MemoryTier::Mapped:
            return "mapped";
        case MemoryTier::Descriptor:
            return "descriptor";
    }
    return "unknown";
}

}  // namespace poolscope
