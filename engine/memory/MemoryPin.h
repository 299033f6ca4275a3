#pragma once

#include <vector>

namespace poolscope {

class LifetimeGuard;

// Keeps memory alive while it lives, even past the owner's dispose: one reference on each
// guard of a buffer or group. Move-only; unpins on destruction.
class MemoryPin {
public:
    MemoryPin() = default;
    explicit MemoryPin(std::vector<LifetimeGuard*> guards);  // the references are already added
    MemoryPin(MemoryPin&& other) noexcept;
    MemoryPin& operator=(MemoryPin&& other) noexcept;
    MemoryPin(const MemoryPin&) = delete;
    MemoryPin& operator=(const MemoryPin&) = delete;
    ~MemoryPin() { unpin(); }

    void unpin();
    bool isPinned() const { return !guards_.empty(); }

private:
    std::vector<LifetimeGuard*> guards_;
};

// Adds one reference to each guard, all or nothing, and returns the pin that holds them.
MemoryPin pinGuards(const std::vector<LifetimeGuard*>& guards);

}  // namespace poolscope
