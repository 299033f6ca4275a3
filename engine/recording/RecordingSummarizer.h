#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Follows a recording's events as its writer commits them, and says at the end what they
// amount to, for readers to take instead of a pass over every block: a recording of 1 GB
// takes some 25 s of processor time to read again. The writer stores the encoded summary in
// the analysis_summary table, a row a part, when the recording finishes (a killed run has none).
// The recording layer only carries the bytes; what they mean belongs to whoever makes the
// summarizer (engine/analysis, AnalysisSummarizer).
class RecordingSummarizer {
public:
    virtual ~RecordingSummarizer() = default;

    // Events the file now holds, in order, the first of them numbered `firstSequence` as the
    // file numbers its events. Only committed events are applied, so that the summary says
    // what a pass over the file finds.
    virtual void apply(std::int64_t firstSequence, std::span<const MemoryEvent> events) = 0;
    // A part of the summary, encoded, with the number of its encoding: each part is a row of
    // its own, so that a reader reads only the part it needs, and takes only an encoding it
    // knows.
    struct Part {
        int encoding = 0;
        std::vector<unsigned char> data;
    };
    // The summary of every event applied; called once, at the recording's end.
    virtual std::vector<Part> finish() = 0;
};

}  // namespace poolscope
