#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "analysis/WhatIfCollector.h"
#include "diagnostics/MemoryEvent.h"
#include "memory/TrimPolicy.h"

namespace poolscope {

class RecordingReader;

// What a recording's large buffers cost, or would have cost.
struct WhatIfFigures {
    std::uint64_t mapCalls = 0;
    std::uint64_t unmapCalls = 0;
    // Fresh pages are faulted in on first touch: every byte of a new mapping.
    std::uint64_t bytesFaultedIn = 0;
    std::uint64_t peakHeldBytes = 0;
    // Held at the recording's last event.
    std::uint64_t idleHeldBytes = 0;
};

// What the pool would save one call site; negative when it would cost more (a buffer split
// into chunks that no earlier buffer left behind).
struct WhatIfSite {
    StackId stackId = 0;
    std::uint64_t requests = 0;
    std::int64_t mapCallsSaved = 0;
    std::int64_t bytesFaultedInSaved = 0;
};

// The memory both ways held at one moment of the replay; it holds until the next sample.
struct WhatIfHeldSample {
    // Since the recording's first event.
    std::int64_t nanoseconds = 0;
    std::uint64_t actualBytes = 0;
    std::uint64_t pooledBytes = 0;
};

struct WhatIfResult {
    WhatIfFigures actual;
    WhatIfFigures pooled;
    // Memory held over time, both ways on one clock, in order: a sample at the first event, one
    // wherever either changed (a buffer made or freed, a trim or release that gave chunks back;
    // several may share a moment) and one at the last event, so the last sample holds the idle
    // figures and the highest the peaks.
    std::vector<WhatIfHeldSample> heldOverTime;
    // Biggest saving first: map calls, then faulted bytes.
    std::vector<WhatIfSite> sites;
    std::uint64_t largeRequests = 0;
    int poolCapacityChunks = 0;
    std::uint64_t chunkBytes = 0;
};

// "What if it were pooled": replays a recording's large buffers (requests over the pool's
// small-buffer threshold, and every mapping of a launched program) through the engine's own
// chunk pool, with the default allocator's constants and a simulated clock, beside what the
// recording shows happened (each buffer its own mappings, unmapped when freed).
class WhatIfReplay {
public:
    struct Options {
        // Below zero: the machine's default, as the default allocator chooses it.
        std::int64_t poolSizeMegabytes = -1;
        std::chrono::milliseconds trimPeriod = TrimPolicy{}.period;
    };

    // The recording's summary's buffers when it has one (AnalysisSummary), else a pass's.
    static WhatIfResult of(const RecordingReader& reader, const Options& options);
    static WhatIfResult of(const WhatIfEvents& events, const Options& options);
    // What the replay reads of a recording: from its summary, or a pass over its events.
    static WhatIfEvents eventsOf(const RecordingReader& reader);
    // The pass alone, summary or not: what eventsOf() does without one.
    static WhatIfEvents eventsByPass(const RecordingReader& reader);
};

}  // namespace poolscope
