#include "memory/PooledChunkGuard.h"

namespace poolscope {

PooledChunkGuard::PooledChunkGuard(std::shared_ptr<UniformChunkPool> pool,
                                   std::vector<PoolChunk> chunks, std::uint64_t exposedBytes,
                                   std::uint16_t sourceId)
    : LifetimeGuard(exposedBytes, MemoryTier::Pooled, sourceId),
      pool_(std::move(pool)),
      chunks_(std::move(chunks)) {}

void PooledChunkGuard::collectSlots(std::vector<std::int32_t>& chunkSlots) const {
    for (const PoolChunk& chunk : chunks_) {
        chunkSlots.push_back(chunk.slot);
    }
}

void PooledChunkGuard::releaseMemory() noexcept {
    const auto count = static_cast<std::uint32_t>(chunks_.size());
    if (pool_->giveBack(chunks_)) {
        for (std::uint32_t i = 0; i < count; ++i) {
            publish(MemoryEventKind::Return, pool_->chunkBytes(), chunks_[i].slot, i, count,
                    chunks_[i].data);
        }
        return;
    }
    for (const PoolChunk& chunk : chunks_) {
        UniformChunkPool::freeChunk(chunk, pool_->chunkBytes(), sourceId());
    }
}

}  // namespace poolscope
