#include "native/ProcSampleSummary.h"

#include <algorithm>

namespace poolscope {

ProcSampleSummary ProcSampleSummary::of(std::span<const ProcSample> samples) {
    ProcSampleSummary summary;
    if (samples.empty()) {
        return summary;
    }
    const ProcSample& first = samples.front();
    const ProcSample& last = samples.back();
    const auto secondsSinceFirst = [&first](const ProcSample& sample) {
        return static_cast<double>(sample.timeNanoseconds - first.timeNanoseconds) / 1e9;
    };
    summary.samples = samples.size();
    summary.seconds = secondsSinceFirst(last);
    summary.firstResidentBytes = first.status.residentBytes;
    summary.lastResidentBytes = last.status.residentBytes;
    summary.firstDescriptors = first.descriptors;
    summary.lastDescriptors = last.descriptors;
    for (const ProcSample& sample : samples) {
        if (sample.status.residentBytes > summary.peakResidentBytes) {
            summary.peakResidentBytes = sample.status.residentBytes;
            summary.peakResidentSeconds = secondsSinceFirst(sample);
        }
        summary.peakProportionalBytes =
            std::max(summary.peakProportionalBytes, sample.rollup.proportionalBytes);
        summary.peakSwapBytes = std::max(summary.peakSwapBytes, sample.status.swapBytes);
        summary.peakDescriptors = std::max(summary.peakDescriptors, sample.descriptors);
    }
    return summary;
}

}  // namespace poolscope
