#include "memory/PooledChunkGuard.h"

#include <utility>

#include "diagnostics/AllocationRegistry.h"

namespace poolscope {

PooledChunkGuard::PooledChunkGuard(UniformChunkPool& pool, ChunkList chunks,
                                   std::uint64_t exposedBytes, std::uint16_t sourceId)
    : LifetimeGuard(exposedBytes, MemoryTier::Pooled, sourceId),
      pool_(&pool),
      chunkBytes_(pool.chunkBytes()),
      chunks_(std::move(chunks)) {
    AllocationRegistry::instance().add(this);  // complete now (see LifetimeGuard)
}

PooledChunkGuard::PooledChunkGuard(UniformChunkPool& pool, const PoolChunk& chunk,
                                   std::uint64_t exposedBytes, std::uint16_t sourceId)
    : LifetimeGuard(exposedBytes, MemoryTier::Pooled, sourceId),
      pool_(&pool),
      chunkBytes_(pool.chunkBytes()),
      chunks_(chunk) {
    AllocationRegistry::instance().add(this);  // complete now (see LifetimeGuard)
}

void PooledChunkGuard::collectSlots(std::vector<std::int32_t>& chunkSlots) const {
    for (const PoolChunk& chunk : chunks_) {
        chunkSlots.push_back(chunk.slot);
    }
}

void PooledChunkGuard::releaseMemory() noexcept {
    const auto count = static_cast<std::uint32_t>(chunks_.size());
    if (pool_->giveBack(chunks_)) {
        for (std::uint32_t i = 0; i < count; ++i) {
            publish(MemoryEventKind::Return, chunkBytes_, chunks_[i].slot, i, count,
                    chunks_[i].data);
        }
        return;
    }
    for (const PoolChunk& chunk : chunks_) {
        UniformChunkPool::freeChunk(chunk, chunkBytes_, sourceId());
    }
}

}  // namespace poolscope
