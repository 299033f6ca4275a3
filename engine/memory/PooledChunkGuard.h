#pragma once

#include <memory>
#include <vector>

#include "memory/LifetimeGuard.h"
#include "memory/UniformChunkPool.h"

namespace poolscope {

// Owns chunks rented from a UniformChunkPool: one for a single buffer, all of a pooled group.
// On release the chunks go back to the pool, or to the OS when the pool refuses them.
class PooledChunkGuard final : public LifetimeGuard {
public:
    // `exposedBytes` is what the owner sees: the group's total, or a single buffer's length.
    PooledChunkGuard(std::shared_ptr<UniformChunkPool> pool, std::vector<PoolChunk> chunks,
                     std::uint64_t exposedBytes, std::uint16_t sourceId);

    const std::vector<PoolChunk>& chunks() const { return chunks_; }
    // Reports the rent of every chunk; `chunkBytes(i)` gives the exposed size of chunk i.
    template <class ChunkBytes>
    void publishRent(ChunkBytes chunkBytes) const {
        const auto count = static_cast<std::uint32_t>(chunks_.size());
        for (std::uint32_t i = 0; i < count; ++i) {
            publish(MemoryEventKind::Rent, chunkBytes(i), chunks_[i].slot, i, count,
                    chunks_[i].data);
        }
    }

protected:
    void collectSlots(std::vector<std::int32_t>& chunkSlots) const override;
    void releaseMemory() noexcept override;

private:
    std::shared_ptr<UniformChunkPool> pool_;
    std::vector<PoolChunk> chunks_;
};

}  // namespace poolscope
