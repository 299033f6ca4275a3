#include "memory/MemoryAllocator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "diagnostics/EventStream.h"
#include "diagnostics/PoolDirectory.h"
#include "memory/ExactSizeGuard.h"
#include "memory/GroupLayout.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope {

MemoryAllocator::MemoryAllocator() : sourceId_(PoolDirectory::newSourceId()) {}

std::shared_ptr<MemoryAllocator> MemoryAllocator::create(const MemoryAllocatorOptions& options) {
    options.validate();
    PooledMemoryAllocator::Settings settings;
    if (options.maximumPoolSizeMegabytes) {
        settings.maximumPoolSizeBytes = *options.maximumPoolSizeMegabytes * kMegabyte;
    }
    auto allocator = std::make_shared<PooledMemoryAllocator>(settings);
    if (options.allocationLimitMegabytes) {
        allocator->setAllocationLimitMegabytes(*options.allocationLimitMegabytes);
    }
    return allocator;
}

void MemoryAllocator::setAllocationLimitMegabytes(std::int64_t megabytes) {
    MemoryAllocatorOptions{std::nullopt, megabytes}.validate();
    groupLimitBytes_ = megabytes * kMegabyte;
    singleLimitBytes_ = std::min(kDefaultSingleBufferLimitBytes, groupLimitBytes_);
}

void MemoryAllocator::refuse(std::uint64_t bytes, std::int64_t limit,
                             const std::string& message) const {
    if (EventStream::active()) {
        MemoryEvent event;
        event.kind = MemoryEventKind::LimitRefused;
        event.sourceId = sourceId_;
        event.bytes = bytes;
        event.value = static_cast<std::uint64_t>(limit);
        EventStream::publish(event);
    }
    throw InvalidMemoryOperation(message);
}

std::uint64_t MemoryAllocator::checkedByteCount(std::int64_t length, std::size_t elementSize,
                                                std::int64_t limit) const {
    if (length < 0) {
        refuse(0, limit,
               "Attempted to allocate a buffer of negative length=" + std::to_string(length) + ".");
    }
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(length),
                               static_cast<std::uint64_t>(elementSize), &bytes)) {
        refuse(UINT64_MAX, limit,
               "Attempted to allocate a buffer of length=" + std::to_string(length) +
                   " elements of " + std::to_string(elementSize) +
                   " bytes, which overflows 64-bit size arithmetic; the limit is " +
                   std::to_string(limit) + ".");
    }
    if (bytes > static_cast<std::uint64_t>(limit)) {
        refuse(bytes, limit,
               "Attempted to allocate a buffer of length=" + std::to_string(bytes) +
                   " that exceeded the limit " + std::to_string(limit) + ".");
    }
    return bytes;
}

MemoryOwner MemoryAllocator::allocate(std::int64_t length, std::size_t elementSize,
                                      AllocationOptions options) {
    if (elementSize == 0) {
        throw std::invalid_argument("MemoryAllocator::allocate: elementSize must be > 0.");
    }
    const std::uint64_t bytes = checkedByteCount(length, elementSize, singleLimitBytes_);
    if (length == 0) {
        return MemoryOwner(nullptr, nullptr, 0, elementSize);
    }
    return allocateCore(length, elementSize, bytes, options);
}

MemoryGroup MemoryAllocator::allocateGroup(std::int64_t totalLength, std::size_t elementSize,
                                           std::int64_t alignment, AllocationOptions options) {
    if (elementSize == 0) {
        throw std::invalid_argument("MemoryAllocator::allocateGroup: elementSize must be > 0.");
    }
    if (alignment <= 0) {
        throw std::invalid_argument("MemoryAllocator::allocateGroup: alignment must be > 0, got " +
                                    std::to_string(alignment) + ".");
    }
    const std::uint64_t bytes = checkedByteCount(totalLength, elementSize, groupLimitBytes_);
    if (totalLength == 0) {
        return MemoryGroup({MemoryGroup::Chunk{}}, {}, 0, 0, elementSize, MemoryTier::Heap);
    }
    return allocateGroupCore(totalLength, elementSize, bytes, alignment, options);
}

MemoryGroup MemoryAllocator::allocateChunkedGroup(MemoryTier tier, std::int64_t chunkCapacityBytes,
                                                  std::int64_t totalLength, std::size_t elementSize,
                                                  std::int64_t alignment,
                                                  const ChunkMaker& makeChunk) {
    const auto elementsPerChunk = chunkCapacityBytes / static_cast<std::int64_t>(elementSize);
    const auto layout = GroupLayout::compute(totalLength, alignment, elementsPerChunk);
    if (!layout) {
        throw InvalidMemoryOperation(GroupLayout::rowTooWideMessage(
            alignment, static_cast<std::int64_t>(elementSize), chunkCapacityBytes));
    }
    MemoryGroup::ChunkList chunks;
    MemoryGroup::GuardList guards;
    chunks.reserve(static_cast<std::size_t>(layout->count));
    guards.reserve(static_cast<std::size_t>(layout->count));
    try {
        for (std::int64_t i = 0; i < layout->count; ++i) {
            const std::int64_t length =
                i + 1 == layout->count ? layout->lastLength : layout->bufferLength;
            const GuardedChunk chunk =
                makeChunk(static_cast<std::size_t>(length) * elementSize,
                          static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(layout->count));
            guards.push_back(chunk.guard);
            chunks.push_back({chunk.data, length});
        }
    } catch (...) {
        for (LifetimeGuard* guard : guards) {
            guard->dispose();
        }
        throw;
    }
    return MemoryGroup(std::move(chunks), std::move(guards), layout->bufferLength, totalLength,
                       elementSize, tier);
}

MemoryGroup MemoryAllocator::allocateExactGroup(MemoryTier tier, std::int64_t chunkCapacityBytes,
                                                std::int64_t totalLength, std::size_t elementSize,
                                                std::int64_t alignment, AllocationOptions options) {
    return allocateChunkedGroup(
        tier, chunkCapacityBytes, totalLength, elementSize, alignment,
        [&](std::size_t bytes, std::uint32_t index, std::uint32_t count) {
            ExactSizeGuard* guard = ExactSizeGuard::create(tier, bytes, sourceId(), index, count);
            // Fresh OS mappings are zeroed already; heap memory is not.
            if (tier == MemoryTier::Heap && hasFlag(options, AllocationOptions::Clean)) {
                std::memset(guard->data(), 0, bytes);
            }
            return GuardedChunk{guard, guard->data()};
        });
}

}  // namespace poolscope
