#pragma once

#include "analysis/AllocationAnalyzer.h"
#include "analysis/WhatIfCollector.h"
#include "recording/RecordingSummarizer.h"
#include "recording/RecordingWriter.h"

namespace poolscope {

// The summary a recording of a run stores (AnalysisSummary, AnalysisSummaryCodec): the writer's
// thread follows the committed events with the analyses' own AllocationAnalyzer and
// WhatIfCollector, so the summary is what a pass over the finished file finds.
class AnalysisSummarizer final : public RecordingSummarizer {
public:
    void apply(std::int64_t firstSequence, std::span<const MemoryEvent> events) override;
    std::vector<Part> finish() override;
    // The analyzer's and the collector's states (AnalysisResumeCodec), and the large buffers
    // kept since the point before: a killed run's recording is analysed from its last point.
    std::vector<Part> resumePoint() override;
    void resumePointStored() override;

    // A writer's options for a recording of a run: with this summarizer. Every place that
    // records a run starts from these.
    static RecordingWriter::Options recordingOptions();

private:
    AllocationAnalyzer analyzer_;
    WhatIfCollector whatIf_;
    // The buffers the collector had kept at the last resume point stored.
    std::size_t keptAtResumePoint_ = 0;
    std::size_t keptAtResumePointMade_ = 0;
};

}  // namespace poolscope
