#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/MemoryTier.h"
#include "diagnostics/MemoryEvent.h"
#include "memory/MemoryPin.h"

namespace poolscope {

class LifetimeGuard;

// Owns one contiguous buffer from a MemoryAllocator (ImageSharp's IMemoryOwner<T>). Move-only.
// Destruction disposes; dispose() may be called any number of times; access after dispose
// raises InvalidMemoryOperation.
class MemoryOwner {
public:
    MemoryOwner() = default;
    MemoryOwner(LifetimeGuard* guard, std::byte* data, std::int64_t length,
                std::size_t elementSize);
    MemoryOwner(MemoryOwner&& other) noexcept;
    MemoryOwner& operator=(MemoryOwner&& other) noexcept;
    MemoryOwner(const MemoryOwner&) = delete;
    MemoryOwner& operator=(const MemoryOwner&) = delete;
    ~MemoryOwner() { dispose(); }

    void dispose();
    // Lets the memory go without the owner's dispose, as a finalizer does for an abandoned
    // owner: the undisposed count stays and the undisposed notification fires.
    void abandonToFinalizer();
    bool isDisposed() const { return disposed_; }

    std::int64_t length() const { return length_; }  // elements
    std::size_t elementSize() const { return elementSize_; }
    std::span<std::byte> bytes() const;
    template <class T>
    std::span<T> span() const {
        const std::span<std::byte> raw = bytes();
        return {reinterpret_cast<T*>(raw.data()), raw.size() / sizeof(T)};
    }

    MemoryPin pin() const;
    AllocationId allocationId() const;
    MemoryTier tier() const;

private:
    void throwIfDisposed() const;

    LifetimeGuard* guard_ = nullptr;  // null for a zero-length buffer
    std::byte* data_ = nullptr;
    std::int64_t length_ = 0;
    std::size_t elementSize_ = 1;
    bool disposed_ = false;
};

}  // namespace poolscope
