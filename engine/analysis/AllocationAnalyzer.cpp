#include "analysis/AllocationAnalyzer.h"

#include <algorithm>

#include "analysis/AllocationEvents.h"
#include "recording/RecordingEventPages.h"
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

void AllocationAnalyzer::allocate(const MemoryEvent& event) {
    lastAllocationOfThread_[event.threadId] = {event.allocationId, true};
    auto found = live_.find(event.allocationId);
    if (found == live_.end()) {
        if (!analysis_.range.contains(event.timeNanoseconds)) {
            return;
        }
        Live allocation;
        allocation.site = siteOf(event.stackId);
        allocation.tier = event.tier;
        found = live_.emplace(event.allocationId, allocation).first;
        Site& site = sites_[allocation.site];
        site.cost.allocations += 1;
        site.heldAllocations += 1;
    }
    Live& allocation = found->second;
    allocation.requestedBytes += event.bytes;
    allocation.heldBytes += event.bytes;
    allocation.liveChunks += 1;
    Site& site = sites_[allocation.site];
    site.cost.bytes += event.bytes;
    site.heldBytes += event.bytes;
    changed(allocation.site);
    heldBytes_ += event.bytes;
    if (heldBytes_ > analysis_.peakBytes) {
        analysis_.peakBytes = heldBytes_;
        analysis_.peakNanoseconds = event.timeNanoseconds;
        for (const std::uint32_t index : changedSincePeak_) {
            Site& moved = sites_[index];
            moved.cost.peakBytes = moved.heldBytes;
            moved.cost.peakAllocations = moved.heldAllocations;
            moved.changedSincePeak = false;
        }
        changedSincePeak_.clear();
    }
}

void AllocationAnalyzer::free(const MemoryEvent& event) {
    LastAllocation& last = lastAllocationOfThread_[event.threadId];
    const bool followsItsAllocation = last.valid && last.id == event.allocationId;
    last.valid = false;
    const auto found = live_.find(event.allocationId);
    if (found == live_.end()) {
        return;  // made before the range, or before the recording began
    }
    Live& allocation = found->second;
    if (followsItsAllocation && !allocation.temporary) {
        allocation.temporary = true;
        Site& site = sites_[allocation.site];
        site.cost.temporaryAllocations += 1;
        site.cost.temporaryBytes += allocation.requestedBytes;
    }
    allocation.liveChunks -= 1;
    if (allocation.liveChunks > 0) {
        release(allocation, std::min(event.bytes, allocation.heldBytes));
        return;
    }
    release(allocation, allocation.heldBytes);
    Site& site = sites_[allocation.site];
    site.heldAllocations -= 1;
    end(allocation);
    live_.erase(found);
}

void AllocationAnalyzer::release(Live& allocation, std::uint64_t bytes) {
    allocation.heldBytes -= bytes;
    sites_[allocation.site].heldBytes -= bytes;
    heldBytes_ -= bytes;
    changed(allocation.site);
}

void AllocationAnalyzer::end(const Live& allocation) {
    if (allocation.tier != MemoryTier::Descriptor) {
        analysis_.sizes.add(allocation.requestedBytes);
    }
}

std::uint32_t AllocationAnalyzer::siteOf(StackId stackId) {
    const auto [found, added] =
        siteIndex_.try_emplace(stackId, static_cast<std::uint32_t>(sites_.size()));
    if (added) {
        Site site;
        site.cost.stackId = stackId;
        sites_.push_back(site);
    }
    return found->second;
}

void AllocationAnalyzer::changed(std::uint32_t site) {
    if (!sites_[site].changedSincePeak) {
        sites_[site].changedSincePeak = true;
        changedSincePeak_.push_back(site);
    }
}

AllocationAnalysis AllocationAnalyzer::finish() {
    for (const auto& [id, allocation] : live_) {
        Site& site = sites_[allocation.site];
        site.cost.leakedAllocations += 1;
        site.cost.leakedBytes += allocation.heldBytes;
        end(allocation);
    }
    live_.clear();
    analysis_.sites.clear();
    for (const Site& site : sites_) {
        analysis_.sites.push_back(site.cost);
    }
    std::sort(analysis_.sites.begin(), analysis_.sites.end(),
              [](const CallSiteCost& a, const CallSiteCost& b) { return a.stackId < b.stackId; });
    return analysis_;
}

AllocationAnalysis AllocationAnalyzer::of(const RecordingReader& reader,
                                          const AnalysisRange& range) {
    AllocationAnalyzer analyzer(range, reader.metaInteger("chunk_bytes"));
    RecordingEventPages::forEach(reader, [&analyzer](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            analyzer.apply(recorded.event);
        }
    });
    return analyzer.finish();
}

}  // namespace poolscope
