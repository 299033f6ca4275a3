#include "session/NativeTierTotals.h"

#include <algorithm>

namespace poolscope {

namespace {

// A free of something made before the session listened must not wrap the count below zero.
void take(std::uint64_t& figure, std::uint64_t amount) {
    figure -= std::min(figure, amount);
}

}  // namespace

void NativeTierTotals::apply(const MemoryEvent& event) {
    const bool made = event.kind == MemoryEventKind::UnpooledAllocate;
    if (!made && event.kind != MemoryEventKind::UnpooledFree) {
        return;
    }
    std::uint64_t* figure = nullptr;
    std::uint64_t amount = event.bytes;
    switch (event.tier) {
        case MemoryTier::NativeHeap:
            figure = &now_.heapBytes;
            break;
        case MemoryTier::Mapped:
            figure = &now_.mappedBytes;
            break;
        case MemoryTier::Descriptor:
            figure = &now_.descriptors;
            amount = 1;
            break;
        default:
            return;
    }
    if (made) {
        *figure += amount;
    } else {
        take(*figure, amount);
    }
    peak_.heapBytes = std::max(peak_.heapBytes, now_.heapBytes);
    peak_.mappedBytes = std::max(peak_.mappedBytes, now_.mappedBytes);
    peak_.descriptors = std::max(peak_.descriptors, now_.descriptors);
}

void NativeTierTotals::sampleInto(TimelineSample& sample) {
    sample.nativeHeapBytes = std::max(peak_.heapBytes, now_.heapBytes);
    sample.mappedBytes = std::max(peak_.mappedBytes, now_.mappedBytes);
    sample.descriptors = std::max(peak_.descriptors, now_.descriptors);
    peak_ = now_;
}

}  // namespace poolscope
