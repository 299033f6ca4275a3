#pragma once

#include <span>

#include "memory/InlineVector.h"

namespace poolscope {

class LifetimeGuard;

// Keeps memory alive while it lives, even past the owner's dispose: one reference on each
// guard of a buffer or group. Move-only; unpins on destruction.
class MemoryPin {
public:
    using GuardList = InlineVector<LifetimeGuard*, 1>;

    MemoryPin() = default;
    explicit MemoryPin(GuardList guards);  // the references are already added
    MemoryPin(MemoryPin&& other) noexcept;
    MemoryPin& operator=(MemoryPin&& other) noexcept;
    MemoryPin(const MemoryPin&) = delete;
    MemoryPin& operator=(const MemoryPin&) = delete;
    ~MemoryPin() { unpin(); }

    void unpin();
    bool isPinned() const { return !guards_.empty(); }

private:
    GuardList guards_;
};

// Adds one reference to each guard, all or nothing, and returns the pin that holds them.
MemoryPin pinGuards(std::span<LifetimeGuard* const> guards);

}  // namespace poolscope
