#include "gc/GcArrayGuard.h"

#include <utility>

#include "diagnostics/AllocationRegistry.h"
#include "gc/GcHeap.h"

namespace poolscope {

GcArrayGuard* GcArrayGuard::create(const std::shared_ptr<GcHeap>& heap, std::size_t bytes,
                                   std::uint16_t sourceId) {
    GcHandle pin;
    {
        GcFrame frame(*heap, "GcPixelAllocator");
        const ObjectRef array = heap->allocateByteArray(frame, bytes);
        pin = heap->allocateHandle(array, GcHandleKind::Pinned);
    }
    std::byte* data = heap->pinnedData(pin).data();
    // Should the guard not be made, the handle unpins on the way out and the array is garbage.
    return new GcArrayGuard(heap, std::move(pin), data, bytes, sourceId);
}

GcArrayGuard::GcArrayGuard(std::shared_ptr<GcHeap> heap, GcHandle pin, std::byte* data,
                           std::size_t bytes, std::uint16_t sourceId)
    : LifetimeGuard(bytes, MemoryTier::Managed, sourceId),
      heap_(std::move(heap)),
      pin_(std::move(pin)),
      data_(data) {
    AllocationRegistry::instance().add(this);  // complete now (see LifetimeGuard)
}

void GcArrayGuard::releaseMemory() noexcept {
    pin_.free();
}

}  // namespace poolscope
