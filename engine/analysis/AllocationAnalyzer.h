#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "analysis/AllocationEnds.h"
#include "analysis/AnalysisRange.h"
#include "analysis/CallSiteCost.h"
#include "analysis/FlatIdMap.h"
#include "analysis/SizeHistogram.h"
#include "analysis/StackIndex.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

class RecordingReader;

// What one pass over a recording's allocation events finds, for every analysis at once.
struct AllocationAnalysis {
    AnalysisRange range;
    // The recording's first event, which times in a report count from; 0 without events.
    std::int64_t firstEventNanoseconds = 0;
    std::uint64_t events = 0;
    // The most the selected allocations held at once, and when that was first reached.
    std::uint64_t peakBytes = 0;
    std::int64_t peakNanoseconds = 0;
    // Every call site with an allocation in the range, by stack id.
    std::vector<CallSiteCost> sites;
    // The sizes of the requests (descriptors, which hold no bytes, left out).
    SizeHistogram sizes;
    std::vector<SizeHistogram::Threshold> thresholds;

    // All call sites together.
    CallSiteCost total() const;
};

// Follows allocations (Rent, UnpooledAllocate, SmallRent and their Return, UnpooledFree,
// SmallReturn, grouped by allocation id) event by event, keeping only what is live, so that a
// recording of any length is analysed in one streaming pass.
class AllocationAnalyzer {
public:
    explicit AllocationAnalyzer(AnalysisRange range = {}, std::int64_t chunkBytes = 0);

    // Everything the analyzer has followed so far: stored at a recording's resume points
    // (AnalysisResumeCodec) so that a pass over a recording without a summary (a killed run's)
    // goes on from the last of them instead of reading every event.
    struct State {
        struct Site {
            // Its figures at the peak, what its allocations moved, and what it holds now.
            CallSiteCost cost;
            std::uint64_t heldBytes = 0;
            std::uint32_t heldAllocations = 0;
            bool changedSincePeak = false;
            friend bool operator==(const Site&, const Site&) = default;
        };
        struct LiveAllocation {
            AllocationId id = 0;
            std::int64_t sequence = 0;
            std::uint64_t requestedBytes = 0;
            std::uint64_t heldBytes = 0;
            std::uint32_t site = 0;  // an index into sites
            std::uint32_t liveChunks = 0;
            MemoryTier tier = MemoryTier::Pooled;
            bool temporary = false;
            friend bool operator==(const LiveAllocation&, const LiveAllocation&) = default;
        };
        struct Thread {
            std::uint32_t threadId = 0;
            AllocationId lastAllocation = 0;
            std::int64_t lastSequence = 0;
            bool lastIsLive = false;  // its last event made lastAllocation
            friend bool operator==(const Thread&, const Thread&) = default;
        };
        // Its events, first event, peak and sizes; no sites (they are below) nor thresholds.
        AllocationAnalysis analysis;
        std::vector<Site> sites;           // by stack id
        std::vector<LiveAllocation> live;  // by id
        std::vector<Thread> threads;       // by thread id
        std::uint64_t heldBytes = 0;
        std::uint64_t lateRents = 0;
        bool sawEvent = false;
        // The most held since the point before (markPoint()), its held then included: with it a
        // range running to the recording's end reads only the stretches between points that may
        // hold its peak (LongRangeAnalysis). Unknown in a point stored without it.
        std::optional<std::uint64_t> heldMostSincePoint;
        friend bool operator==(const State&, const State&);
    };
    State state() const;
    // The most held so far (AllocationAnalysis::peakBytes).
    std::uint64_t peakBytes() const { return analysis_.peakBytes; }
    // A resume point was stored: the most held since it starts again from what is held now.
    void markPoint() { heldMostSincePoint_ = heldBytes_; }
    // Goes on from `state`, which an analyzer of the whole recording reached, for `range`: exact
    // when every event it applied is in the range.
    AllocationAnalyzer(const State& state, AnalysisRange range, std::int64_t chunkBytes);

    void apply(const MemoryEvent& event);
    // The same for each event in order, looking a few events ahead to fetch what they will
    // touch: a large program's live allocations and sites spread over more memory than the
    // cache holds, and each lookup would otherwise wait for memory in turn.
    void apply(std::span<const MemoryEvent> events);
    // `events` events before the range left unread, the first of them at
    // `firstEventNanoseconds`: counted as applied. Exact only for events all earlier than the
    // range: an allocation made before it is never followed, and a thread's last allocation
    // before it matters to no allocation in it, which is its thread's last allocation once made.
    void skipBefore(std::uint64_t events, std::int64_t firstEventNanoseconds);
    // What was applied, what is still live counted as leaked.
    AllocationAnalysis finish();
    // What the events applied so far come to (AllocationEnds): of a whole recording, before
    // finish(), for its summary.
    AllocationEnds ends() const;

    // A range's analysis that has applied every event up to the range's end, with the whole
    // recording's `ends`: true while a later event can still change a figure. That is while
    // some thread's last allocation or free was the making of an allocation of the range that
    // is live, and the thread has a later one (whether it frees that allocation next, which
    // makes it temporary, or gives it another chunk), or when the recording has late rents.
    bool awaitsLaterEvents(const AllocationEnds& ends) const;
    // Once no later event awaits: settles what is live from `ends` as if the recording's other
    // events had been applied, up to its `recordingEvents` events. An allocation live at the end
    // is leaked with what it held then; the others are freed later, which no figure but the size
    // histogram reads. False, changing nothing, when `ends` cannot say, so the events must be
    // read on: an allocation live at the end began before the range, so its figures there are
    // not the range's.
    bool settle(const AllocationEnds& ends, std::uint64_t recordingEvents);

    // How far a pass has got: the events read so far, of the recording's. Returning false
    // stops the pass, which then returns what the events read so far say.
    using Progress = std::function<bool(std::uint64_t eventsRead, std::uint64_t eventsTotal)>;

    // The whole recording's summary, stored with it (AnalysisSummary), when the range is the
    // whole recording and the recording has one. A range that begins later, from the summary and
    // the resume points, reading only some of its events (LongRangeAnalysis), where the
    // recording lets it. Otherwise every event of a recording from the
    // first block with an event in or after the range (the blocks before it are skipped
    // unread), block by block, the blocks decoded on other threads, with the fields an analysis
    // reads, while this one applies the events in order (RecordingEventBlocks), up to the first
    // block after the range and then only as long as a later event awaits, when the recording's
    // summary holds its ends (the blocks after are settled from these unread); `progress` is told
    // after each block.
    static AllocationAnalysis of(const RecordingReader& reader, const AnalysisRange& range = {},
                                 const Progress& progress = {});
    // The pass alone, summary or not: what of() does without one. A range from the recording's
    // start goes on from its last resume point (AnalysisResumeCodec) whose events are all in the
    // range: the whole recording of a killed run, which has no summary, from its last point.
    static AllocationAnalysis pass(const RecordingReader& reader, const AnalysisRange& range = {},
                                   const Progress& progress = {});
    // The same, from the first event whatever points the recording has.
    static AllocationAnalysis everyEvent(const RecordingReader& reader,
                                         const AnalysisRange& range = {},
                                         const Progress& progress = {});

    // Goes on from `analyzer`, which has applied the recording's events up to `afterSequence`,
    // as a pass over `range` does from there: to the end, or, for a range that ends early, soon
    // after it, the rest settled from the summary's ends.
    static AllocationAnalysis passOn(AllocationAnalyzer analyzer, const RecordingReader& reader,
                                     const AnalysisRange& range, std::int64_t afterSequence,
                                     const Progress& progress = {});

private:
    struct Live {
        std::int64_t sequence = 0;  // of its first event applied
        std::uint64_t requestedBytes = 0;
        std::uint64_t heldBytes = 0;
        std::uint32_t site = 0;
        std::uint32_t liveChunks = 0;
        MemoryTier tier = MemoryTier::Pooled;
        bool temporary = false;
    };
    // What the events of a site move, apart from its figures at the peak and its leaks
    // (sites_): 48 bytes a site, so that the sites of a large program stay in cache, as the
    // pass touches one at random for each event.
    struct SiteHeld {
        std::uint64_t heldBytes = 0;
        std::uint64_t allocations = 0;
        std::uint64_t bytes = 0;
        std::uint64_t temporaryAllocations = 0;
        std::uint64_t temporaryBytes = 0;
        std::uint32_t heldAllocations = 0;
        bool changedSincePeak = false;
    };
    struct LastAllocation {
        AllocationId id = 0;
        std::int64_t lastSequence = 0;  // of the thread's last allocation or free
        bool valid = false;
    };

    static AllocationAnalysis passFrom(const RecordingReader& reader, const AnalysisRange& range,
                                       const Progress& progress, bool resume);
    void allocate(const MemoryEvent& event);
    void free(const MemoryEvent& event);
    std::uint32_t siteOf(StackId stackId);
    void changed(std::uint32_t site);
    void release(Live& allocation, std::uint64_t bytes);
    void end(const Live& allocation);

    AllocationAnalysis analysis_;
    FlatIdMap<Live> live_;
    StackIndex siteOfStack_;
    std::vector<SiteHeld> held_;
    std::vector<CallSiteCost> sites_;  // allocations, bytes, temporaries in held_ until finish()
    // Sites whose held figures moved since the last peak: the peak's figures are refreshed
    // from these alone, so following the peak costs no more than the events themselves.
    std::vector<std::uint32_t> changedSincePeak_;
    FlatIdMap<LastAllocation> lastAllocationOfThread_;
    std::uint64_t heldBytes_ = 0;
    std::uint64_t heldMostSincePoint_ = 0;
    std::uint64_t lateRents_ = 0;
    bool sawEvent_ = false;
};

}  // namespace poolscope
