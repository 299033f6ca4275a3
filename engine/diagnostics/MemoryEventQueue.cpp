#include "diagnostics/MemoryEventQueue.h"

#include <bit>

namespace poolscope {

MemoryEventQueue::MemoryEventQueue(std::size_t capacity)
    : cells_(new Cell[std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity)]),
      mask_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity) - 1) {
    for (std::size_t i = 0; i <= mask_; ++i) {
        cells_[i].sequence.store(i, std::memory_order_relaxed);
    }
}

bool MemoryEventQueue::tryPush(const MemoryEvent& event) {
    std::uint64_t position = enqueuePosition_.load(std::memory_order_relaxed);
    for (;;) {
        Cell& cell = cells_[position & mask_];
        const std::uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
        const auto difference = static_cast<std::int64_t>(sequence - position);
        if (difference == 0) {
            if (enqueuePosition_.compare_exchange_weak(position, position + 1,
                                                       std::memory_order_relaxed)) {
                cell.event = event;
                cell.sequence.store(position + 1, std::memory_order_release);
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
        const std::uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
        const auto difference = static_cast<std::int64_t>(sequence - (position + 1));
        if (difference == 0) {
            if (dequeuePosition_.compare_exchange_weak(position, position + 1,
                                                       std::memory_order_relaxed)) {
                out.push_back(cell.event);
                cell.sequence.store(position + mask_ + 1, std::memory_order_release);
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
