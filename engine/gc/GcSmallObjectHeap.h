#pragma once

#include <cstddef>
#include <cstdint>

#include "gc/GcArena.h"
#include "gc/GcObjectHeader.h"

namespace poolscope {

// The small object heap: one reserved arena, bump-allocated, in which the generations sit below
// each other: [begin, gen1Start) is generation 2, [gen1Start, gen0Start) generation 1,
// [gen0Start, top) generation 0. A compaction moves the boundaries when it promotes.
// Not synchronised: the GcHeap's lock covers it.
class GcSmallObjectHeap {
public:
    explicit GcSmallObjectHeap(std::size_t reserveBytes);

    bool contains(const void* address) const { return arena_.contains(address); }
    // 0, 1 or 2; 2 for an object outside the arena, since the LOH is logically generation 2.
    int generationOf(const GcObjectHeader* object) const;
    // Where `generation` begins: a collection of it condemns everything from here to the top.
    std::byte* startOf(int generation) const;
    // The bytes of a generation's band, objects and gaps alike.
    std::uint64_t bytesOf(int generation) const;

    std::byte* begin() const { return arena_.begin(); }
    std::byte* gen1Start() const { return gen1Start_; }
    std::byte* gen0Start() const { return gen0Start_; }
    std::byte* top() const { return top_; }
    std::uint64_t usedBytes() const { return static_cast<std::uint64_t>(top_ - arena_.begin()); }

    // Bump allocation at the top of generation 0: a zeroed object of sizeBytes with its size
    // set, or null when the arena is full.
    GcObjectHeader* tryBump(std::uint64_t sizeBytes);

    // After a compaction: survivors below gen1Start are generation 2, those up to top
    // generation 1, and generation 0 is empty. Pages freed above the top go back to the OS,
    // but for keepBytes kept for the next allocations.
    void setCompacted(std::byte* gen1Start, std::byte* top, std::uint64_t keepBytes);

    // Every object and gap from the start to the top, in address order.
    template <class Visit>
    void forEachObject(Visit&& visit) const {
        forEachObjectIn(arena_.begin(), top_, visit);
    }

private:
    GcArena arena_;
    std::byte* gen1Start_;
    std::byte* gen0Start_;
    std::byte* top_;
};

}  // namespace poolscope
