#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/FlatIdMap.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// One buffer as the recording shows it: an allocation id's pieces (a group has one event per
// chunk), made at its first piece and gone with its last. Sequences are the file's.
struct WhatIfBuffer {
    StackId stackId = 0;
    MemoryTier tier = MemoryTier::Unpooled;
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::uint64_t piecesFreed = 0;
    std::uint64_t poolChunks = 0;  // pieces the recorded pool served
    std::int64_t madeSequence = 0;
    std::int64_t madeNanoseconds = 0;
    std::int64_t freedSequence = -1;  // never freed
    std::int64_t freedNanoseconds = 0;

    friend bool operator==(const WhatIfBuffer&, const WhatIfBuffer&) = default;
};

// A ReleaseRetained event: the pool gave back every retained chunk.
struct WhatIfRelease {
    std::int64_t sequence = 0;
    std::int64_t nanoseconds = 0;

    friend bool operator==(const WhatIfRelease&, const WhatIfRelease&) = default;
};

// All of a recording that the what-if replay (WhatIfReplay) reads: its large buffers (over the
// pool's small-buffer threshold, and every mapping), the pool's releases, and the times of its
// first and last events. A few events of millions, so a recording stores them in its summary.
struct WhatIfEvents {
    std::vector<WhatIfBuffer> buffers;
    std::vector<WhatIfRelease> releases;
    std::int64_t firstNanoseconds = 0;
    std::int64_t lastNanoseconds = 0;

    friend bool operator==(const WhatIfEvents&, const WhatIfEvents&) = default;
};

// Gathers WhatIfEvents event by event: every buffer is followed until its size is known (its
// last piece freed, or the recording's end), then kept when it is large.
class WhatIfCollector {
public:
    // The default allocator's small-buffer threshold.
    WhatIfCollector();

    void add(std::int64_t sequence, const MemoryEvent& event);
    // The buffers still live are kept as never freed; all of them in the order they were made.
    WhatIfEvents finish();
    // The buffers still live kept as never freed, after the others (kept(0)).
    void keepLive();

    // What the collector follows so far, but the buffers it kept: stored at a recording's resume
    // points (AnalysisResumeCodec), with the buffers kept since the point before (kept(from)).
    struct State {
        // The times and the releases so far; the buffers being made or still live, in the
        // order they were made (never freed).
        WhatIfEvents following;
        std::vector<AllocationId> liveIds;  // of those buffers, in the same order
        bool started = false;
        friend bool operator==(const State&, const State&) = default;
    };
    State state() const;
    // Goes on from `state`, keeping none of the buffers kept before it.
    explicit WhatIfCollector(const State& state);
    // The buffers kept from the `from`th on, in the order they were kept (kept(0): all of them).
    std::span<const WhatIfBuffer> kept(std::size_t from) const {
        return std::span<const WhatIfBuffer>(events_.buffers).subspan(from);
    }
    std::size_t keptCount() const { return events_.buffers.size(); }

private:
    void make(std::int64_t sequence, const MemoryEvent& event);
    void free(std::int64_t sequence, const MemoryEvent& event);
    void keep(std::size_t index);

    std::uint64_t threshold_;
    bool started_ = false;
    WhatIfEvents events_;
    // Buffers being made or still live, by allocation id; their slots are reused.
    FlatIdMap<std::size_t> live_;
    std::vector<WhatIfBuffer> pending_;
    std::vector<std::size_t> freeSlots_;
};

}  // namespace poolscope
