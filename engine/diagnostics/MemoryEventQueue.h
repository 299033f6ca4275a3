#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/ZeroedPages.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// A bounded multi-producer, multi-consumer ring (Vyukov's sequence-per-cell design). Producers
// never block and never allocate: when the ring is full the event is counted as dropped.
// The cells are zeroed pages (ZeroedPages) and a cell's sequence is stored less its index, so
// that an untouched cell already reads as free: a ring made large for bursts costs the program
// only the pages its events reach, not a page fault per 4 KiB of capacity as it is made.
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
        std::uint64_t sequence;  // Vyukov's sequence less the cell's index; std::atomic_ref
        MemoryEvent event;
    };

    std::uint64_t loadSequence(Cell& cell, std::uint64_t position) const;
    void storeSequence(Cell& cell, std::uint64_t position, std::uint64_t sequence) const;

    std::size_t mask_;
    ZeroedPages storage_;
    Cell* cells_;
    alignas(64) std::atomic<std::uint64_t> enqueuePosition_{0};
    alignas(64) std::atomic<std::uint64_t> dequeuePosition_{0};
    alignas(64) std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace poolscope
