#pragma once

#include <cstdint>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/PoolOccupancy.h"

namespace poolscope {

// The figures of one allocator's run that only its events can tell, because they peak and fall
// between any two looks at the pool: peak rented and retained bytes, peak unpooled bytes, trim
// passes. Exact as long as no event was dropped.
class PoolFigures {
public:
    struct Values {
        std::int64_t chunkBytes = 0;
        int capacityChunks = 0;
        std::uint64_t peakRentedBytes = 0;
        std::uint64_t peakRetainedBytes = 0;
        std::uint64_t retainedBytes = 0;  // now; at the end of a run, what it retains
        std::uint64_t unpooledPeakBytes = 0;
        std::uint64_t trims = 0;         // trim passes that freed chunks
        std::uint64_t chunkRents = 0;    // chunks handed out
        std::uint64_t chunkReturns = 0;  // chunks given back to the pool
    };

    PoolFigures(std::uint16_t sourceId, int capacityChunks, std::int64_t chunkBytes);

    // Events of other allocators are ignored.
    void apply(const MemoryEvent& event);
    Values values() const;

private:
    PoolOccupancy occupancy_;
    std::uint16_t sourceId_;
    std::int64_t chunkBytes_;
    int peakRentedChunks_ = 0;
    int peakRetainedChunks_ = 0;
    std::uint64_t unpooledPeakBytes_ = 0;
    std::uint64_t chunkRents_ = 0;
    std::uint64_t chunkReturns_ = 0;
};

}  // namespace poolscope
