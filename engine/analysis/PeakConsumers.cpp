#include "analysis/PeakConsumers.h"

#include <algorithm>
#include <map>

namespace poolscope {

PeakConsumers PeakConsumers::of(const AllocationAnalysis& analysis, StackNames& names) {
    PeakConsumers consumers;
    consumers.peakBytes = analysis.peakBytes;
    consumers.peakNanoseconds = analysis.peakNanoseconds;
    std::map<StackNames::FrameId, Site> byFrame;
    for (const CallSiteCost& site : analysis.sites) {
        if (site.peakAllocations == 0) {
            continue;
        }
        consumers.stacks.push_back({site.stackId, site.peakBytes, site.peakAllocations});
        const StackNames::FrameId innermost = names.frameIds(site.stackId).front();
        Site& shared = byFrame[innermost];
        shared.frame = names.label(innermost);
        shared.bytes += site.peakBytes;
        shared.allocations += site.peakAllocations;
    }
    for (auto& [id, site] : byFrame) {
        consumers.frames.push_back(std::move(site));
    }
    const auto mostFirst = [](const auto& a, const auto& b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.allocations > b.allocations;
    };
    std::stable_sort(consumers.stacks.begin(), consumers.stacks.end(), mostFirst);
    std::stable_sort(consumers.frames.begin(), consumers.frames.end(), mostFirst);
    return consumers;
}

}  // namespace poolscope
