#include "gc/GcPixelAllocator.h"

#include <stdexcept>
#include <utility>
#include <vector>

#include "gc/GcArrayGuard.h"
#include "memory/GroupLayout.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

GcPixelAllocator::GcPixelAllocator(std::shared_ptr<GcHeap> heap, std::int64_t bufferCapacityBytes)
    : heap_(std::move(heap)), bufferCapacityBytes_(bufferCapacityBytes) {
    if (bufferCapacityBytes_ <= 0) {
        throw std::out_of_range("GcPixelAllocator: the buffer capacity must be > 0.");
    }
}

// Managed arrays start zeroed, so AllocationOptions::Clean costs nothing extra here.
MemoryOwner GcPixelAllocator::allocateCore(std::int64_t length, std::size_t elementSize,
                                           std::uint64_t bytes, AllocationOptions /*options*/) {
    GcArrayGuard* guard = GcArrayGuard::create(heap_, static_cast<std::size_t>(bytes), sourceId());
    return MemoryOwner(guard, guard->data(), length, elementSize);
}

MemoryGroup GcPixelAllocator::allocateGroupCore(std::int64_t totalLength, std::size_t elementSize,
                                                std::uint64_t /*bytes*/, std::int64_t alignment,
                                                AllocationOptions /*options*/) {
    const auto elementsPerChunk = bufferCapacityBytes_ / static_cast<std::int64_t>(elementSize);
    const auto layout = GroupLayout::compute(totalLength, alignment, elementsPerChunk);
    if (!layout) {
        throw InvalidMemoryOperation(
            "The buffer capacity of the provided MemoryAllocator is insufficient for the requested "
            "buffer alignment: " +
            std::to_string(alignment) + ".");
    }
    std::vector<MemoryGroup::Chunk> chunks;
    std::vector<LifetimeGuard*> guards;
    try {
        for (std::int64_t i = 0; i < layout->count; ++i) {
            const std::int64_t length =
                i + 1 == layout->count ? layout->lastLength : layout->bufferLength;
            GcArrayGuard* guard = GcArrayGuard::create(
                heap_, static_cast<std::size_t>(length) * elementSize, sourceId());
            guards.push_back(guard);
            chunks.push_back({guard->data(), length});
        }
    } catch (...) {
        for (LifetimeGuard* guard : guards) {
            guard->dispose();
        }
        throw;
    }
    return MemoryGroup(std::move(chunks), std::move(guards), layout->bufferLength, totalLength,
                       elementSize, MemoryTier::Managed);
}

}  // namespace poolscope
