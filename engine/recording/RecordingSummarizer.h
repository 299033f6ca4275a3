#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Follows a recording's events as its writer commits them, and says at the end what they
// amount to, for readers to take instead of a pass over every block: a recording of 1 GB
// takes some 25 s of processor time to read again. The writer stores the encoded summary in
// the analysis_summary table, a row a part, when the recording finishes (a killed run has none),
// and what it followed so far at resume points on the way (resumePoint()).
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
        // A resume point's part that holds only what is new since the point before: its bytes
        // are not repeated at each point, so they do not space the points further apart.
        bool onlyNew = false;
    };
    // The summary of every event applied; called once, at the recording's end.
    virtual std::vector<Part> finish() = 0;

    // What the summarizer has followed up to the last event applied, for a reader of a
    // recording cut short to go on from (a resume point): the writer stores the parts in the
    // analysis_resume_points table, a row a part, every so many events, and then calls
    // resumePointStored(). Until it does, a part that holds only what is new since the point
    // before must hold it again at the next point. None: the summarizer has no resume points.
    virtual std::vector<Part> resumePoint() { return {}; }
    virtual void resumePointStored() {}
};

}  // namespace poolscope
