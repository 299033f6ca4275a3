#pragma once

#include <memory>
#include <optional>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfCollector.h"
#include "analysis/WhatIfReplay.h"

namespace poolscope {

class RecordingReader;

// What every analysis of a whole recording reads, as its writer worked it out while recording
// (AnalysisSummarizer) and stored with it (AnalysisSummaryCodec): the allocation analysis, the
// buffers the what-if replay needs, their replay with the options the window opens a
// recording with (WhatIfReplay::summaryOptions), and what the allocations come to at the end,
// which lets a time range's pass stop soon after the range (AllocationEnds). Reading it takes
// milliseconds where a pass over a recording of 1 GB takes tens of seconds of processor time. Each
// is none when the recording has no summary (made before schema version 5, cut short by a killed
// run, or written without) or a damaged one: the analyses then make a pass, which finds the same.
class AnalysisSummary {
public:
    // Over the whole recording; its thresholds follow the recording's chunk size.
    static std::optional<AllocationAnalysis> allocationsOf(const RecordingReader& reader);
    // Its buffers from the summary's part, or the resume points' and the summary's rest
    // (WhatIfBufferRuns, which also gives them a few at a time).
    static std::optional<WhatIfEvents> whatIfOf(const RecordingReader& reader);
    static std::optional<WhatIfResult> whatIfResultOf(const RecordingReader& reader);
    static std::optional<AllocationEnds> allocationEndsOf(const RecordingReader& reader);
};

}  // namespace poolscope
