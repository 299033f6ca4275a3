#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "memory/PooledMemoryAllocator.h"

namespace poolscope::testing {

// A pooled allocator with tiny tiers, so that tests see every tier with little memory:
// small buffers up to smallBytes, pool chunks of chunkBytes, `capacity` of them, unpooled
// group chunks of unpooledChunkBytes. Not served by the shared trim thread.
inline PooledMemoryAllocator::Settings tinySettings(std::int64_t smallBytes,
                                                    std::int64_t chunkBytes, int capacity,
                                                    std::int64_t unpooledChunkBytes) {
    PooledMemoryAllocator::Settings settings;
    settings.smallBufferThresholdBytes = smallBytes;
    settings.poolChunkBytes = chunkBytes;
    settings.maximumPoolSizeBytes = chunkBytes * capacity;
    settings.unpooledChunkBytes = unpooledChunkBytes;
    settings.registerForTrimming = false;
    return settings;
}

inline void fill(std::span<std::byte> bytes, std::uint8_t value) {
    for (std::byte& b : bytes) {
        b = std::byte{value};
    }
}

inline bool allEqual(std::span<const std::byte> bytes, std::uint8_t value) {
    for (std::byte b : bytes) {
        if (b != std::byte{value}) {
            return false;
        }
    }
    return true;
}

}  // namespace poolscope::testing
