#pragma once

#include <cstdint>

namespace poolscope {

// Where a buffer came from. The first three are the tiers of the default allocator; Heap is the
// SimpleHeapAllocator baseline, which gets new memory for every request; Managed is a byte array
// on the managed heap (GcPixelAllocator), which comes back only when a collection finds it dead.
// The last three are not the engine's at all but a launched program's.
enum class MemoryTier : std::uint8_t {
    Small,     // <= 1 MiB, from the small-buffer pool
    Pooled,    // 4 MiB chunks from the uniform chunk pool
    Unpooled,  // exact-size OS memory, freed on release
    Heap,      // SimpleHeapAllocator
    Managed,   // GcPixelAllocator
    // What a launched program holds (engine/preload), tracked outside any pool:
    NativeHeap,  // malloc, new and their kin
    Mapped,      // mmap'ed memory
    Descriptor,  // an open file descriptor; bytes are 0, the count is what matters
};

inline constexpr MemoryTier kLastMemoryTier = MemoryTier::Descriptor;

const char* memoryTierName(MemoryTier tier);

}  // namespace poolscope
