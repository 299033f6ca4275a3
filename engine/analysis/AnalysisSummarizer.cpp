#include "analysis/AnalysisSummarizer.h"

#include <algorithm>
#include <memory>

#include "analysis/AnalysisResumeCodec.h"
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
    // The buffers the resume points stored are not stored again: the summary holds the rest.
    whatIf_.keepLive();
    WhatIfEvents rest;
    if (keptAtResumePoint_ > 0) {
        const std::span<const WhatIfBuffer> unstored = whatIf_.kept(keptAtResumePoint_);
        rest.buffers.assign(unstored.begin(), unstored.end());
        std::sort(rest.buffers.begin(), rest.buffers.end(),
                  [](const WhatIfBuffer& a, const WhatIfBuffer& b) {
                      return a.madeSequence < b.madeSequence;
                  });
    }
    const WhatIfEvents buffers = whatIf_.finish();
    if (keptAtResumePoint_ == 0) {
        parts.push_back(
            {AnalysisSummaryCodec::kWhatIfEncoding, AnalysisSummaryCodec::encodeWhatIf(buffers)});
    } else {
        rest.firstNanoseconds = buffers.firstNanoseconds;
        rest.lastNanoseconds = buffers.lastNanoseconds;
        rest.releases = buffers.releases;
        parts.push_back({AnalysisSummaryCodec::kWhatIfRestEncoding,
                         AnalysisResumeCodec::encodeWhatIfRest(rest, keptAtResumePoint_)});
    }
    // The replay the window shows first, made here once: a recording of 1 GB may hold millions
    // of large buffers, seconds to replay each time it is opened.
    parts.push_back({AnalysisSummaryCodec::kWhatIfResultEncoding,
                     AnalysisSummaryCodec::encodeWhatIfResult(
                         WhatIfReplay::of(buffers, WhatIfReplay::summaryOptions()))});
    return parts;
}

std::vector<RecordingSummarizer::Part> AnalysisSummarizer::resumePoint() {
    keptAtResumePointMade_ = whatIf_.keptCount();
    return {{AnalysisResumeCodec::kAllocationStateEncoding,
             AnalysisResumeCodec::encodeAllocationState(analyzer_.state())},
            {AnalysisResumeCodec::kWhatIfStateEncoding,
             AnalysisResumeCodec::encodeWhatIfState(whatIf_.state())},
            {AnalysisResumeCodec::kWhatIfKeptEncoding,
             AnalysisResumeCodec::encodeWhatIfKept(whatIf_.kept(keptAtResumePoint_)), true}};
}

void AnalysisSummarizer::resumePointStored() {
    keptAtResumePoint_ = keptAtResumePointMade_;
    analyzer_.markPoint();
}

RecordingWriter::Options AnalysisSummarizer::recordingOptions() {
    RecordingWriter::Options options;
    options.summarizer = [] { return std::make_unique<AnalysisSummarizer>(); };
    return options;
}

}  // namespace poolscope
