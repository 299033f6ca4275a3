#pragma once

#include <cstdint>
#include <vector>

#include "base/SlotState.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// The state of one allocator's memory, rebuilt from its MemoryEvents alone: which pool slots
// are rented, retained or empty, and how many bytes live outside the pool. A consumer keeps
// one and feeds it every drained batch, so it never has to lock the engine to show the pool.
// It is exact as long as no event was dropped.
class PoolOccupancy {
public:
    PoolOccupancy(std::uint16_t sourceId, int capacity);

    // Events of other allocators are ignored.
    void apply(const MemoryEvent& event);

    const std::vector<SlotState>& slotStates() const { return slots_; }
    int capacity() const { return static_cast<int>(slots_.size()); }
    int rentedChunks() const { return rented_; }
    int retainedChunks() const { return retained_; }
    int emptySlots() const { return capacity() - rented_ - retained_; }
    std::uint64_t unpooledBytesLive() const { return unpooledBytes_; }
    std::uint64_t smallBytesLive() const { return smallBytes_; }
    std::uint64_t chunkRents() const { return rents_; }
    std::uint64_t chunkReturns() const { return returns_; }
    std::uint64_t trimPasses() const { return trims_; }

private:
    void setSlot(std::int32_t slot, SlotState state);

    std::uint16_t sourceId_;
    std::vector<SlotState> slots_;
    int rented_ = 0;
    int retained_ = 0;
    std::uint64_t unpooledBytes_ = 0;
    std::uint64_t smallBytes_ = 0;
    std::uint64_t rents_ = 0;
    std::uint64_t returns_ = 0;
    std::uint64_t trims_ = 0;
};

}  // namespace poolscope
