#include "memory/ExactSizeGuard.h"

#include <new>

#include "diagnostics/AllocationRegistry.h"
#include "memory/OsMemory.h"

namespace poolscope {

namespace {
constexpr std::align_val_t kHeapAlignment{64};
}

std::byte* ExactSizeGuard::obtain(MemoryTier tier, std::size_t bytes) {
    if (tier == MemoryTier::Heap) {
        return static_cast<std::byte*>(::operator new(bytes == 0 ? 1 : bytes, kHeapAlignment));
    }
    return OsMemory::map(bytes);
}

void ExactSizeGuard::free(MemoryTier tier, std::byte* data, std::size_t bytes) noexcept {
    if (tier == MemoryTier::Heap) {
        ::operator delete(data, kHeapAlignment);
    } else {
        OsMemory::unmap(data, bytes);
    }
}

ExactSizeGuard* ExactSizeGuard::create(MemoryTier tier, std::size_t bytes, std::uint16_t sourceId,
                                       std::uint32_t chunkIndex, std::uint32_t chunkCount) {
    std::byte* data = obtain(tier, bytes);
    ExactSizeGuard* guard = nullptr;
    try {
        guard = new ExactSizeGuard(tier, data, bytes, sourceId, chunkIndex, chunkCount);
    } catch (...) {
        free(tier, data, bytes);
        throw;
    }
    guard->publish(MemoryEventKind::UnpooledAllocate, bytes, -1, chunkIndex, chunkCount, data);
    return guard;
}

ExactSizeGuard::ExactSizeGuard(MemoryTier tier, std::byte* data, std::size_t bytes,
                               std::uint16_t sourceId, std::uint32_t chunkIndex,
                               std::uint32_t chunkCount)
    : LifetimeGuard(bytes, tier, sourceId),
      data_(data),
      chunkIndex_(chunkIndex),
      chunkCount_(chunkCount) {
    AllocationRegistry::instance().add(this);  // complete now (see LifetimeGuard)
}

void ExactSizeGuard::releaseMemory() noexcept {
    free(tier(), data_, bytes());
    publish(MemoryEventKind::UnpooledFree, bytes(), -1, chunkIndex_, chunkCount_, data_);
}

}  // namespace poolscope
