#include "analysis/AnalysisSummarizer.h"

#include <memory>

#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfReplay.h"

namespace poolscope {

void AnalysisSummarizer::apply(std::int64_t firstSequence, std::span<const MemoryEvent> events) {
    analyzer_.apply(events);
    std::int64_t sequence = firstSequence;
    for (const MemoryEvent& event : events) {
        whatIf_.add(sequence++, event);
    }
}

std::vector<RecordingSummarizer::Part> AnalysisSummarizer::finish() {
    std::vector<Part> parts;
    parts.push_back({AnalysisSummaryCodec::kAllocationEndsEncoding,
                     AnalysisSummaryCodec::encodeAllocationEnds(analyzer_.ends())});
    parts.push_back({AnalysisSummaryCodec::kAllocationsEncoding,
                     AnalysisSummaryCodec::encodeAllocations(analyzer_.finish())});
    const WhatIfEvents buffers = whatIf_.finish();
    parts.push_back(
        {AnalysisSummaryCodec::kWhatIfEncoding, AnalysisSummaryCodec::encodeWhatIf(buffers)});
    // The replay the window shows first, made here once: a recording of 1 GB may hold millions
    // of large buffers, seconds to replay each time it is opened.
    parts.push_back({AnalysisSummaryCodec::kWhatIfResultEncoding,
                     AnalysisSummaryCodec::encodeWhatIfResult(
                         WhatIfReplay::of(buffers, WhatIfReplay::summaryOptions()))});
    return parts;
}

RecordingWriter::Options AnalysisSummarizer::recordingOptions() {
    RecordingWriter::Options options;
    options.summarizer = [] { return std::make_unique<AnalysisSummarizer>(); };
    return options;
}

}  // namespace poolscope
