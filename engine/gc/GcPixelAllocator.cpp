#include "gc/GcPixelAllocator.h"

#include <stdexcept>
#include <utility>

#include "gc/GcArrayGuard.h"

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
    return allocateChunkedGroup(
        MemoryTier::Managed, bufferCapacityBytes_, totalLength, elementSize, alignment,
        [this](std::size_t bytes, std::uint32_t /*index*/, std::uint32_t /*count*/) {
            GcArrayGuard* guard = GcArrayGuard::create(heap_, bytes, sourceId());
            return GuardedChunk{guard, guard->data()};
        });
}

}  // namespace poolscope
