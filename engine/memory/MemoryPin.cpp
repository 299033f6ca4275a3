#include "memory/MemoryPin.h"

#include <utility>

#include "memory/LifetimeGuard.h"

namespace poolscope {

MemoryPin::MemoryPin(GuardList guards) : guards_(std::move(guards)) {}

MemoryPin::MemoryPin(MemoryPin&& other) noexcept : guards_(std::move(other.guards_)) {}

MemoryPin& MemoryPin::operator=(MemoryPin&& other) noexcept {
    if (this != &other) {
        unpin();
        guards_ = std::move(other.guards_);
    }
    return *this;
}

void MemoryPin::unpin() {
    const GuardList pinned = std::move(guards_);
    for (LifetimeGuard* guard : pinned) {
        guard->releaseRef();
    }
}

MemoryPin pinGuards(std::span<LifetimeGuard* const> guards) {
    MemoryPin::GuardList pinned;
    pinned.reserve(guards.size());
    try {
        for (LifetimeGuard* guard : guards) {
            guard->addRef();
            pinned.push_back(guard);
        }
    } catch (...) {
        for (LifetimeGuard* guard : pinned) {
            guard->releaseRef();
        }
        throw;
    }
    return MemoryPin(std::move(pinned));
}

}  // namespace poolscope
