#pragma once

#include <cstdint>
#include <memory>

#include "session/SessionState.h"

// A hand-made snapshot of a tiny pool's image buffers, shared by the layout's tests.
namespace poolscope::testing {

constexpr std::uint16_t kSource = 5;
constexpr std::uint64_t kChunk = 4u * 1024 * 1024;

inline MemoryEvent allocationEvent(MemoryEventKind kind, AllocationId id, std::int32_t slot,
                                   std::uint64_t bytes, std::uint32_t chunkIndex,
                                   std::uint32_t chunkCount, std::uint64_t address) {
    MemoryEvent event;
    event.kind = kind;
    event.sourceId = kSource;
    event.allocationId = id;
    event.slot = slot;
    event.bytes = bytes;
    event.chunkIndex = chunkIndex;
    event.chunkCount = chunkCount;
    event.value2 = address;
    event.tier =
        kind == MemoryEventKind::UnpooledAllocate ? MemoryTier::Unpooled : MemoryTier::Pooled;
    return event;
}

inline MemoryEvent imageCreated(AllocationId id, int width, int height, PixelTypeId type,
                                std::uint32_t allocations) {
    MemoryEvent event;
    event.kind = MemoryEventKind::ImageBufferCreated;
    event.sourceId = kSource;
    event.allocationId = id;
    event.value = static_cast<std::uint64_t>(width);
    event.value2 = static_cast<std::uint64_t>(height);
    event.chunkIndex = static_cast<std::uint32_t>(type);
    event.chunkCount = allocations;
    return event;
}

// What a tiny pool would make, by the allocator's rules:
//  #10 a 4000x600 Rgba32 image as a pooled group: rows of 16,000 B, 262 rows per 4 MiB chunk,
//      so chunks of 262, 262 and 76 rows;
//  #11 a 4000x200 Rgba32 image in one chunk (contiguous);
//  #12 a plain two-chunk group, no image;
//  #20, #21 an 8192x1500 Rgba32 image as an unpooled group: one allocation per 32 MiB chunk
//      (1024 rows, then 476 rows).
inline std::shared_ptr<const SessionSnapshot> tinyPoolSnapshot() {
    SessionState state({}, 0);
    state.followPool(kSource, 8, kChunk);
    const std::uint64_t fullChunk = 262u * 16'000u;
    state.apply(allocationEvent(MemoryEventKind::Rent, 10, 0, fullChunk, 0, 3, 0x10000000));
    state.apply(allocationEvent(MemoryEventKind::Rent, 10, 1, fullChunk, 1, 3, 0x10400000));
    state.apply(allocationEvent(MemoryEventKind::Rent, 10, 2, 76u * 16'000u, 2, 3, 0x10800000));
    state.apply(imageCreated(10, 4000, 600, PixelTypeId::Rgba32, 1));
    state.apply(allocationEvent(MemoryEventKind::Rent, 11, 3, 200u * 16'000u, 0, 1, 0x10c00000));
    state.apply(imageCreated(11, 4000, 200, PixelTypeId::Rgba32, 1));
    state.apply(allocationEvent(MemoryEventKind::Rent, 12, 4, kChunk, 0, 2, 0x11000000));
    state.apply(allocationEvent(MemoryEventKind::Rent, 12, 5, kChunk, 1, 2, 0x11400000));
    state.apply(allocationEvent(MemoryEventKind::UnpooledAllocate, 20, -1, 1024u * 32768u, 0, 2,
                                0x20000000));
    state.apply(allocationEvent(MemoryEventKind::UnpooledAllocate, 21, -1, 476u * 32768u, 1, 2,
                                0x30000000));
    state.apply(imageCreated(20, 8192, 1500, PixelTypeId::Rgba32, 2));
    state.apply(imageCreated(21, 8192, 1500, PixelTypeId::Rgba32, 2));
    return state.takeSnapshot(1'000'000);
}

}  // namespace poolscope::testing
