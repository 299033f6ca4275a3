#pragma once

#include <QMetaType>

#include <cstdint>

namespace poolscope {

// The pool figures at one moment, as EngineSession publishes them. A plain value: every
// receiver gets its own copy, so nothing a view does can change what another view sees.
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

Q_DECLARE_METATYPE(poolscope::PoolSnapshot)
