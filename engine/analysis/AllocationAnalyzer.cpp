#include "analysis/AllocationAnalyzer.h"

#include <algorithm>

#include "analysis/AnalysisSummary.h"
#include "diagnostics/AllocationEvents.h"
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

void AllocationAnalyzer::skipBefore(std::uint64_t events, std::int64_t firstEventNanoseconds) {
    if (!sawEvent_) {
        sawEvent_ = true;
        analysis_.firstEventNanoseconds = firstEventNanoseconds;
    }
    analysis_.events += events;
}

void AllocationAnalyzer::allocate(const MemoryEvent& event) {
    *lastAllocationOfThread_.tryEmplace(event.threadId, {}).first = {event.allocationId, true};
    Live* found = nullptr;
    if (analysis_.range.contains(event.timeNanoseconds)) {
        // One probe whether the allocation is new or another chunk of a live one.
        const auto [entry, made] = live_.tryEmplace(event.allocationId, Live{});
        found = entry;
        if (made) {
            found->site = siteOf(event.stackId);
            found->tier = event.tier;
            SiteHeld& site = held_[found->site];
            site.allocations += 1;
            site.heldAllocations += 1;
        }
    } else {
        found = live_.find(event.allocationId);
        if (found == nullptr) {
            return;
        }
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
    Live* const found = live_.find(event.allocationId);
    if (found == nullptr) {
        return;  // made before the range, or before the recording began
    }
    Live& allocation = *found;
    if (followsItsAllocation && !allocation.temporary) {
        allocation.temporary = true;
        CallSiteCost& site = sites_[allocation.site];
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
    // Stack ids are numbered from 1 as a recording interns its stacks: most are looked up in
    // an array, which stays in cache where a hash map's entries would not.
    if (stackId < kDirectStacks) {
        if (stackId >= siteOfStack_.size()) {
            siteOfStack_.resize(std::max<std::size_t>(stackId + 1, siteOfStack_.size() * 2), 0);
        }
        std::uint32_t& known = siteOfStack_[stackId];
        if (known == 0) {
            known = newSite(stackId) + 1;
        }
        return known - 1;
    }
    const auto [found, added] =
        siteIndex_.tryEmplace(stackId, static_cast<std::uint32_t>(sites_.size()));
    if (added) {
        newSite(stackId);
    }
    return *found;
}

std::uint32_t AllocationAnalyzer::newSite(StackId stackId) {
    CallSiteCost site;
    site.stackId = stackId;
    sites_.push_back(site);
    held_.emplace_back();
    return static_cast<std::uint32_t>(sites_.size() - 1);
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
        analysis_.sites.push_back(site);
    }
    std::sort(analysis_.sites.begin(), analysis_.sites.end(),
              [](const CallSiteCost& a, const CallSiteCost& b) { return a.stackId < b.stackId; });
    return analysis_;
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
    return pass(reader, range, progress);
}

AllocationAnalysis AllocationAnalyzer::pass(const RecordingReader& reader,
                                            const AnalysisRange& range, const Progress& progress) {
    AllocationAnalyzer analyzer(range, reader.metaInteger("chunk_bytes"));
    const auto total =
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, reader.lastEventSequence()));
    std::uint64_t read = 0;
    // A range that starts late skips the blocks before it unread: a selection of the last
    // minute of a long recording reads that minute on.
    std::int64_t skipped = 0;
    if (range.fromNanoseconds > AnalysisRange{}.fromNanoseconds) {
        skipped = reader.lastEventOfBlocksBefore(range.fromNanoseconds);
    }
    if (skipped > 0) {
        const std::vector<RecordedEvent> first = reader.events(0, 1);
        analyzer.skipBefore(static_cast<std::uint64_t>(skipped),
                            first.empty() ? 0 : first.front().event.timeNanoseconds);
        read = static_cast<std::uint64_t>(skipped);
    }
    RecordingEventBlocks::forEach(
        reader,
        [&](std::span<const MemoryEvent> events) {
            for (const MemoryEvent& event : events) {
                analyzer.apply(event);
            }
            read += events.size();
            return !progress || progress(read, total);
        },
        0, skipped);
    return analyzer.finish();
}

}  // namespace poolscope
