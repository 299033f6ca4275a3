#include "memory/MemoryGroup.h"

#include <string>
#include <utility>

#include "memory/InvalidMemoryOperation.h"
#include "memory/LifetimeGuard.h"

namespace poolscope {

MemoryGroup::MemoryGroup(ChunkList chunks, GuardList guards, std::int64_t bufferLength,
                         std::int64_t totalLength, std::size_t elementSize, MemoryTier tier)
    : chunks_(std::move(chunks)),
      guards_(std::move(guards)),
      bufferLength_(bufferLength),
      totalLength_(totalLength),
      elementSize_(elementSize),
      tier_(tier) {}

MemoryGroup::MemoryGroup(MemoryGroup&& other) noexcept
    : chunks_(std::move(other.chunks_)),
      guards_(std::move(other.guards_)),
      bufferLength_(other.bufferLength_),
      totalLength_(other.totalLength_),
      elementSize_(other.elementSize_),
      tier_(other.tier_),
      disposed_(std::exchange(other.disposed_, true)) {}

MemoryGroup& MemoryGroup::operator=(MemoryGroup&& other) noexcept {
    if (this != &other) {
        dispose();
        chunks_ = std::move(other.chunks_);
        guards_ = std::move(other.guards_);
        bufferLength_ = other.bufferLength_;
        totalLength_ = other.totalLength_;
        elementSize_ = other.elementSize_;
        tier_ = other.tier_;
        disposed_ = std::exchange(other.disposed_, true);
    }
    return *this;
}

void MemoryGroup::dispose() {
    disposed_ = true;
    const GuardList guards = std::move(guards_);
    for (LifetimeGuard* guard : guards) {
        guard->dispose();
    }
}

void MemoryGroup::abandonToFinalizer() {
    disposed_ = true;
    const GuardList guards = std::move(guards_);
    for (LifetimeGuard* guard : guards) {
        guard->finalize();
    }
}

void MemoryGroup::throwIfDisposed() const {
    if (disposed_) {
        throw InvalidMemoryOperation("Cannot access a disposed MemoryGroup.");
    }
}

std::span<std::byte> MemoryGroup::chunkBytes(int index) const {
    throwIfDisposed();
    if (index < 0 || index >= count()) {
        throw std::out_of_range("MemoryGroup chunk index " + std::to_string(index) +
                                " is outside 0.." + std::to_string(count() - 1) + ".");
    }
    const Chunk& chunk = chunks_[static_cast<std::size_t>(index)];
    return {chunk.data, static_cast<std::size_t>(chunk.length) * elementSize_};
}

MemoryPin MemoryGroup::pin() const {
    throwIfDisposed();
    return pinGuards(guards_);
}

std::vector<AllocationId> MemoryGroup::allocationIds() const {
    std::vector<AllocationId> ids;
    ids.reserve(guards_.size());
    for (const LifetimeGuard* guard : guards_) {
        ids.push_back(guard->id());
    }
    return ids;
}

}  // namespace poolscope
