#include "analysis/AllocationAnalyzer.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>

#include "analysis/AnalysisResumeCodec.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/LongRangeAnalysis.h"
#include "diagnostics/AllocationEvents.h"
#include "recording/RecordingError.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingReader.h"

namespace poolscope {

CallSiteCost AllocationAnalysis::total() const {
    CallSiteCost total;
    for (const CallSiteCost& site : sites) {
        total += site;
    }
    return total;
}

AllocationAnalyzer::AllocationAnalyzer(AnalysisRange range, std::int64_t chunkBytes) {
    analysis_.range = range;
    analysis_.thresholds = SizeHistogram::poolThresholds(chunkBytes);
}

bool operator==(const AllocationAnalyzer::State& a, const AllocationAnalyzer::State& b) {
    const auto figures = [](const AllocationAnalysis& analysis) {
        return std::tie(analysis.events, analysis.firstEventNanoseconds, analysis.peakBytes,
                        analysis.peakNanoseconds, analysis.sizes);
    };
    return figures(a.analysis) == figures(b.analysis) && a.sites == b.sites && a.live == b.live &&
           a.threads == b.threads && a.heldBytes == b.heldBytes && a.lateRents == b.lateRents &&
           a.sawEvent == b.sawEvent && a.heldMostSincePoint == b.heldMostSincePoint;
}

AllocationAnalyzer::State AllocationAnalyzer::state() const {
    State state;
    state.analysis = analysis_;
    state.analysis.sites.clear();
    state.analysis.thresholds.clear();
    // The sites by stack id, as a summary stores them; the live allocations' sites follow.
    std::vector<std::uint32_t> byStack(sites_.size());
    for (std::uint32_t index = 0; index < byStack.size(); ++index) {
        byStack[index] = index;
    }
    std::sort(byStack.begin(), byStack.end(), [this](std::uint32_t a, std::uint32_t b) {
        return sites_[a].stackId < sites_[b].stackId;
    });
    std::vector<std::uint32_t> position(sites_.size());
    state.sites.reserve(sites_.size());
    for (const std::uint32_t index : byStack) {
        position[index] = static_cast<std::uint32_t>(state.sites.size());
        const SiteHeld& held = held_[index];
        CallSiteCost cost = sites_[index];
        cost.allocations = held.allocations;
        cost.bytes = held.bytes;
        cost.temporaryAllocations = held.temporaryAllocations;
        cost.temporaryBytes = held.temporaryBytes;
        state.sites.push_back({cost, held.heldBytes, held.heldAllocations, held.changedSincePeak});
    }
    live_.forEach([&](AllocationId id, const Live& live) {
        state.live.push_back({id, live.sequence, live.requestedBytes, live.heldBytes,
                              position[live.site], live.liveChunks, live.tier, live.temporary});
    });
    std::sort(
        state.live.begin(), state.live.end(),
        [](const State::LiveAllocation& a, const State::LiveAllocation& b) { return a.id < b.id; });
    lastAllocationOfThread_.forEach([&state](std::uint64_t threadId, const LastAllocation& last) {
        state.threads.push_back(
            {static_cast<std::uint32_t>(threadId), last.id, last.lastSequence, last.valid});
    });
    std::sort(
        state.threads.begin(), state.threads.end(),
        [](const State::Thread& a, const State::Thread& b) { return a.threadId < b.threadId; });
    state.heldBytes = heldBytes_;
    state.lateRents = lateRents_;
    state.sawEvent = sawEvent_;
    state.heldMostSincePoint = heldMostSincePoint_;
    return state;
}

AllocationAnalyzer::AllocationAnalyzer(const State& state, AnalysisRange range,
                                       std::int64_t chunkBytes)
    : AllocationAnalyzer(range, chunkBytes) {
    analysis_.events = state.analysis.events;
    analysis_.firstEventNanoseconds = state.analysis.firstEventNanoseconds;
    analysis_.peakBytes = state.analysis.peakBytes;
    analysis_.peakNanoseconds = state.analysis.peakNanoseconds;
    analysis_.sizes = state.analysis.sizes;
    for (const State::Site& site : state.sites) {
        const std::uint32_t index = siteOf(site.cost.stackId);
        CallSiteCost& cost = sites_[index];
        cost.peakAllocations = site.cost.peakAllocations;
        cost.peakBytes = site.cost.peakBytes;
        SiteHeld& held = held_[index];
        held.allocations = site.cost.allocations;
        held.bytes = site.cost.bytes;
        held.temporaryAllocations = site.cost.temporaryAllocations;
        held.temporaryBytes = site.cost.temporaryBytes;
        held.heldBytes = site.heldBytes;
        held.heldAllocations = site.heldAllocations;
        if (site.changedSincePeak) {
            changed(index);
        }
    }
    for (const State::LiveAllocation& live : state.live) {
        // The sites were met in the state's order, so an index is the same site here.
        live_.tryEmplace(live.id, Live{live.sequence, live.requestedBytes, live.heldBytes,
                                       live.site, live.liveChunks, live.tier, live.temporary});
    }
    for (const State::Thread& thread : state.threads) {
        lastAllocationOfThread_.tryEmplace(
            thread.threadId, {thread.lastAllocation, thread.lastSequence, thread.lastIsLive});
    }
    heldBytes_ = state.heldBytes;
    heldMostSincePoint_ = state.heldMostSincePoint.value_or(state.heldBytes);
    lateRents_ = state.lateRents;
    sawEvent_ = state.sawEvent;
}

void AllocationAnalyzer::apply(const MemoryEvent& event) {
    if (!sawEvent_) {
        sawEvent_ = true;
        analysis_.firstEventNanoseconds = event.timeNanoseconds;
    }
    analysis_.events += 1;
    if (isAllocation(event.kind)) {
        allocate(event);
    } else if (isFree(event.kind)) {
        free(event);
    }
}

void AllocationAnalyzer::apply(std::span<const MemoryEvent> events) {
    // Far enough ahead that the memory arrives before the event is applied, near enough that
    // what arrived is still in the cache. A site is found by its stack, which a free carries
    // too where its recording knows it.
    constexpr std::size_t kEntryAhead = 8;
    constexpr std::size_t kSiteAhead = 4;
    const std::size_t count = events.size();
    for (std::size_t i = 0; i < count; ++i) {
        if (i + kEntryAhead < count) {
            live_.prefetch(events[i + kEntryAhead].allocationId);
        }
        if (i + kSiteAhead < count) {
            if (const std::uint32_t known = siteOfStack_.peek(events[i + kSiteAhead].stackId);
                known != StackIndex::kNone) {
                __builtin_prefetch(&held_[known]);
            }
        }
        apply(events[i]);
    }
}

void AllocationAnalyzer::skipBefore(std::uint64_t events, std::int64_t firstEventNanoseconds) {
    if (!sawEvent_) {
        sawEvent_ = true;
        analysis_.firstEventNanoseconds = firstEventNanoseconds;
    }
    analysis_.events += events;
}

void AllocationAnalyzer::allocate(const MemoryEvent& event) {
    const auto sequence = static_cast<std::int64_t>(analysis_.events);
    LastAllocation& last = *lastAllocationOfThread_.tryEmplace(event.threadId, {}).first;
    // Another chunk of an allocation follows its thread's rent of it; any other rent of a live
    // allocation is late.
    const bool continuesItsRent = last.valid && last.id == event.allocationId;
    last = {event.allocationId, sequence, true};
    Live* found = nullptr;
    if (analysis_.range.contains(event.timeNanoseconds)) {
        // One probe whether the allocation is new or another chunk of a live one.
        const auto [entry, made] = live_.tryEmplace(event.allocationId, Live{});
        found = entry;
        if (made) {
            found->sequence = sequence;
            found->site = siteOf(event.stackId);
            found->tier = event.tier;
            SiteHeld& site = held_[found->site];
            site.allocations += 1;
            site.heldAllocations += 1;
        } else if (!continuesItsRent) {
            ++lateRents_;
        }
    } else {
        found = live_.find(event.allocationId);
        if (found == nullptr) {
            return;
        }
        lateRents_ += continuesItsRent ? 0 : 1;
    }
    Live& allocation = *found;
    allocation.requestedBytes += event.bytes;
    allocation.heldBytes += event.bytes;
    allocation.liveChunks += 1;
    SiteHeld& site = held_[allocation.site];
    site.bytes += event.bytes;
    site.heldBytes += event.bytes;
    changed(allocation.site);
    heldBytes_ += event.bytes;
    heldMostSincePoint_ = std::max(heldMostSincePoint_, heldBytes_);
    if (heldBytes_ > analysis_.peakBytes) {
        analysis_.peakBytes = heldBytes_;
        analysis_.peakNanoseconds = event.timeNanoseconds;
        for (const std::uint32_t index : changedSincePeak_) {
            SiteHeld& moved = held_[index];
            sites_[index].peakBytes = moved.heldBytes;
            sites_[index].peakAllocations = moved.heldAllocations;
            moved.changedSincePeak = false;
        }
        changedSincePeak_.clear();
    }
}

void AllocationAnalyzer::free(const MemoryEvent& event) {
    LastAllocation& last = *lastAllocationOfThread_.tryEmplace(event.threadId, {}).first;
    const bool followsItsAllocation = last.valid && last.id == event.allocationId;
    last.valid = false;
    last.lastSequence = static_cast<std::int64_t>(analysis_.events);
    Live* const found = live_.find(event.allocationId);
    if (found == nullptr) {
        return;  // made before the range, or before the recording began
    }
    Live& allocation = *found;
    if (followsItsAllocation && !allocation.temporary) {
        allocation.temporary = true;
        SiteHeld& site = held_[allocation.site];
        site.temporaryAllocations += 1;
        site.temporaryBytes += allocation.requestedBytes;
    }
    allocation.liveChunks -= 1;
    if (allocation.liveChunks > 0) {
        release(allocation, std::min(event.bytes, allocation.heldBytes));
        return;
    }
    release(allocation, allocation.heldBytes);
    held_[allocation.site].heldAllocations -= 1;
    end(allocation);
    live_.erase(event.allocationId);
}

void AllocationAnalyzer::release(Live& allocation, std::uint64_t bytes) {
    allocation.heldBytes -= bytes;
    held_[allocation.site].heldBytes -= bytes;
    heldBytes_ -= bytes;
    changed(allocation.site);
}

void AllocationAnalyzer::end(const Live& allocation) {
    if (allocation.tier != MemoryTier::Descriptor) {
        analysis_.sizes.add(allocation.requestedBytes);
    }
}

std::uint32_t AllocationAnalyzer::siteOf(StackId stackId) {
    const auto [site, added] = siteOfStack_.indexOf(stackId);
    if (added) {
        CallSiteCost cost;
        cost.stackId = stackId;
        sites_.push_back(cost);
        held_.emplace_back();
    }
    return site;
}

void AllocationAnalyzer::changed(std::uint32_t site) {
    if (!held_[site].changedSincePeak) {
        held_[site].changedSincePeak = true;
        changedSincePeak_.push_back(site);
    }
}

AllocationAnalysis AllocationAnalyzer::finish() {
    live_.forEach([this](AllocationId, const Live& allocation) {
        CallSiteCost& site = sites_[allocation.site];
        site.leakedAllocations += 1;
        site.leakedBytes += allocation.heldBytes;
        end(allocation);
    });
    live_.clear();
    analysis_.sites.clear();
    for (std::size_t index = 0; index < sites_.size(); ++index) {
        CallSiteCost site = sites_[index];
        site.allocations = held_[index].allocations;
        site.bytes = held_[index].bytes;
        site.temporaryAllocations = held_[index].temporaryAllocations;
        site.temporaryBytes = held_[index].temporaryBytes;
        analysis_.sites.push_back(site);
    }
    std::sort(analysis_.sites.begin(), analysis_.sites.end(),
              [](const CallSiteCost& a, const CallSiteCost& b) { return a.stackId < b.stackId; });
    return analysis_;
}

AllocationEnds AllocationAnalyzer::ends() const {
    AllocationEnds ends;
    ends.lateRents = lateRents_;
    ends.heldMostSinceLastPoint = heldMostSincePoint_;
    live_.forEach([&ends](AllocationId id, const Live& allocation) {
        ends.leftLive.push_back({id, allocation.sequence, allocation.heldBytes});
    });
    std::sort(ends.leftLive.begin(), ends.leftLive.end(),
              [](const AllocationEnds::LeftLive& a, const AllocationEnds::LeftLive& b) {
                  return a.allocationId < b.allocationId;
              });
    lastAllocationOfThread_.forEach([&ends](std::uint64_t threadId, const LastAllocation& last) {
        ends.threads.push_back({static_cast<std::uint32_t>(threadId), last.lastSequence});
    });
    std::sort(ends.threads.begin(), ends.threads.end(),
              [](const AllocationEnds::ThreadEnd& a, const AllocationEnds::ThreadEnd& b) {
                  return a.threadId < b.threadId;
              });
    return ends;
}

bool AllocationAnalyzer::awaitsLaterEvents(const AllocationEnds& ends) const {
    if (ends.lateRents > 0) {
        return true;
    }
    const auto applied = static_cast<std::int64_t>(analysis_.events);
    bool awaits = false;
    lastAllocationOfThread_.forEach([&](std::uint64_t threadId, const LastAllocation& last) {
        awaits = awaits || (last.valid && live_.find(last.id) != nullptr &&
                            ends.lastSequenceOf(static_cast<std::uint32_t>(threadId)) > applied);
    });
    return awaits;
}

bool AllocationAnalyzer::settle(const AllocationEnds& ends, std::uint64_t recordingEvents) {
    const auto applied = static_cast<std::int64_t>(analysis_.events);
    // Ids are told apart among live allocations only: one live at the end is this one when it
    // was made by now, as this one is live now.
    const auto liveAtTheEnd = [&](AllocationId id) -> const AllocationEnds::LeftLive* {
        const AllocationEnds::LeftLive* left = ends.leftLiveOf(id);
        return left != nullptr && left->firstSequence <= applied ? left : nullptr;
    };
    bool settles = true;
    live_.forEach([&](AllocationId id, const Live& allocation) {
        const AllocationEnds::LeftLive* left = liveAtTheEnd(id);
        settles = settles && (left == nullptr || left->firstSequence == allocation.sequence);
    });
    if (!settles) {
        return false;
    }
    live_.forEach([&](AllocationId id, const Live& allocation) {
        if (const AllocationEnds::LeftLive* left = liveAtTheEnd(id)) {
            CallSiteCost& site = sites_[allocation.site];
            site.leakedAllocations += 1;
            site.leakedBytes += left->heldBytes;
        }
        end(allocation);
    });
    live_.clear();
    analysis_.events = std::max(analysis_.events, recordingEvents);
    return true;
}

AllocationAnalysis AllocationAnalyzer::of(const RecordingReader& reader, const AnalysisRange& range,
                                          const Progress& progress) {
    const AnalysisRange whole;
    if (range.fromNanoseconds == whole.fromNanoseconds &&
        range.toNanoseconds == whole.toNanoseconds) {
        if (std::optional<AllocationAnalysis> summary = AnalysisSummary::allocationsOf(reader)) {
            if (progress) {
                progress(summary->events, summary->events);
            }
            return std::move(*summary);
        }
    }
    if (std::optional<AllocationAnalysis> longRange =
            LongRangeAnalysis::of(reader, range, progress)) {
        return std::move(*longRange);
    }
    return pass(reader, range, progress);
}

namespace {

// The state at the recording's last resume point whose events are all in `range`, with the
// point's last event; none without one that reads back.
std::optional<std::pair<AllocationAnalyzer::State, std::int64_t>> resumedFor(
    const RecordingReader& reader, const AnalysisRange& range) {
    const std::vector<RecordedResumePoint> points =
        reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
    for (auto point = points.rbegin(); point != points.rend(); ++point) {
        if (!range.contains(point->earliestNanoseconds) ||
            !range.contains(point->latestNanoseconds)) {
            continue;
        }
        try {
            const std::optional<RecordedSummary> part = reader.resumePart(
                AnalysisResumeCodec::kAllocationStateEncoding, point->lastSequence);
            if (part) {
                return std::pair{
                    AnalysisResumeCodec::decodeAllocationState(part->data, reader.path()),
                    point->lastSequence};
            }
        } catch (const RecordingError&) {
            // Damaged: an earlier point, or every event.
        }
    }
    return std::nullopt;
}

}  // namespace

AllocationAnalysis AllocationAnalyzer::pass(const RecordingReader& reader,
                                            const AnalysisRange& range, const Progress& progress) {
    return passFrom(reader, range, progress, true);
}

AllocationAnalysis AllocationAnalyzer::everyEvent(const RecordingReader& reader,
                                                  const AnalysisRange& range,
                                                  const Progress& progress) {
    return passFrom(reader, range, progress, false);
}

AllocationAnalysis AllocationAnalyzer::passFrom(const RecordingReader& reader,
                                                const AnalysisRange& range,
                                                const Progress& progress, bool resume) {
    const std::int64_t chunkBytes = reader.metaInteger("chunk_bytes");
    AllocationAnalyzer analyzer(range, chunkBytes);
    // A range that starts late skips the blocks before it unread: a selection of the last
    // minute of a long recording reads that minute on.
    std::int64_t skipped = 0;
    if (range.fromNanoseconds > AnalysisRange{}.fromNanoseconds) {
        skipped = reader.lastEventOfBlocksBefore(range.fromNanoseconds);
    }
    if (skipped > 0) {
        // The first event's time, from the summary when there is one: reading it decodes the
        // recording's first block.
        std::int64_t firstNanoseconds = 0;
        if (const std::optional<AllocationAnalysis> whole =
                AnalysisSummary::allocationsOf(reader)) {
            firstNanoseconds = whole->firstEventNanoseconds;
        } else if (const std::vector<RecordedEvent> first = reader.events(0, 1); !first.empty()) {
            firstNanoseconds = first.front().event.timeNanoseconds;
        }
        analyzer.skipBefore(static_cast<std::uint64_t>(skipped), firstNanoseconds);
    } else if (auto resumed = resume ? resumedFor(reader, range) : std::nullopt) {
        // Every event up to the point is in the range: the whole recording's analyzer there is
        // this range's.
        analyzer = AllocationAnalyzer(resumed->first, range, chunkBytes);
        skipped = resumed->second;
    }
    return passOn(std::move(analyzer), reader, range, skipped, progress);
}

AllocationAnalysis AllocationAnalyzer::passOn(AllocationAnalyzer analyzer,
                                              const RecordingReader& reader,
                                              const AnalysisRange& range,
                                              std::int64_t afterSequence,
                                              const Progress& progress) {
    const auto total =
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, reader.lastEventSequence()));
    auto read = static_cast<std::uint64_t>(afterSequence);
    // A range that ends early stops soon after it: what its allocations come to later, the
    // recording's summary says.
    std::optional<AllocationEnds> ends;
    std::int64_t laterFrom = std::numeric_limits<std::int64_t>::max();
    if (range.toNanoseconds < AnalysisRange{}.toNanoseconds) {
        ends = AnalysisSummary::allocationEndsOf(reader);
        if (ends) {
            laterFrom = reader.firstEventOfBlocksAfter(range.toNanoseconds);
        }
    }
    bool mayStop = ends.has_value();
    RecordingEventBlocks::forEach(
        reader,
        [&](std::span<const MemoryEvent> events) {
            analyzer.apply(events);
            read += events.size();
            if (mayStop && static_cast<std::int64_t>(read) + 1 >= laterFrom &&
                !analyzer.awaitsLaterEvents(*ends)) {
                // Settled once, or never: what cannot be settled now stays live to the end.
                mayStop = false;
                if (analyzer.settle(*ends, total)) {
                    if (progress) {
                        progress(total, total);
                    }
                    return false;
                }
            }
            return !progress || progress(read, total);
        },
        0, afterSequence, laterFrom, EventBlockCodec::Fields::Allocations);
    return analyzer.finish();
}

}  // namespace poolscope
