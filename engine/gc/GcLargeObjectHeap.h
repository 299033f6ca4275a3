#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

#include "gc/GcArena.h"
#include "gc/GcObjectHeader.h"

namespace poolscope {

// The large object heap: objects of 85,000 bytes or more, placed first-fit from a free list and
// never moved, because copying them would cost more than the fragmentation. A sweep turns dead
// objects into free blocks and merges neighbours, so fragmentation stays visible in a snapshot.
// Not synchronised: the GcHeap's lock covers it.
class GcLargeObjectHeap {
public:
    explicit GcLargeObjectHeap(std::size_t reserveBytes);

    // A zeroed block of `bytes` (8-aligned) with its header's size set, or null when the
    // reservation is full. The block may be larger than asked when the rest is too small to be
    // a free block of its own.
    GcObjectHeader* allocate(std::uint64_t bytes);
    // Frees every object for which isLive is false and merges free neighbours; returns the
    // bytes freed. Large free blocks go back to the OS.
    std::uint64_t sweep(const std::function<bool(GcObjectHeader*)>& isLive);

    bool contains(const void* address) const { return arena_.contains(address); }
    // Every block from the start to the bump pointer, objects and free blocks alike.
    template <class Visit>
    void forEachBlock(Visit&& visit) const {
        forEachObjectIn(arena_.begin(), top_, visit);
    }
    std::byte* begin() const { return arena_.begin(); }
    std::uint64_t usedBytes() const { return static_cast<std::uint64_t>(top_ - arena_.begin()); }
    std::uint64_t freeBytes() const { return freeBytes_; }

private:
    GcArena arena_;
    std::byte* top_;
    std::map<std::byte*, std::uint64_t> freeBlocks_;  // address -> size, in address order
    std::uint64_t freeBytes_ = 0;
};

}  // namespace poolscope
