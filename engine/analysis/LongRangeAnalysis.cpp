#include "analysis/LongRangeAnalysis.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "analysis/AllocationEnds.h"
#include "analysis/AnalysisResumeCodec.h"
#include "analysis/AnalysisSummary.h"
#include "recording/RecordingError.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingReader.h"
#include "recording/SqliteDatabase.h"

namespace poolscope {

namespace {

using State = AllocationAnalyzer::State;
using Live = State::LiveAllocation;

// The state the writer's analyzer stored at the point after event `lastSequence`; none when it
// does not read back.
std::optional<State> stateAt(const RecordingReader& reader, SqliteDatabase& connection,
                             std::int64_t lastSequence) {
    try {
        const std::optional<RecordedSummary> part = reader.resumePart(
            AnalysisResumeCodec::kAllocationStateEncoding, lastSequence, connection);
        if (part) {
            return AnalysisResumeCodec::decodeAllocationState(part->data, reader.path());
        }
    } catch (const RecordingError&) {
        // Damaged: the range is read by a pass instead.
    }
    return std::nullopt;
}

const Live* liveOf(const std::vector<Live>& live, AllocationId id) {
    const auto found =
        std::lower_bound(live.begin(), live.end(), id,
                         [](const Live& entry, AllocationId wanted) { return entry.id < wanted; });
    return found != live.end() && found->id == id ? &*found : nullptr;
}

// The allocations made before the range and live at the split point: the whole recording's
// analyzer follows them, the range's does not. An id names one of them only with its first
// event's sequence, as an id may be made again once freed.
class Earlier {
public:
    Earlier(const State& whole, const State& own) {
        for (const Live& live : whole.live) {
            const Live* followed = liveOf(own.live, live.id);
            if (followed == nullptr || followed->sequence != live.sequence) {
                live_.push_back(live);
                stackOf_.push_back(whole.sites[live.site].cost.stackId);
            }
        }
    }
    // The one of `id` made at `sequence`, or nullptr.
    const Live* find(AllocationId id, std::int64_t sequence) const {
        const Live* live = liveOf(live_, id);
        return live != nullptr && live->sequence == sequence ? live : nullptr;
    }
    StackId stackOf(const Live& live) const {
        return stackOf_[static_cast<std::size_t>(&live - live_.data())];
    }
    const std::vector<Live>& live() const { return live_; }
    // What those of `live` (a later point's) hold.
    std::uint64_t heldIn(const std::vector<Live>& live) const {
        std::uint64_t held = 0;
        for (const Live& entry : live) {
            held += find(entry.id, entry.sequence) != nullptr ? entry.heldBytes : 0;
        }
        return held;
    }

private:
    std::vector<Live> live_;  // by id
    std::vector<StackId> stackOf_;
};

// Whether the range's state `own` at the point after event `point` goes on as the whole
// recording's `whole` there does, for the range's allocations: each is the whole's, with the same
// figures, and no thread that allocates or frees again (`ends`) last made an allocation before
// the range that is live, as it could still free it at once or give it another chunk, which
// changes the whole's figures but not the range's.
bool splitsAt(const State& whole, const State& own, const AllocationEnds& ends,
              std::int64_t point) {
    for (const Live& live : own.live) {
        const Live* same = liveOf(whole.live, live.id);
        if (same == nullptr || same->sequence != live.sequence ||
            same->requestedBytes != live.requestedBytes || same->heldBytes != live.heldBytes ||
            same->liveChunks != live.liveChunks || same->tier != live.tier ||
            same->temporary != live.temporary ||
            whole.sites[same->site].cost.stackId != own.sites[live.site].cost.stackId) {
            return false;
        }
    }
    return std::none_of(whole.threads.begin(), whole.threads.end(), [&](const State::Thread& t) {
        const Live* last = t.lastIsLive ? liveOf(whole.live, t.lastAllocation) : nullptr;
        const Live* followed = last != nullptr ? liveOf(own.live, last->id) : nullptr;
        return last != nullptr && (followed == nullptr || followed->sequence != last->sequence) &&
               ends.lastSequenceOf(t.threadId) > point;
    });
}

// A stretch of the recording after the split, from one resume point to the next or to the end,
// and what bounds the range's most held in it.
struct Stretch {
    std::int64_t afterSequence = 0;  // its first event is the next
    std::int64_t lastSequence = 0;
    // An upper bound of the range's most held in it, and a value the range reaches in it.
    std::uint64_t mostBound = 0;
    std::uint64_t reached = 0;
};

// The figures of a boundary between stretches: what the recording holds there, what the
// earlier allocations hold, the most the recording held since the boundary before (and
// whether that is exact, or only the recording's peak so far).
struct Boundary {
    std::int64_t lastSequence = 0;
    std::uint64_t held = 0;
    std::uint64_t earlierHeld = 0;
    std::uint64_t mostSince = 0;
    bool mostKnown = false;
    std::uint64_t peakSoFar = 0;
};

Boundary boundaryOf(std::int64_t lastSequence, const State& state, const Earlier& earlier) {
    return {lastSequence,
            state.heldBytes,
            earlier.heldIn(state.live),
            state.heldMostSincePoint.value_or(state.analysis.peakBytes),
            state.heldMostSincePoint.has_value(),
            state.analysis.peakBytes};
}

// The recording's end as a boundary, from its summary.
Boundary boundaryAtTheEnd(std::int64_t total, const AllocationAnalysis& atEnd,
                          const AllocationEnds& ends, const Earlier& earlier) {
    Boundary last{total,
                  0,
                  0,
                  ends.heldMostSinceLastPoint.value_or(atEnd.peakBytes),
                  ends.heldMostSinceLastPoint.has_value(),
                  atEnd.peakBytes};
    for (const AllocationEnds::LeftLive& left : ends.leftLive) {
        last.held += left.heldBytes;
        last.earlierHeld +=
            earlier.find(left.allocationId, left.firstSequence) != nullptr ? left.heldBytes : 0;
    }
    return last;
}

// The stretch between two boundaries. The range holds what the recording holds less what the
// earlier allocations hold, which only falls after the split (their frees; no later rent of
// theirs is possible, the recording having no late rents and no thread's last allocation being
// one of them): so the most the recording held in it less what they hold at its end bounds the
// range's most there, and that most less what they held at its start is reached.
Stretch stretchBetween(const Boundary& from, const Boundary& to) {
    Stretch stretch;
    stretch.afterSequence = from.lastSequence;
    stretch.lastSequence = to.lastSequence;
    // Without a stored most, the peak so far is exact when it rose in the stretch.
    const bool exact = to.mostKnown || to.peakSoFar > from.peakSoFar;
    stretch.mostBound = to.mostSince - to.earlierHeld;
    stretch.reached =
        std::max(to.held - to.earlierHeld, exact ? to.mostSince - from.earlierHeld : 0);
    return stretch;
}

// Applies the events after `afterSequence` up to `lastSequence` (the end when it is the
// recording's last) to `analyzer`, stopping early once its peak is `enough`, which no later
// event can pass. Whether `progress` let it go on.
bool applyStretch(const RecordingReader& reader, AllocationAnalyzer& analyzer,
                  std::int64_t afterSequence, std::int64_t lastSequence, std::uint64_t enough,
                  std::int64_t total, const AllocationAnalyzer::Progress& progress) {
    std::int64_t read = afterSequence;
    bool going = true;
    RecordingEventBlocks::forEach(
        reader,
        [&](std::span<const MemoryEvent> events) {
            const auto wanted = static_cast<std::size_t>(
                std::min<std::int64_t>(lastSequence - read, std::ssize(events)));
            analyzer.apply(events.first(wanted));
            read += static_cast<std::int64_t>(wanted);
            going = !progress ||
                    progress(static_cast<std::uint64_t>(read), static_cast<std::uint64_t>(total));
            return going && read < lastSequence && analyzer.peakBytes() < enough;
        },
        0, afterSequence, lastSequence + 1, EventBlockCodec::Fields::Allocations);
    return going;
}

// The state a stretch's pass begins from: the whole recording's at its first point, the earlier
// allocations left out, its peak the range's most so far. Every site with a live allocation
// counts as moved since that peak, the peak figures all 0, so a new peak takes every site's held.
State stretchStart(State whole, const Earlier& earlier, std::uint64_t peakBytes,
                   std::int64_t peakNanoseconds) {
    std::erase_if(whole.live, [&](const Live& live) {
        return earlier.find(live.id, live.sequence) != nullptr;
    });
    for (State::Site& site : whole.sites) {
        const StackId stackId = site.cost.stackId;
        site = State::Site{};
        site.cost.stackId = stackId;
    }
    whole.heldBytes = 0;
    for (const Live& live : whole.live) {
        State::Site& site = whole.sites[live.site];
        site.heldBytes += live.heldBytes;
        site.heldAllocations += 1;
        site.changedSincePeak = true;
        whole.heldBytes += live.heldBytes;
    }
    whole.analysis.peakBytes = peakBytes;
    whole.analysis.peakNanoseconds = peakNanoseconds;
    whole.analysis.sizes = {};
    whole.lateRents = 0;
    return whole;
}

// The range's figures per site at a later moment: its own up to the split, plus what the whole
// recording's moved from the split to then (`later`, its figures then, less `wholeAtSplit`'s),
// its figures at the peak those of `peakSites`. Unsigned, so a step that takes away may pass below
// 0 for a moment: the sums come out.
std::map<StackId, CallSiteCost> figuresBySite(const State& own, const State& wholeAtSplit,
                                              const std::vector<CallSiteCost>& later,
                                              const std::vector<CallSiteCost>& peakSites) {
    std::map<StackId, CallSiteCost> sites;
    const auto moved = [&sites](const CallSiteCost& cost, std::uint64_t sign) {
        CallSiteCost& site = sites[cost.stackId];
        site.stackId = cost.stackId;
        site.allocations += sign * cost.allocations;
        site.bytes += sign * cost.bytes;
        site.temporaryAllocations += sign * cost.temporaryAllocations;
        site.temporaryBytes += sign * cost.temporaryBytes;
    };
    for (const State::Site& site : own.sites) {
        moved(site.cost, 1);
    }
    for (const CallSiteCost& site : later) {
        moved(site, 1);
    }
    for (const State::Site& site : wholeAtSplit.sites) {
        moved(site.cost, ~std::uint64_t{0});
    }
    for (const CallSiteCost& peak : peakSites) {
        CallSiteCost& site = sites[peak.stackId];
        site.stackId = peak.stackId;
        site.peakAllocations = peak.peakAllocations;
        site.peakBytes = peak.peakBytes;
    }
    return sites;
}

// The range's sizes at a later moment: its own up to the split, plus the whole recording's since
// (`later` less `wholeAtSplit`'s), less those of the earlier allocations that ended by then
// (`endedEarlier` tells which).
template <typename Ended>
SizeHistogram sizesThen(const State& own, const State& wholeAtSplit, const SizeHistogram& later,
                        const Earlier& earlier, Ended endedEarlier) {
    SizeHistogram sizes = own.analysis.sizes;
    sizes += later;
    sizes -= wholeAtSplit.analysis.sizes;
    for (const Live& live : earlier.live()) {
        if (live.tier != MemoryTier::Descriptor && endedEarlier(live)) {
            sizes.remove(live.requestedBytes);
        }
    }
    return sizes;
}

std::vector<CallSiteCost> costsOf(const std::vector<State::Site>& sites) {
    std::vector<CallSiteCost> costs;
    costs.reserve(sites.size());
    for (const State::Site& site : sites) {
        costs.push_back(site.cost);
    }
    return costs;
}

// The range's whole state at a later point, from the whole recording's there (`whole`): the
// live allocations but the earlier ones, as a stretch begins; its sites only those it has met,
// with their figures then, each counted as moved since the peak.
std::optional<State> rangeStateAt(State whole, const State& own, const State& wholeAtSplit,
                                  const Earlier& earlier, std::uint64_t peakBytes,
                                  std::int64_t peakNanoseconds,
                                  const std::vector<CallSiteCost>& peakSites) {
    std::map<StackId, CallSiteCost> figures =
        figuresBySite(own, wholeAtSplit, costsOf(whole.sites), peakSites);
    const SizeHistogram sizes =
        sizesThen(own, wholeAtSplit, whole.analysis.sizes, earlier, [&](const Live& live) {
            const Live* still = liveOf(whole.live, live.id);
            return still == nullptr || still->sequence != live.sequence;
        });
    State state = stretchStart(std::move(whole), earlier, peakBytes, peakNanoseconds);
    std::vector<State::Site> sites;
    std::vector<std::uint32_t> position(state.sites.size());
    for (std::size_t index = 0; index < state.sites.size(); ++index) {
        const State::Site& site = state.sites[index];
        const CallSiteCost& cost = figures[site.cost.stackId];
        if (cost.allocations == 0 && site.heldAllocations > 0) {
            return std::nullopt;  // a live allocation of the range at a site it never met
        }
        if (cost.allocations > 0) {
            position[index] = static_cast<std::uint32_t>(sites.size());
            sites.push_back({cost, site.heldBytes, site.heldAllocations, true});
        }
    }
    for (Live& live : state.live) {
        live.site = position[live.site];
    }
    state.sites = std::move(sites);
    state.analysis.sizes = sizes;
    state.heldMostSincePoint.reset();
    return state;
}

// A range to the end's figures: its own up to the split, the summary's since (less the split's),
// the leaks the summary's less the earlier allocations', the sizes less all of theirs, the
// figures at the peak those of `peakSites`.
AllocationAnalysis analysisToTheEnd(const State& own, const State& wholeAtSplit,
                                    const AllocationAnalysis& atEnd, const AllocationEnds& ends,
                                    const Earlier& earlier,
                                    const std::vector<CallSiteCost>& peakSites) {
    AllocationAnalysis analysis;
    analysis.firstEventNanoseconds = own.analysis.firstEventNanoseconds;
    analysis.events = atEnd.events;
    std::map<StackId, CallSiteCost> sites =
        figuresBySite(own, wholeAtSplit, atEnd.sites, peakSites);
    for (const CallSiteCost& site : atEnd.sites) {
        sites[site.stackId].leakedAllocations += site.leakedAllocations;
        sites[site.stackId].leakedBytes += site.leakedBytes;
    }
    for (const Live& live : earlier.live()) {
        if (const AllocationEnds::LeftLive* left = ends.leftLiveOf(live.id);
            left != nullptr && left->firstSequence == live.sequence) {
            CallSiteCost& site = sites[earlier.stackOf(live)];
            site.leakedAllocations -= 1;
            site.leakedBytes -= left->heldBytes;
        }
    }
    for (const auto& [stackId, site] : sites) {
        if (site.allocations > 0) {
            analysis.sites.push_back(site);
        }
    }
    analysis.sizes =
        sizesThen(own, wholeAtSplit, atEnd.sizes, earlier, [](const Live&) { return true; });
    return analysis;
}

}  // namespace

std::optional<AllocationAnalysis> LongRangeAnalysis::of(
    const RecordingReader& reader, const AnalysisRange& range,
    const AllocationAnalyzer::Progress& progress) {
    const AnalysisRange whole;
    if (range.fromNanoseconds <= whole.fromNanoseconds || reader.schemaVersion() < 3) {
        return std::nullopt;
    }
    const bool toEnd = range.toNanoseconds == whole.toNanoseconds;
    const std::optional<AllocationAnalysis> atEnd = AnalysisSummary::allocationsOf(reader);
    const std::optional<AllocationEnds> ends =
        atEnd ? AnalysisSummary::allocationEndsOf(reader) : std::nullopt;
    if (!ends || ends->lateRents > 0) {
        return std::nullopt;
    }
    const std::int64_t total = std::max<std::int64_t>(0, reader.lastEventSequence());
    const std::int64_t skipped = reader.lastEventOfBlocksBefore(range.fromNanoseconds);
    // A point the range parts at must have every later event in the range, and one its state
    // is made at every earlier event no later than its end: then each allocation made between
    // them is the range's, as the whole recording's.
    const std::int64_t inRangeFrom = reader.firstEventOfBlocksAfter(range.fromNanoseconds - 1);
    const std::int64_t inRangeTo =
        toEnd ? total : reader.lastEventOfBlocksBefore(range.toNanoseconds + 1);
    std::vector<RecordedResumePoint> points =
        reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
    // A point whose every event lies in the range is the whole recording's state for it: the
    // pass goes on from the last such point (a range from the recording's start).
    if (std::any_of(points.begin(), points.end(), [&](const RecordedResumePoint& point) {
            return range.contains(point.earliestNanoseconds) &&
                   range.contains(point.latestNanoseconds);
        })) {
        return std::nullopt;
    }
    std::erase_if(points, [&](const RecordedResumePoint& point) {
        return point.lastSequence < std::max(skipped, inRangeFrom - 1) ||
               point.lastSequence > inRangeTo;
    });
    // A range that ends early gains only from two points inside it.
    if (points.size() < (toEnd ? 1u : 2u)) {
        return std::nullopt;
    }
    std::sort(points.begin(), points.end(),
              [](const RecordedResumePoint& a, const RecordedResumePoint& b) {
                  return a.lastSequence < b.lastSequence;
              });

    // The range's own pass up to the first point where it parts from the whole recording's;
    // at none, a pass from the last.
    const std::int64_t chunkBytes = reader.metaInteger("chunk_bytes");
    AllocationAnalyzer own(range, chunkBytes);
    if (skipped > 0) {
        own.skipBefore(static_cast<std::uint64_t>(skipped), atEnd->firstEventNanoseconds);
    }
    const std::unique_ptr<SqliteDatabase> connection = reader.otherConnection();
    std::optional<std::pair<State, State>> split;  // the whole recording's, the range's
    std::size_t splitPoint = 0;
    std::int64_t read = skipped;
    bool going = true;
    RecordingEventBlocks::forEach(
        reader,
        [&](std::span<const MemoryEvent> events) {
            do {
                const std::int64_t stop = points[splitPoint].lastSequence;
                const auto take = static_cast<std::size_t>(
                    std::min<std::int64_t>(std::ssize(events), stop - read));
                own.apply(events.first(take));
                events = events.subspan(take);
                read += static_cast<std::int64_t>(take);
                if (read == stop) {
                    std::optional<State> wholeThere = stateAt(reader, *connection, stop);
                    if (wholeThere) {
                        State ownThere = own.state();
                        if (splitsAt(*wholeThere, ownThere, *ends, stop)) {
                            split.emplace(std::move(*wholeThere), std::move(ownThere));
                            return false;
                        }
                    }
                    if (splitPoint + 1 == points.size()) {
                        return false;
                    }
                    ++splitPoint;
                }
            } while (!events.empty());
            going = !progress ||
                    progress(static_cast<std::uint64_t>(read), static_cast<std::uint64_t>(total));
            return going;
        },
        0, skipped, std::numeric_limits<std::int64_t>::max(), EventBlockCodec::Fields::Allocations);
    if (!going) {
        return own.finish();  // stopped: what the events read so far say
    }
    // Parted nowhere, or, for a range that ends early, at its last point: a pass from there.
    if (!split || (!toEnd && splitPoint + 1 == points.size())) {
        return AllocationAnalyzer::passOn(std::move(own), reader, range, read, progress);
    }
    const State& wholeAtSplit = split->first;
    const State& ownAtSplit = split->second;
    const Earlier earlier(wholeAtSplit, ownAtSplit);

    // The stretches after the split, and what bounds the range's most held in each; the last
    // point's state kept, for a range that ends early.
    std::vector<Boundary> boundaries{
        boundaryOf(points[splitPoint].lastSequence, wholeAtSplit, earlier)};
    std::optional<State> lastPoint;
    for (std::size_t point = splitPoint + 1; point < points.size(); ++point) {
        lastPoint = stateAt(reader, *connection, points[point].lastSequence);
        if (!lastPoint) {
            return std::nullopt;
        }
        boundaries.push_back(boundaryOf(points[point].lastSequence, *lastPoint, earlier));
    }
    if (toEnd) {
        boundaries.push_back(boundaryAtTheEnd(total, *atEnd, *ends, earlier));
    }
    std::vector<Stretch> stretches;
    std::uint64_t reached = ownAtSplit.analysis.peakBytes;
    for (std::size_t i = 0; i + 1 < boundaries.size(); ++i) {
        stretches.push_back(stretchBetween(boundaries[i], boundaries[i + 1]));
        reached = std::max(reached, stretches.back().reached);
    }

    // The peak: the stretches that may hold it read in order, each from its first point, a
    // later one taking the peak only with more.
    std::uint64_t peakBytes = ownAtSplit.analysis.peakBytes;
    std::int64_t peakNanoseconds = ownAtSplit.analysis.peakNanoseconds;
    std::vector<CallSiteCost> peakSites = costsOf(ownAtSplit.sites);
    // The most any stretch from each on may hold: a peak that reaches it is theirs.
    std::vector<std::uint64_t> mostFrom(stretches.size() + 1, 0);
    for (std::size_t i = stretches.size(); i-- > 0;) {
        const bool mayHold = stretches[i].mostBound >= reached;
        mostFrom[i] = std::max(mostFrom[i + 1], mayHold ? stretches[i].mostBound : 0);
    }
    for (std::size_t i = 0; i < stretches.size() && going && peakBytes < mostFrom[i]; ++i) {
        const Stretch& stretch = stretches[i];
        if (stretch.mostBound < reached || stretch.mostBound <= peakBytes ||
            stretch.lastSequence == stretch.afterSequence) {
            continue;
        }
        std::optional<State> start =
            i == 0 ? wholeAtSplit : stateAt(reader, *connection, stretch.afterSequence);
        if (!start) {
            return std::nullopt;
        }
        AllocationAnalyzer pass(
            stretchStart(std::move(*start), earlier, peakBytes, peakNanoseconds), range,
            chunkBytes);
        going = applyStretch(reader, pass, stretch.afterSequence, stretch.lastSequence, mostFrom[i],
                             total, progress);
        AllocationAnalysis found = pass.finish();
        if (found.peakBytes > peakBytes) {
            peakBytes = found.peakBytes;
            peakNanoseconds = found.peakNanoseconds;
            peakSites = std::move(found.sites);
        }
    }
    if (!going) {
        return own.finish();
    }

    if (!toEnd) {
        // The range's state at its last point, and a pass on from there as any range's.
        std::optional<State> there = rangeStateAt(std::move(*lastPoint), ownAtSplit, wholeAtSplit,
                                                  earlier, peakBytes, peakNanoseconds, peakSites);
        if (!there) {
            return std::nullopt;
        }
        return AllocationAnalyzer::passOn(AllocationAnalyzer(*there, range, chunkBytes), reader,
                                          range, points.back().lastSequence, progress);
    }
    AllocationAnalysis analysis =
        analysisToTheEnd(ownAtSplit, wholeAtSplit, *atEnd, *ends, earlier, peakSites);
    analysis.range = range;
    analysis.peakBytes = peakBytes;
    analysis.peakNanoseconds = peakNanoseconds;
    analysis.thresholds = SizeHistogram::poolThresholds(chunkBytes);
    if (progress) {
        progress(static_cast<std::uint64_t>(total), static_cast<std::uint64_t>(total));
    }
    return analysis;
}

}  // namespace poolscope
