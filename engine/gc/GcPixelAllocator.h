#pragma once

#include <memory>

#include "gc/GcHeap.h"
#include "memory/MemoryAllocator.h"

namespace poolscope {

// Pixel memory as ImageSharp 1.x had it: every buffer is a managed byte array on a GcHeap,
// pinned while its owner (or a pin) holds it. Disposing only unpins; the bytes come back when
// a collection finds the array dead. Big buffers land on the LOH, which is what made large
// image workloads on managed arrays fragment and hold memory.
class GcPixelAllocator final : public MemoryAllocator {
public:
    static constexpr std::int64_t kDefaultBufferCapacityBytes = 32 * kMegabyte;

    explicit GcPixelAllocator(std::shared_ptr<GcHeap> heap,
                              std::int64_t bufferCapacityBytes = kDefaultBufferCapacityBytes);

    std::int64_t bufferCapacityInBytes() const override { return bufferCapacityBytes_; }
    std::string name() const override { return "gc-managed"; }
    GcHeap& heap() const { return *heap_; }

protected:
    MemoryOwner allocateCore(std::int64_t length, std::size_t elementSize, std::uint64_t bytes,
                             AllocationOptions options) override;
    MemoryGroup allocateGroupCore(std::int64_t totalLength, std::size_t elementSize,
                                  std::uint64_t bytes, std::int64_t alignment,
                                  AllocationOptions options) override;

private:
    std::shared_ptr<GcHeap> heap_;
    std::int64_t bufferCapacityBytes_;
};

}  // namespace poolscope
