#pragma once

#include <cstdint>
#include <span>

#include "native/ProcSample.h"

namespace poolscope {

// What a series of samples of one process comes to: how long, the peak, the growth from the
// first sample to the last, and the descriptors at both ends.
struct ProcSampleSummary {
    std::uint64_t samples = 0;
    double seconds = 0.0;  // from the first sample to the last
    std::uint64_t peakResidentBytes = 0;
    double peakResidentSeconds = 0.0;  // when the peak was seen, from the first sample
    std::uint64_t firstResidentBytes = 0;
    std::uint64_t lastResidentBytes = 0;
    std::uint64_t peakProportionalBytes = 0;
    std::uint64_t peakSwapBytes = 0;
    std::uint32_t firstDescriptors = 0;
    std::uint32_t lastDescriptors = 0;
    std::uint32_t peakDescriptors = 0;

    // The last RSS less the first: negative when the process gave memory back.
    std::int64_t residentGrowthBytes() const {
        return static_cast<std::int64_t>(lastResidentBytes) -
               static_cast<std::int64_t>(firstResidentBytes);
    }

    // All zero for no samples.
    static ProcSampleSummary of(std::span<const ProcSample> samples);
};

}  // namespace poolscope
