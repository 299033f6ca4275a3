#pragma once

#include <memory>

#include "memory/LifetimeGuard.h"
#include "memory/SmallBufferPool.h"

namespace poolscope {

// Owns one buffer from a SmallBufferPool and gives it back on release.
class SmallBufferGuard final : public LifetimeGuard {
public:
    SmallBufferGuard(std::shared_ptr<SmallBufferPool> pool, SmallBufferPool::Buffer buffer,
                     std::uint64_t exposedBytes, std::uint16_t sourceId);
    std::byte* data() const { return buffer_.data; }

protected:
    void releaseMemory() noexcept override;

private:
    std::shared_ptr<SmallBufferPool> pool_;
    SmallBufferPool::Buffer buffer_;
};

}  // namespace poolscope
