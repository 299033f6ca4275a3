#include "memory/MemoryOwner.h"

#include <string>
#include <utility>

#include "memory/InvalidMemoryOperation.h"
#include "memory/LifetimeGuard.h"

namespace poolscope {

MemoryOwner::MemoryOwner(LifetimeGuard* guard, std::byte* data, std::int64_t length,
                         std::size_t elementSize)
    : guard_(guard), data_(data), length_(length), elementSize_(elementSize) {}

MemoryOwner::MemoryOwner(MemoryOwner&& other) noexcept
    : guard_(std::exchange(other.guard_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      elementSize_(other.elementSize_),
      disposed_(std::exchange(other.disposed_, true)) {}

MemoryOwner& MemoryOwner::operator=(MemoryOwner&& other) noexcept {
    if (this != &other) {
        dispose();
        guard_ = std::exchange(other.guard_, nullptr);
        data_ = std::exchange(other.data_, nullptr);
        length_ = std::exchange(other.length_, 0);
        elementSize_ = other.elementSize_;
        disposed_ = std::exchange(other.disposed_, true);
    }
    return *this;
}

void MemoryOwner::dispose() {
    disposed_ = true;
    if (LifetimeGuard* guard = std::exchange(guard_, nullptr)) {
        guard->dispose();
    }
}

void MemoryOwner::abandonToFinalizer() {
    disposed_ = true;
    if (LifetimeGuard* guard = std::exchange(guard_, nullptr)) {
        guard->finalize();
    }
}

void MemoryOwner::throwIfDisposed() const {
    if (disposed_) {
        throw InvalidMemoryOperation("Cannot access a disposed buffer.");
    }
}

std::span<std::byte> MemoryOwner::bytes() const {
    throwIfDisposed();
    return {data_, static_cast<std::size_t>(length_) * elementSize_};
}

MemoryPin MemoryOwner::pin() const {
    throwIfDisposed();
    return guard_ ? pinGuards({&guard_, 1}) : MemoryPin();
}

AllocationId MemoryOwner::allocationId() const {
    return guard_ ? guard_->id() : 0;
}

MemoryTier MemoryOwner::tier() const {
    return guard_ ? guard_->tier() : MemoryTier::Heap;
}

}  // namespace poolscope
