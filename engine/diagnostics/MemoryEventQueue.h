#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// A bounded multi-producer, multi-consumer ring (Vyukov's sequence-per-cell design). Producers
// never block and never allocate: when the ring is full the event is counted as dropped.
class MemoryEventQueue {
public:
    explicit MemoryEventQueue(std::size_t capacity);

    bool tryPush(const MemoryEvent& event);
    // Appends up to maxEvents events to `out`; returns how many it appended.
    std::size_t drain(std::vector<MemoryEvent>& out, std::size_t maxEvents);

    std::size_t capacity() const { return mask_ + 1; }
    std::uint64_t droppedCount() const { return dropped_.load(std::memory_order_relaxed); }

private:
    struct Cell {
        std::atomic<std::uint64_t> sequence;
        MemoryEvent event;
    };

    std::unique_ptr<Cell[]> cells_;
    std::size_t mask_;
    alignas(64) std::atomic<std::uint64_t> enqueuePosition_{0};
    alignas(64) std::atomic<std::uint64_t> dequeuePosition_{0};
    alignas(64) std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace poolscope
