#include "scenarios/PoolFigures.h"

#include <algorithm>

namespace poolscope {

PoolFigures::PoolFigures(std::uint16_t sourceId, int capacityChunks, std::int64_t chunkBytes)
    : occupancy_(sourceId, capacityChunks), sourceId_(sourceId), chunkBytes_(chunkBytes) {}

void PoolFigures::apply(const MemoryEvent& event) {
    if (event.sourceId != sourceId_) {
        return;
    }
    occupancy_.apply(event);
    chunkRents_ += event.kind == MemoryEventKind::Rent ? 1 : 0;
    chunkReturns_ += event.kind == MemoryEventKind::Return ? 1 : 0;
    peakRentedChunks_ = std::max(peakRentedChunks_, occupancy_.rentedChunks());
    peakRetainedChunks_ = std::max(peakRetainedChunks_, occupancy_.retainedChunks());
    unpooledPeakBytes_ = std::max(unpooledPeakBytes_, occupancy_.unpooledBytesLive());
}

PoolFigures::Values PoolFigures::values() const {
    const auto bytes = [this](int chunks) {
        return static_cast<std::uint64_t>(chunks) * static_cast<std::uint64_t>(chunkBytes_);
    };
    Values values;
    values.chunkBytes = chunkBytes_;
    values.capacityChunks = occupancy_.capacity();
    values.peakRentedBytes = bytes(peakRentedChunks_);
    values.peakRetainedBytes = bytes(peakRetainedChunks_);
    values.retainedBytes = bytes(occupancy_.retainedChunks());
    values.unpooledPeakBytes = unpooledPeakBytes_;
    values.trims = occupancy_.trimPasses();
    values.chunkRents = chunkRents_;
    values.chunkReturns = chunkReturns_;
    return values;
}

}  // namespace poolscope
