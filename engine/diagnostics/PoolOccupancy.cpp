#include "diagnostics/PoolOccupancy.h"

namespace poolscope {

PoolOccupancy::PoolOccupancy(std::uint16_t sourceId, int capacity)
    : sourceId_(sourceId),
      slots_(static_cast<std::size_t>(capacity < 0 ? 0 : capacity), SlotState::Empty) {}

void PoolOccupancy::setSlot(std::int32_t slot, SlotState state) {
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) {
        return;
    }
    SlotState& current = slots_[static_cast<std::size_t>(slot)];
    rented_ -= current == SlotState::Rented ? 1 : 0;
    retained_ -= current == SlotState::Retained ? 1 : 0;
    current = state;
    rented_ += state == SlotState::Rented ? 1 : 0;
    retained_ += state == SlotState::Retained ? 1 : 0;
}

void PoolOccupancy::apply(const MemoryEvent& event) {
    if (event.sourceId != sourceId_) {
        return;
    }
    switch (event.kind) {
        case MemoryEventKind::SlotCreated:  // slots get memory when they are first rented
        case MemoryEventKind::Rent:
            setSlot(event.slot, SlotState::Rented);
            rents_ += event.kind == MemoryEventKind::Rent ? 1 : 0;
            break;
        case MemoryEventKind::Return:
            setSlot(event.slot, SlotState::Retained);
            returns_ += 1;
            break;
        case MemoryEventKind::ChunkFreed:
            setSlot(event.slot, SlotState::Empty);
            break;
        case MemoryEventKind::UnpooledAllocate:
            unpooledBytes_ += event.tier == MemoryTier::Unpooled ? event.bytes : 0;
            break;
        case MemoryEventKind::UnpooledFree:
            unpooledBytes_ -= event.tier == MemoryTier::Unpooled ? event.bytes : 0;
            break;
        case MemoryEventKind::SmallRent:
            smallBytes_ += event.bytes;
            break;
        case MemoryEventKind::SmallReturn:
            smallBytes_ -= event.bytes;
            break;
        case MemoryEventKind::Trim:
            trims_ += 1;
            break;
        case MemoryEventKind::ReleaseRetained:
        case MemoryEventKind::LimitRefused:
        case MemoryEventKind::Undisposed:
        // The managed heap's events say nothing about pool slots.
        case MemoryEventKind::GcStart:
        case MemoryEventKind::GcEnd:
        case MemoryEventKind::GcAllocationSample:
        case MemoryEventKind::GcFinalizerRun:
        case MemoryEventKind::GcWeakCleared:
        case MemoryEventKind::GcResurrection:
        case MemoryEventKind::GcObjectsMoved:
        case MemoryEventKind::ImageBufferCreated:
            break;
    }
}

}  // namespace poolscope
