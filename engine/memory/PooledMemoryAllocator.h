#pragma once

#include <memory>

#include "memory/MemoryAllocator.h"
#include "memory/SmallBufferPool.h"
#include "memory/UniformChunkPool.h"

namespace poolscope {

// The default allocator (ImageSharp's UniformUnmanagedMemoryPoolMemoryAllocator), in three
// tiers: small buffers from a small-buffer pool; buffers and groups that fit the pool from
// uniform 4 MiB chunks; everything else unpooled at exact size, in group chunks of up to 32 MiB.
class PooledMemoryAllocator final : public MemoryAllocator {
public:
    struct Settings {
        std::int64_t smallBufferThresholdBytes = 1024 * 1024;
        std::int64_t poolChunkBytes = 4 * 1024 * 1024;
        // Below zero: the machine's default (SystemMemory::defaultMaximumPoolSizeBytes).
        std::int64_t maximumPoolSizeBytes = -1;
        std::int64_t unpooledChunkBytes = 32 * 1024 * 1024;
        int smallBuffersPerSizeClass = 32;
        TrimPolicy trimPolicy;
        Clock* clock = &SteadyClock::instance();
        MemoryLoadSource* loadSource = &ProcMeminfoLoadSource::instance();
        bool registerForTrimming = true;
        // Publishes its events and is listed in the PoolDirectory. A model of a pool (the
        // what-if replay) is neither, so that it never shows as a pool of the process it runs
        // in (a live run's, a recording's writer's).
        bool observed = true;
    };

    PooledMemoryAllocator();
    explicit PooledMemoryAllocator(const Settings& settings);
    // The pool outlives the allocator while rented chunks remain; they are freed when they
    // come back, since the pool is shut down now.
    ~PooledMemoryAllocator() override;

    std::int64_t bufferCapacityInBytes() const override { return settings_.poolChunkBytes; }
    void releaseRetainedResources() override;
    std::string name() const override { return "pooled"; }

    const Settings& settings() const { return settings_; }
    UniformChunkPool& pool() const { return *pool_; }
    SmallBufferPool& smallBuffers() const { return *small_; }

protected:
    MemoryOwner allocateCore(std::int64_t length, std::size_t elementSize, std::uint64_t bytes,
                             AllocationOptions options) override;
    MemoryGroup allocateGroupCore(std::int64_t totalLength, std::size_t elementSize,
                                  std::uint64_t bytes, std::int64_t alignment,
                                  AllocationOptions options) override;

private:
    struct GuardedBuffer {
        LifetimeGuard* guard = nullptr;
        std::byte* data = nullptr;
    };
    GuardedBuffer rentSmall(std::uint64_t bytes, AllocationOptions options);
    // One pool chunk exposing `bytes`, or nothing when the pool is exhausted.
    GuardedBuffer tryRentChunk(std::uint64_t bytes, AllocationOptions options);

    Settings settings_;
    std::shared_ptr<UniformChunkPool> pool_;
    std::shared_ptr<SmallBufferPool> small_;
};

}  // namespace poolscope
