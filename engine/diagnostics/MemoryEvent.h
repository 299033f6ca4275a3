#pragma once

#include <cstdint>

#include "base/MemoryTier.h"

namespace poolscope {

// Owned by the layers above, which give their numbers meaning; an event only carries them.
enum class PixelTypeId : std::uint8_t;  // imaging/PixelTypeId.h
enum class GcReason : std::uint8_t;     // gc/GcReason.h

using AllocationId = std::uint64_t;
using StackId = std::uint32_t;  // 0: no stack was captured

enum class MemoryEventKind : std::uint8_t {
    Rent,              // a pool chunk handed out; one event per chunk of a group
    Return,            // a pool chunk back in the pool, retained for reuse
    UnpooledAllocate,  // exact-size memory from the OS or the heap; one event per chunk
    UnpooledFree,      // that memory given back
    SmallRent,         // a buffer from the small-buffer pool
    SmallReturn,
    SlotCreated,      // the pool mapped memory for an empty slot
    ChunkFreed,       // a retained pool chunk went back to the OS (trim, release, pool gone)
    Trim,             // a trim pass; value = chunks freed, value2 = chunks still retained
    ReleaseRetained,  // releaseRetainedResources(); value = chunks freed
    LimitRefused,     // a request over a limit; bytes = request, value = limit
    Undisposed,       // released by something other than its owner's dispose
    // The managed heap (engine/gc); sourceId 0, tier Managed. GcStart, GcEnd, GcWeakCleared and
    // GcObjectsMoved carry the collection's sequence number in allocationId and its generation
    // in chunkIndex (gcGeneration()); GcStart and GcEnd its reason in chunkCount (gcReason()).
    GcStart,             // bytes = heap bytes in use before
    GcEnd,               // bytes = freed, value = promoted bytes, value2 = pause in nanoseconds
    GcAllocationSample,  // one allocation every N bytes; bytes = its size, value = type id,
                         // value2 = bytes allocated since the last sample, allocationId = address
    GcFinalizerRun,      // allocationId = address, value = type id
    GcWeakCleared,       // value = handles cleared, value2 = 0 for short, 1 for long weak handles
    GcResurrection,      // an object whose finalizer ran survived; allocationId = address,
                         // value = type id
    GcObjectsMoved,      // value = objects moved by compaction, bytes = bytes moved
    // The imaging engine made an image buffer on this allocation: value = width, value2 =
    // height, chunkIndex = PixelTypeId, chunkCount = allocations of the buffer (an unpooled
    // group has one per chunk; each gets this event), bytes = the buffer's bytes.
    ImageBufferCreated,
};

const char* memoryEventKindName(MemoryEventKind kind);

// One allocator action. Allocation events (Rent, Return, UnpooledAllocate, UnpooledFree,
// SmallRent, SmallReturn) carry the tag id in value and the chunk's address in value2. Fixed-size
// and trivially copyable, so that the event queue never allocates on the producer's side.
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

    // The fields some kinds reuse, by what they mean there (see MemoryEventKind).
    // Allocation events:
    std::uint16_t tagId() const { return static_cast<std::uint16_t>(value); }
    std::uint64_t address() const { return value2; }
    // Trim and ReleaseRetained:
    std::uint64_t chunksFreed() const { return value; }
    std::uint64_t chunksStillRetained() const { return value2; }
    // LimitRefused:
    std::uint64_t limitBytes() const { return value; }
    // The managed heap's events:
    std::uint64_t gcSequence() const { return allocationId; }
    int gcGeneration() const { return static_cast<int>(chunkIndex); }
    GcReason gcReason() const { return static_cast<GcReason>(chunkCount); }
    std::uint64_t promotedBytes() const { return value; }
    std::uint64_t pauseNanoseconds() const { return value2; }
    std::uint64_t gcTypeId() const { return value; }
    std::uint64_t objectAddress() const { return allocationId; }
    std::uint64_t weakHandlesCleared() const { return value; }
    bool longWeakHandles() const { return value2 != 0; }
    // ImageBufferCreated:
    std::uint64_t imageWidth() const { return value; }
    std::uint64_t imageHeight() const { return value2; }
    PixelTypeId pixelType() const { return static_cast<PixelTypeId>(chunkIndex); }
    std::uint32_t imageAllocationCount() const { return chunkCount; }
};

}  // namespace poolscope
