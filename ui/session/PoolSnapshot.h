#pragma once

#include <cstdint>

namespace poolscope {

// The pool figures at one moment, part of the SessionSnapshot the session publishes: every view
// reads the same immutable snapshot, so none can change what another sees.
struct PoolSnapshot {
    double secondsSinceStart = 0.0;  // since the session was created

    // The uniform chunk pool.
    int capacityChunks = 0;
    int rentedChunks = 0;
    int retainedChunks = 0;
    int emptySlots = 0;
    std::int64_t chunkBytes = 0;

    // Memory outside the pool, and what its owners have not disposed (process-wide, as
    // MemoryDiagnostics counts it).
    std::uint64_t unpooledBytesLive = 0;
    std::int64_t undisposedAllocations = 0;

    // The session's event subscription.
    std::uint64_t eventsReceived = 0;
    std::uint64_t eventsDropped = 0;
    std::uint64_t totalChunkRents = 0;
    std::uint64_t totalChunkReturns = 0;

    bool workloadRunning = false;
    int iterationsCompleted = 0;
    int iterationsPlanned = 0;
};

}  // namespace poolscope
