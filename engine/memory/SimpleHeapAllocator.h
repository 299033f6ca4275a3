#pragma once

#include "memory/MemoryAllocator.h"

namespace poolscope {

// The baseline: new heap memory for every request, freed on release, no pooling. Groups use
// chunks of up to the single-buffer limit, so most images are one chunk.
class SimpleHeapAllocator final : public MemoryAllocator {
public:
    std::int64_t bufferCapacityInBytes() const override {
        return singleBufferAllocationLimitBytes();
    }
    std::string name() const override { return "simple-heap"; }

protected:
    MemoryOwner allocateCore(std::int64_t length, std::size_t elementSize, std::uint64_t bytes,
                             AllocationOptions options) override;
    MemoryGroup allocateGroupCore(std::int64_t totalLength, std::size_t elementSize,
                                  std::uint64_t bytes, std::int64_t alignment,
                                  AllocationOptions options) override;
};

}  // namespace poolscope
