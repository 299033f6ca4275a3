#pragma once

#include <cstdint>

#include "memory/MemoryTier.h"

namespace poolscope {

using AllocationId = std::uint64_t;
using StackId = std::uint32_t;  // 0: no stack was captured

enum class MemoryEventKind : std::uint8_t {
    Rent,              // a pool chunk handed out; one event per chunk of a group
    Return,            // a pool chunk back in the pool, retained for reuse
    UnpooledAllocate,  // exact-size memory from the OS or the heap; one event per chunk
    UnpooledFree,      // that memory given back
    SmallRent,         // a buffer from the small-buffer pool
    SmallReturn,
    SlotCreated,       // the pool mapped memory for an empty slot
    ChunkFreed,        // a retained pool chunk went back to the OS (trim, release, pool gone)
    Trim,              // a trim pass; value = chunks freed, value2 = chunks still retained
    ReleaseRetained,   // releaseRetainedResources(); value = chunks freed
    LimitRefused,      // a request over a limit; bytes = request, value = limit
    Undisposed,        // released by something other than its owner's dispose
};

const char* memoryEventKindName(MemoryEventKind kind);

// One allocator action. Fixed-size and trivially copyable, so that the event queue never
// allocates on the producer's side.
struct MemoryEvent {
    std::int64_t timeNanoseconds = 0;
    AllocationId allocationId = 0;
    std::uint64_t bytes = 0;
    std::uint64_t value = 0;
    std::uint64_t value2 = 0;
    StackId stackId = 0;
    std::uint32_t threadId = 0;
    std::int32_t slot = -1;  // pool chunk slot, -1 when the memory is not a pool chunk
    std::uint32_t chunkIndex = 0;
    std::uint32_t chunkCount = 0;
    std::uint16_t sourceId = 0;  // the allocator that acted
    MemoryEventKind kind = MemoryEventKind::Rent;
    MemoryTier tier = MemoryTier::Pooled;
};

}  // namespace poolscope
