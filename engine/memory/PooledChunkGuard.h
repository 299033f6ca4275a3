#pragma once

#include <span>

#include "memory/InlineVector.h"
#include "memory/LifetimeGuard.h"
#include "memory/UniformChunkPool.h"

namespace poolscope {

// Owns chunks rented from a UniformChunkPool: one for a single buffer, all of a pooled group.
// On release the chunks go back to the pool, or to the OS when the pool refuses them.
// The pool is held by a plain pointer: rented chunks keep it alive (UniformChunkPool::shutDown).
class PooledChunkGuard final : public LifetimeGuard {
public:
    // A single buffer, and most groups, are one chunk: no heap allocation for the list.
    using ChunkList = InlineVector<PoolChunk, 1>;

    // `exposedBytes` is what the owner sees: the group's total, or a single buffer's length.
    // The list comes in built, so that nothing can throw once the guard is registered.
    PooledChunkGuard(UniformChunkPool& pool, ChunkList chunks, std::uint64_t exposedBytes,
                     std::uint16_t sourceId);
    // A single buffer, or a group of one chunk: the most common rent.
    PooledChunkGuard(UniformChunkPool& pool, const PoolChunk& chunk, std::uint64_t exposedBytes,
                     std::uint16_t sourceId);

    std::span<const PoolChunk> chunks() const { return chunks_; }
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
    UniformChunkPool* pool_;
    // The pool's, kept here because the pool may be gone once it has its chunks back.
    std::size_t chunkBytes_;
    ChunkList chunks_;
};

}  // namespace poolscope
