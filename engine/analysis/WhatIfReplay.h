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

    friend bool operator==(const WhatIfFigures&, const WhatIfFigures&) = default;
};

// What the pool would save one call site; negative when it would cost more (a buffer split
// into chunks that no earlier buffer left behind).
struct WhatIfSite {
    StackId stackId = 0;
    std::uint64_t requests = 0;
    std::int64_t mapCallsSaved = 0;
    std::int64_t bytesFaultedInSaved = 0;

    friend bool operator==(const WhatIfSite&, const WhatIfSite&) = default;
};

// The memory both ways held at one moment of the replay; it holds until the next sample.
struct WhatIfHeldSample {
    // Since the recording's first event.
    std::int64_t nanoseconds = 0;
    std::uint64_t actualBytes = 0;
    std::uint64_t pooledBytes = 0;

    friend bool operator==(const WhatIfHeldSample&, const WhatIfHeldSample&) = default;
};

struct WhatIfResult {
    WhatIfFigures actual;
    WhatIfFigures pooled;
    // Memory held over time, both ways on one clock, in order: a sample at the first event, one
    // wherever either changed (a buffer made or freed, a trim or release that gave chunks back;
    // several may share a moment) and one at the last event, so the last sample holds the idle
    // figures and the highest the peaks. Where more changes fall in a 4096th of the recording's
    // time than a plot can show, that stretch keeps only its first and last samples and its
    // highest and lowest both ways.
    std::vector<WhatIfHeldSample> heldOverTime;
    // Biggest saving first: map calls, then faulted bytes.
    std::vector<WhatIfSite> sites;
    std::uint64_t largeRequests = 0;
    int poolCapacityChunks = 0;
    std::uint64_t chunkBytes = 0;
    std::int64_t trimPeriodMilliseconds = 0;

    friend bool operator==(const WhatIfResult&, const WhatIfResult&) = default;
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

    // The options whose replay a recording's summary stores (AnalysisSummarizer): those the
    // window opens a recording with, the pool size PoolScope's runs start from and ImageSharp's
    // trim period.
    static Options summaryOptions();
    // Whether `result` is the replay with `options`: the same pool (capacity, chunk size) and
    // trim period.
    static bool isReplayWith(const WhatIfResult& result, const Options& options);

    // The replay the recording's summary stores when it is the one with `options` (a recording
    // of 1 GB may hold millions of large buffers, seconds to replay); else the summary's
    // buffers replayed when it has them (AnalysisSummary), else a pass's.
    static WhatIfResult of(const RecordingReader& reader, const Options& options);
    static WhatIfResult of(const WhatIfEvents& events, const Options& options);
    // What the replay reads of a recording: from its summary, or a pass over its events.
    static WhatIfEvents eventsOf(const RecordingReader& reader);
    // The pass alone, summary or not: what eventsOf() does without one, from the recording's
    // last resume point on when it has one (WhatIfBufferRuns).
    static WhatIfEvents eventsByPass(const RecordingReader& reader);
    // A pass over every event.
    static WhatIfEvents everyEvent(const RecordingReader& reader);
};

}  // namespace poolscope
