#include "StackTable.h"

#include <cstring>

#include "PageMemory.h"

namespace poolscope::preload {

namespace {

constexpr std::size_t kInitialCapacity = 4096;
constexpr std::size_t kFramesPerChunk = 128 * 1024;

}  // namespace

bool StackTable::initialize() {
    slots_ = static_cast<Entry*>(PageMemory::map(kInitialCapacity * sizeof(Entry)));
    capacity_ = kInitialCapacity;
    return slots_ != nullptr;
}

std::uint64_t StackTable::hash(const std::uint64_t* frames, std::uint32_t depth,
                               std::uint32_t epoch) {
    std::uint64_t value = 0x9e3779b97f4a7c15ull ^ (std::uint64_t{epoch} << 32) ^ depth;
    for (std::uint32_t i = 0; i < depth; ++i) {
        value ^= frames[i];
        value *= 0xff51afd7ed558ccdull;
        value ^= value >> 33;
    }
    // Zero marks an empty slot.
    return value == 0 ? 1 : value;
}

StackTable::Entry* StackTable::intern(const std::uint64_t* frames, std::uint32_t depth,
                                      std::uint64_t hash) {
    for (;;) {
        const std::size_t mask = capacity_ - 1;
        for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
            Entry& entry = slots_[slot];
            if (entry.hash == 0) {
                break;
            }
            if (entry.hash == hash && entry.depth == depth &&
                std::memcmp(entry.frames, frames, depth * sizeof(std::uint64_t)) == 0) {
                return &entry;
            }
        }
        if ((count_ + 1) * 2 <= capacity_) {
            break;
        }
        if (!grow()) {
            return nullptr;
        }
    }
    const std::uint64_t* kept = keep(frames, depth);
    if (kept == nullptr) {
        return nullptr;
    }
    const std::size_t mask = capacity_ - 1;
    std::size_t slot = hash & mask;
    while (slots_[slot].hash != 0) {
        slot = (slot + 1) & mask;
    }
    slots_[slot] = Entry{hash, kept, nextId_++, depth, false};
    ++count_;
    return &slots_[slot];
}

bool StackTable::grow() {
    const std::size_t capacity = capacity_ * 2;
    auto* slots = static_cast<Entry*>(PageMemory::map(capacity * sizeof(Entry)));
    if (slots == nullptr) {
        return false;
    }
    for (std::size_t old = 0; old < capacity_; ++old) {
        if (slots_[old].hash == 0) {
            continue;
        }
        std::size_t slot = slots_[old].hash & (capacity - 1);
        while (slots[slot].hash != 0) {
            slot = (slot + 1) & (capacity - 1);
        }
        slots[slot] = slots_[old];
    }
    PageMemory::unmap(slots_, capacity_ * sizeof(Entry));
    slots_ = slots;
    capacity_ = capacity;
    return true;
}

const std::uint64_t* StackTable::keep(const std::uint64_t* frames, std::uint32_t depth) {
    if (frameChunkLeft_ < depth) {
        frameChunk_ =
            static_cast<std::uint64_t*>(PageMemory::map(kFramesPerChunk * sizeof(std::uint64_t)));
        if (frameChunk_ == nullptr) {
            frameChunkLeft_ = 0;
            return nullptr;
        }
        frameChunkLeft_ = kFramesPerChunk;
    }
    std::uint64_t* kept = frameChunk_;
    std::memcpy(kept, frames, depth * sizeof(std::uint64_t));
    frameChunk_ += depth;
    frameChunkLeft_ -= depth;
    return kept;
}

}  // namespace poolscope::preload
