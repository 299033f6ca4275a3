#pragma once

#include <span>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/WhatIfCollector.h"

namespace poolscope {

// The bytes of a recording's resume points (its analysis_resume_points table): what the
// writer's AnalysisSummarizer had followed at some event, so that the analyses of a recording
// without a summary (a killed run's) go on from the last point instead of reading every event.
// A point holds the allocation analyzer's state, the what-if collector's state, and the large
// buffers kept since the point before as a what-if part of the summary (AnalysisSummaryCodec).
// Each state is a summary part (the allocation analysis, the buffers followed) with what a
// summary leaves out beside it, compressed; decoding checks every figure, so damage is a
// RecordingError naming the file.
class AnalysisResumeCodec {
public:
    static constexpr int kAllocationStateEncoding = 101;
    static constexpr int kWhatIfStateEncoding = 102;
    // The buffers kept since the point before, in the order they were made: an
    // AnalysisSummaryCodec what-if part without releases.
    static constexpr int kWhatIfKeptEncoding = 103;

    static std::vector<unsigned char> encodeAllocationState(const AllocationAnalyzer::State& state);
    static std::vector<unsigned char> encodeWhatIfState(const WhatIfCollector::State& state);
    static std::vector<unsigned char> encodeWhatIfKept(std::span<const WhatIfBuffer> kept);
    // A summary's rest of the what-if buffers (AnalysisSummaryCodec::kWhatIfRestEncoding): the
    // count of the buffers the resume points kept, then a what-if part of the others.
    static std::vector<unsigned char> encodeWhatIfRest(const WhatIfEvents& rest,
                                                       std::uint64_t keptAtPoints);
    struct WhatIfRest {
        std::uint64_t keptAtPoints = 0;
        std::span<const unsigned char> part;  // within the data split
    };
    static WhatIfRest splitWhatIfRest(std::span<const unsigned char> data, const std::string& path);

    static AllocationAnalyzer::State decodeAllocationState(std::span<const unsigned char> data,
                                                           const std::string& path);
    static WhatIfCollector::State decodeWhatIfState(std::span<const unsigned char> data,
                                                    const std::string& path);
};

}  // namespace poolscope
