#include "memory/SimpleHeapAllocator.h"

#include <cstring>

#include "memory/ExactSizeGuard.h"

namespace poolscope {

MemoryOwner SimpleHeapAllocator::allocateCore(std::int64_t length, std::size_t elementSize,
                                              std::uint64_t bytes, AllocationOptions options) {
    ExactSizeGuard* guard =
        ExactSizeGuard::create(MemoryTier::Heap, static_cast<std::size_t>(bytes), sourceId());
    if (hasFlag(options, AllocationOptions::Clean)) {
        std::memset(guard->data(), 0, static_cast<std::size_t>(bytes));
    }
    return MemoryOwner(guard, guard->data(), length, elementSize);
}

MemoryGroup SimpleHeapAllocator::allocateGroupCore(std::int64_t totalLength,
                                                   std::size_t elementSize, std::uint64_t /*bytes*/,
                                                   std::int64_t alignment,
                                                   AllocationOptions options) {
    return allocateExactGroup(MemoryTier::Heap, bufferCapacityInBytes(), totalLength, elementSize,
                              alignment, options);
}

}  // namespace poolscope
