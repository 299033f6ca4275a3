#include "diagnostics/MemoryEventQueue.h"

#include <bit>

namespace poolscope {

namespace {

std::size_t roundedCapacity(std::size_t capacity) {
    return std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity);
}

}  // namespace

MemoryEventQueue::MemoryEventQueue(std::size_t capacity)
    : mask_(roundedCapacity(capacity) - 1),
      storage_(roundedCapacity(capacity) * sizeof(Cell)),
      cells_(static_cast<Cell*>(storage_.data())) {}

// Cell i starts at sequence i (free for position i); zeroed memory holds 0 = i - i.
std::uint64_t MemoryEventQueue::loadSequence(Cell& cell, std::uint64_t position) const {
    return std::atomic_ref<std::uint64_t>(cell.sequence).load(std::memory_order_acquire) +
           (position & mask_);
}

void MemoryEventQueue::storeSequence(Cell& cell, std::uint64_t position,
                                     std::uint64_t sequence) const {
    std::atomic_ref<std::uint64_t>(cell.sequence)
        .store(sequence - (position & mask_), std::memory_order_release);
}

bool MemoryEventQueue::tryPush(const MemoryEvent& event) {
    std::uint64_t position = enqueuePosition_.load(std::memory_order_relaxed);
    for (;;) {
        Cell& cell = cells_[position & mask_];
        const std::uint64_t sequence = loadSequence(cell, position);
        const auto difference = static_cast<std::int64_t>(sequence - position);
        if (difference == 0) {
            if (enqueuePosition_.compare_exchange_weak(position, position + 1,
                                                       std::memory_order_relaxed)) {
                cell.event = event;
                storeSequence(cell, position, position + 1);
                return true;
            }
        } else if (difference < 0) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        } else {
            position = enqueuePosition_.load(std::memory_order_relaxed);
        }
    }
}

std::size_t MemoryEventQueue::drain(std::vector<MemoryEvent>& out, std::size_t maxEvents) {
    std::size_t taken = 0;
    std::uint64_t position = dequeuePosition_.load(std::memory_order_relaxed);
    while (taken < maxEvents) {
        Cell& cell = cells_[position & mask_];
        const std::uint64_t sequence = loadSequence(cell, position);
        const auto difference = static_cast<std::int64_t>(sequence - (position + 1));
        if (difference == 0) {
            if (dequeuePosition_.compare_exchange_weak(position, position + 1,
                                                       std::memory_order_relaxed)) {
                out.push_back(cell.event);
                storeSequence(cell, position, position + mask_ + 1);
                ++taken;
                ++position;
            }
        } else if (difference < 0) {
            break;  // empty
        } else {
            position = dequeuePosition_.load(std::memory_order_relaxed);
        }
    }
    return taken;
}

}  // namespace poolscope
