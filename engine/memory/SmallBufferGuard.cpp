#include "memory/SmallBufferGuard.h"

#include "diagnostics/AllocationRegistry.h"

namespace poolscope {

SmallBufferGuard::SmallBufferGuard(std::shared_ptr<SmallBufferPool> pool,
                                   SmallBufferPool::Buffer buffer, std::uint64_t exposedBytes,
                                   std::uint16_t sourceId)
    : LifetimeGuard(exposedBytes, MemoryTier::Small, sourceId),
      pool_(std::move(pool)),
      buffer_(buffer) {
    AllocationRegistry::instance().add(this);  // complete now (see LifetimeGuard)
    publish(MemoryEventKind::SmallRent, exposedBytes, -1, 0, 1, buffer_.data);
}

void SmallBufferGuard::releaseMemory() noexcept {
    pool_->giveBack(buffer_);
    publish(MemoryEventKind::SmallReturn, bytes(), -1, 0, 1, buffer_.data);
}

}  // namespace poolscope
