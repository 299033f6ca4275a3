#pragma once

#include <cstddef>

#include "memory/LifetimeGuard.h"

namespace poolscope {

// Owns one exact-size buffer and frees it on release: an OS mapping for the Unpooled tier, or
// heap memory for the SimpleHeapAllocator baseline (tier Heap). For an unpooled group every
// chunk has its own guard, so every chunk counts once in the diagnostics, as in ImageSharp.
class ExactSizeGuard final : public LifetimeGuard {
public:
    // Gets `bytes` of memory for `tier` (Unpooled or Heap) and guards it; throws
    // std::bad_alloc, having kept nothing, when that fails.
    static ExactSizeGuard* create(MemoryTier tier, std::size_t bytes, std::uint16_t sourceId,
                                  std::uint32_t chunkIndex = 0, std::uint32_t chunkCount = 1);
    std::byte* data() const { return data_; }

protected:
    void releaseMemory() noexcept override;

private:
    ExactSizeGuard(MemoryTier tier, std::byte* data, std::size_t bytes, std::uint16_t sourceId,
                   std::uint32_t chunkIndex, std::uint32_t chunkCount);
    static std::byte* obtain(MemoryTier tier, std::size_t bytes);
    static void free(MemoryTier tier, std::byte* data, std::size_t bytes) noexcept;

    std::byte* data_;
    std::uint32_t chunkIndex_;
    std::uint32_t chunkCount_;
};

}  // namespace poolscope
