#include "memory/MemoryPin.h"

#include <utility>

#include "memory/LifetimeGuard.h"

namespace poolscope {

MemoryPin::MemoryPin(std::vector<LifetimeGuard*> guards) : guards_(std::move(guards)) {}

MemoryPin::MemoryPin(MemoryPin&& other) noexcept : guards_(std::exchange(other.guards_, {})) {}

MemoryPin& MemoryPin::operator=(MemoryPin&& other) noexcept {
    if (this != &other) {
        unpin();
        guards_ = std::exchange(other.guards_, {});
    }
    return *this;
}

void MemoryPin::unpin() {
    for (LifetimeGuard* guard : std::exchange(guards_, {})) {
        guard->releaseRef();
    }
}

MemoryPin pinGuards(const std::vector<LifetimeGuard*>& guards) {
    std::vector<LifetimeGuard*> pinned;
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
