#include "memory/PooledMemoryAllocator.h"

#include <algorithm>
#include <cstring>

#include "diagnostics/PoolDirectory.h"
#include "memory/ExactSizeGuard.h"
#include "memory/GroupLayout.h"
#include "memory/PooledChunkGuard.h"
#include "memory/SmallBufferGuard.h"

namespace poolscope {

namespace {

void cleanIfAsked(AllocationOptions options, std::byte* data, std::uint64_t bytes) {
    if (hasFlag(options, AllocationOptions::Clean)) {
        std::memset(data, 0, static_cast<std::size_t>(bytes));
    }
}

PooledMemoryAllocator::Settings withDefaults(PooledMemoryAllocator::Settings settings) {
    if (settings.maximumPoolSizeBytes < 0) {
        settings.maximumPoolSizeBytes =
            static_cast<std::int64_t>(SystemMemory::defaultMaximumPoolSizeBytes());
    }
    return settings;
}

// The pool keeps a slot per chunk it may hold; a pool larger than the machine could never be
// filled, so a request beyond physical memory is held to what the machine has.
int poolCapacity(const PooledMemoryAllocator::Settings& settings) {
    std::int64_t chunks = settings.maximumPoolSizeBytes / settings.poolChunkBytes;
    if (const std::uint64_t physical = SystemMemory::physicalMemoryBytes(); physical > 0) {
        chunks = std::min(chunks, static_cast<std::int64_t>(physical) / settings.poolChunkBytes);
    }
    return static_cast<int>(std::min<std::int64_t>(chunks, INT32_MAX));
}

}  // namespace

PooledMemoryAllocator::PooledMemoryAllocator() : PooledMemoryAllocator(Settings{}) {}

PooledMemoryAllocator::PooledMemoryAllocator(const Settings& settings)
    : settings_(withDefaults(settings)) {
    UniformChunkPool::Settings pool;
    pool.chunkBytes = static_cast<std::size_t>(settings_.poolChunkBytes);
    pool.capacity = poolCapacity(settings_);
    pool.trimPolicy = settings_.trimPolicy;
    pool.clock = settings_.clock;
    pool.loadSource = settings_.loadSource;
    pool.sourceId = sourceId();
    pool.registerForTrimming = settings_.registerForTrimming;
    pool.observed = settings_.observed;
    pool_ = UniformChunkPool::create(pool);
    small_ = std::make_shared<SmallBufferPool>(
        static_cast<std::size_t>(settings_.smallBufferThresholdBytes),
        settings_.smallBuffersPerSizeClass);
    // Described for whoever draws the pool from outside (a live-link viewer, a recording
    // started by POOLSCOPE_RECORD): its events carry only the source id.
    if (settings_.observed) {
        PoolDirectory::add(
            {sourceId(), name(), pool.capacity, static_cast<std::uint64_t>(pool.chunkBytes)});
    }
}

PooledMemoryAllocator::~PooledMemoryAllocator() {
    if (settings_.observed) {
        PoolDirectory::remove(sourceId());
    }
    pool_->shutDown();
}

void PooledMemoryAllocator::releaseRetainedResources() {
    pool_->release();
    small_->release();
}

PooledMemoryAllocator::GuardedBuffer PooledMemoryAllocator::rentSmall(std::uint64_t bytes,
                                                                      AllocationOptions options) {
    const SmallBufferPool::Buffer buffer = small_->rent(static_cast<std::size_t>(bytes));
    SmallBufferGuard* guard = nullptr;
    try {
        guard = new SmallBufferGuard(small_, buffer, bytes, sourceId());
    } catch (...) {
        small_->giveBack(buffer);
        throw;
    }
    cleanIfAsked(options, buffer.data, bytes);
    return {guard, buffer.data};
}

PooledMemoryAllocator::GuardedBuffer PooledMemoryAllocator::tryRentChunk(
    std::uint64_t bytes, AllocationOptions options) {
    const std::optional<PoolChunk> chunk = pool_->rent();
    if (!chunk) {
        return {};
    }
    PooledChunkGuard* guard = nullptr;
    try {
        guard = new PooledChunkGuard(*pool_, *chunk, bytes, sourceId());
    } catch (...) {
        pool_->giveBack({&*chunk, 1});
        throw;
    }
    guard->publishRent([bytes](std::uint32_t) { return bytes; });
    cleanIfAsked(options, chunk->data, bytes);
    return {guard, chunk->data};
}

MemoryOwner PooledMemoryAllocator::allocateCore(std::int64_t length, std::size_t elementSize,
                                                std::uint64_t bytes, AllocationOptions options) {
    if (bytes <= static_cast<std::uint64_t>(settings_.smallBufferThresholdBytes)) {
        const GuardedBuffer small = rentSmall(bytes, options);
        return MemoryOwner(small.guard, small.data, length, elementSize);
    }
    if (bytes <= static_cast<std::uint64_t>(settings_.poolChunkBytes)) {
        const GuardedBuffer pooled = tryRentChunk(bytes, options);
        if (pooled.guard != nullptr) {
            return MemoryOwner(pooled.guard, pooled.data, length, elementSize);
        }
    }
    // A single buffer goes unpooled at its exact size, whatever the group chunk cap.
    ExactSizeGuard* guard =
        ExactSizeGuard::create(MemoryTier::Unpooled, static_cast<std::size_t>(bytes), sourceId());
    return MemoryOwner(guard, guard->data(), length, elementSize);
}

MemoryGroup PooledMemoryAllocator::allocateGroupCore(std::int64_t totalLength,
                                                     std::size_t elementSize, std::uint64_t bytes,
                                                     std::int64_t alignment,
                                                     AllocationOptions options) {
    if (bytes <= static_cast<std::uint64_t>(settings_.smallBufferThresholdBytes)) {
        const GuardedBuffer small = rentSmall(bytes, options);
        return MemoryGroup({small.data, totalLength}, small.guard, totalLength, elementSize,
                           MemoryTier::Small);
    }
    if (bytes <= static_cast<std::uint64_t>(settings_.poolChunkBytes)) {
        const GuardedBuffer pooled = tryRentChunk(bytes, options);
        if (pooled.guard != nullptr) {
            return MemoryGroup({pooled.data, totalLength}, pooled.guard, totalLength, elementSize,
                               MemoryTier::Pooled);
        }
    }
    const auto elementsPerChunk = settings_.poolChunkBytes / static_cast<std::int64_t>(elementSize);
    if (const auto layout = GroupLayout::compute(totalLength, alignment, elementsPerChunk)) {
        std::vector<PoolChunk> rented;
        rented.reserve(static_cast<std::size_t>(layout->count));
        if (pool_->rent(static_cast<int>(layout->count), rented)) {
            MemoryGroup::ChunkList chunks;
            chunks.reserve(rented.size());
            for (std::size_t i = 0; i < rented.size(); ++i) {
                const bool last = i + 1 == rented.size();
                chunks.push_back(
                    {rented[i].data, last ? layout->lastLength : layout->bufferLength});
            }
            PooledChunkGuard* guard = nullptr;
            try {
                guard = new PooledChunkGuard(*pool_, PooledChunkGuard::ChunkList(rented), bytes,
                                             sourceId());
            } catch (...) {
                pool_->giveBack(rented);
                throw;
            }
            guard->publishRent([&](std::uint32_t i) {
                return static_cast<std::uint64_t>(chunks[i].length) * elementSize;
            });
            for (const MemoryGroup::Chunk& chunk : chunks) {
                cleanIfAsked(options, chunk.data,
                             static_cast<std::uint64_t>(chunk.length) * elementSize);
            }
            return MemoryGroup(std::move(chunks), {guard}, layout->bufferLength, totalLength,
                               elementSize, MemoryTier::Pooled);
        }
    }
    return allocateExactGroup(MemoryTier::Unpooled, settings_.unpooledChunkBytes, totalLength,
                              elementSize, alignment, options);
}

}  // namespace poolscope
