#pragma once

#include <optional>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/WhatIfCollector.h"

namespace poolscope {

class RecordingReader;

// What every analysis of a whole recording reads, as its writer worked it out while recording
// (AnalysisSummarizer) and stored with it (AnalysisSummaryCodec): the allocation analysis and
// the buffers the what-if replay needs. Reading it takes milliseconds where a pass over a
// recording of 1 GB takes tens of seconds of processor time. Each is none when the recording
// has no summary (made before schema version 5, cut short by a killed run, or written without)
// or a damaged one: the analyses then make a pass, which finds the same.
class AnalysisSummary {
public:
    // Over the whole recording; its thresholds follow the recording's chunk size.
    static std::optional<AllocationAnalysis> allocationsOf(const RecordingReader& reader);
    static std::optional<WhatIfEvents> whatIfOf(const RecordingReader& reader);
};

}  // namespace poolscope
