#include "gc/GcSmallObjectHeap.h"

#include <cstring>

namespace poolscope {

GcSmallObjectHeap::GcSmallObjectHeap(std::size_t reserveBytes)
    : arena_(reserveBytes),
      gen1Start_(arena_.begin()),
      gen0Start_(arena_.begin()),
      top_(arena_.begin()) {}

GcObjectHeader* GcSmallObjectHeap::tryBump(std::uint64_t sizeBytes) {
    if (static_cast<std::uint64_t>(arena_.end() - top_) < sizeBytes) {
        return nullptr;
    }
    auto* object = reinterpret_cast<GcObjectHeader*>(top_);
    // The space may hold bytes of objects a compaction moved away: objects start zeroed.
    std::memset(top_, 0, sizeBytes);
    top_ += sizeBytes;
    object->sizeBytes = sizeBytes;
    return object;
}

int GcSmallObjectHeap::generationOf(const GcObjectHeader* object) const {
    const auto* address = reinterpret_cast<const std::byte*>(object);
    if (!arena_.contains(address)) {
        return 2;
    }
    if (address < gen1Start_) {
        return 2;
    }
    return address < gen0Start_ ? 1 : 0;
}

std::byte* GcSmallObjectHeap::startOf(int generation) const {
    return generation == 0 ? gen0Start_ : generation == 1 ? gen1Start_ : arena_.begin();
}

std::uint64_t GcSmallObjectHeap::bytesOf(int generation) const {
    std::byte* const end = generation == 0 ? top_ : generation == 1 ? gen0Start_ : gen1Start_;
    return static_cast<std::uint64_t>(end - startOf(generation));
}

void GcSmallObjectHeap::setCompacted(std::byte* gen1Start, std::byte* top,
                                     std::uint64_t keepBytes) {
    if (static_cast<std::uint64_t>(top_ - top) > keepBytes) {
        arena_.decommit(top + keepBytes, top_);
    }
    gen1Start_ = gen1Start;
    gen0Start_ = top;
    top_ = top;
}

}  // namespace poolscope
