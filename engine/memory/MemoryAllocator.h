#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "memory/AllocationOptions.h"
#include "memory/MemoryAllocatorOptions.h"
#include "memory/MemoryGroup.h"
#include "memory/MemoryOwner.h"

namespace poolscope {

// Where pixel memory comes from (ImageSharp's MemoryAllocator). Every request is checked
// against the limits, in overflow-safe 64-bit arithmetic, before anything is allocated.
// Thread-safe: rent and return from any thread.
class MemoryAllocator {
public:
    static constexpr std::int64_t kMegabyte = 1024 * 1024;
    static constexpr std::int64_t kDefaultGroupLimitBytes =
        sizeof(void*) >= 8 ? 4 * 1024 * kMegabyte : 1024 * kMegabyte;
    static constexpr std::int64_t kDefaultSingleBufferLimitBytes = 1024 * kMegabyte;

    // The default pooled allocator. Throws std::out_of_range for invalid options.
    static std::shared_ptr<MemoryAllocator> create(const MemoryAllocatorOptions& options = {});

    virtual ~MemoryAllocator() = default;
    MemoryAllocator(const MemoryAllocator&) = delete;
    MemoryAllocator& operator=(const MemoryAllocator&) = delete;

    // One contiguous buffer of `length` elements.
    MemoryOwner allocate(std::int64_t length, std::size_t elementSize,
                         AllocationOptions options = AllocationOptions::None);
    template <class T>
    MemoryOwner allocate(std::int64_t length, AllocationOptions options = AllocationOptions::None) {
        return allocate(length, sizeof(T), options);
    }

    // A chunked buffer whose chunks hold a whole number of `alignment` elements (image rows).
    MemoryGroup allocateGroup(std::int64_t totalLength, std::size_t elementSize,
                              std::int64_t alignment,
                              AllocationOptions options = AllocationOptions::None);

    // The largest chunk a group gets from this allocator.
    virtual std::int64_t bufferCapacityInBytes() const = 0;
    // Frees memory the allocator keeps for reuse; memory in use is left alone.
    virtual void releaseRetainedResources() {}
    virtual std::string name() const = 0;

    std::int64_t groupAllocationLimitBytes() const { return groupLimitBytes_; }
    std::int64_t singleBufferAllocationLimitBytes() const { return singleLimitBytes_; }
    // Group limit = megabytes; single-buffer limit = min(1 GiB, group limit).
    void setAllocationLimitMegabytes(std::int64_t megabytes);

    // Names this allocator in MemoryEvents.
    std::uint16_t sourceId() const { return sourceId_; }

protected:
    MemoryAllocator();

    virtual MemoryOwner allocateCore(std::int64_t length, std::size_t elementSize,
                                     std::uint64_t bytes, AllocationOptions options) = 0;
    virtual MemoryGroup allocateGroupCore(std::int64_t totalLength, std::size_t elementSize,
                                          std::uint64_t bytes, std::int64_t alignment,
                                          AllocationOptions options) = 0;

    struct GuardedChunk {
        LifetimeGuard* guard = nullptr;
        std::byte* data = nullptr;
    };
    // Makes the memory of chunk `index` of `count`, `bytes` long, with its own guard.
    using ChunkMaker =
        std::function<GuardedChunk(std::size_t bytes, std::uint32_t index, std::uint32_t count)>;

    // A group of exact-size chunks of up to chunkCapacityBytes each, every one with its own
    // guard made by makeChunk. Throws InvalidMemoryOperation when one row does not fit in a
    // chunk; a failure part-way releases every chunk made so far.
    MemoryGroup allocateChunkedGroup(MemoryTier tier, std::int64_t chunkCapacityBytes,
                                     std::int64_t totalLength, std::size_t elementSize,
                                     std::int64_t alignment, const ChunkMaker& makeChunk);
    // allocateChunkedGroup with ExactSizeGuard chunks (OS mappings, or heap memory for Heap).
    MemoryGroup allocateExactGroup(MemoryTier tier, std::int64_t chunkCapacityBytes,
                                   std::int64_t totalLength, std::size_t elementSize,
                                   std::int64_t alignment, AllocationOptions options);

private:
    std::uint64_t checkedByteCount(std::int64_t length, std::size_t elementSize,
                                   std::int64_t limit) const;
    [[noreturn]] void refuse(std::uint64_t bytes, std::int64_t limit,
                             const std::string& message) const;

    std::int64_t groupLimitBytes_ = kDefaultGroupLimitBytes;
    std::int64_t singleLimitBytes_ = kDefaultSingleBufferLimitBytes;
    std::uint16_t sourceId_;
};

}  // namespace poolscope
