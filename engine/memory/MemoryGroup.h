#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/MemoryTier.h"
#include "diagnostics/MemoryEvent.h"
#include "memory/InlineVector.h"
#include "memory/MemoryPin.h"

namespace poolscope {

class LifetimeGuard;

// A buffer made of chunks: equal chunks of bufferLength elements and a shorter last one
// (ImageSharp's MemoryGroup<T>). An owned group holds one guard for a pooled group, or one per
// chunk for an unpooled group. Move-only; destruction disposes; access after dispose raises
// InvalidMemoryOperation.
class MemoryGroup {
public:
    struct Chunk {
        std::byte* data = nullptr;
        std::int64_t length = 0;  // elements
    };
    // A group is most often one chunk with one guard; those are kept without heap allocations.
    using ChunkList = InlineVector<Chunk, 1>;
    using GuardList = InlineVector<LifetimeGuard*, 1>;

    MemoryGroup() = default;
    MemoryGroup(ChunkList chunks, GuardList guards, std::int64_t bufferLength,
                std::int64_t totalLength, std::size_t elementSize, MemoryTier tier);
    // One chunk of `totalLength` elements with its one guard, built in place: the most common
    // group, made on every warm rent of a buffer that fits a pool chunk.
    MemoryGroup(Chunk chunk, LifetimeGuard* guard, std::int64_t totalLength,
                std::size_t elementSize, MemoryTier tier)
        : chunks_(chunk),
          guards_(guard),
          bufferLength_(totalLength),
          totalLength_(totalLength),
          elementSize_(elementSize),
          tier_(tier) {}
    MemoryGroup(MemoryGroup&& other) noexcept;
    MemoryGroup& operator=(MemoryGroup&& other) noexcept;
    MemoryGroup(const MemoryGroup&) = delete;
    MemoryGroup& operator=(const MemoryGroup&) = delete;
    ~MemoryGroup() { dispose(); }

    void dispose();
    // Lets every chunk go without the owner's dispose, as a finalizer would.
    void abandonToFinalizer();
    bool isValid() const { return !disposed_; }

    int count() const { return static_cast<int>(chunks_.size()); }
    std::int64_t bufferLength() const { return bufferLength_; }
    std::int64_t totalLength() const { return totalLength_; }
    std::size_t elementSize() const { return elementSize_; }
    MemoryTier tier() const { return tier_; }

    std::span<std::byte> chunkBytes(int index) const;
    template <class T>
    std::span<T> chunk(int index) const {
        const std::span<std::byte> raw = chunkBytes(index);
        return {reinterpret_cast<T*>(raw.data()), raw.size() / sizeof(T)};
    }

    MemoryPin pin() const;
    std::vector<AllocationId> allocationIds() const;

private:
    void throwIfDisposed() const;

    ChunkList chunks_;
    GuardList guards_;
    std::int64_t bufferLength_ = 0;
    std::int64_t totalLength_ = 0;
    std::size_t elementSize_ = 1;
    MemoryTier tier_ = MemoryTier::Pooled;
    bool disposed_ = false;
};

}  // namespace poolscope
