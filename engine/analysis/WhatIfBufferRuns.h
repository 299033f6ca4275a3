#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfCollector.h"

namespace poolscope {

class RecordingReader;
class SqliteDatabase;
struct RecordedResumePoint;

// A recording's large buffers (what the what-if replay reads) in the order they were made, merged
// as they are decoded from the sorted runs the recording stores them in: a summary's what-if part
// alone; or, for a recording with resume points (AnalysisResumeCodec), the buffers each point kept
// since the one before, then those of the summary's rest part (AnalysisSummaryCodec::
// kWhatIfRestEncoding), so that a recording stores each buffer once; or, for a recording without
// a summary (a killed run's), the points' buffers and those a pass over the events after the last
// point keeps. A recording of 1 GB may hold millions of large buffers: they are decoded a chunk at
// a time as the replay takes them, never all at once.
class WhatIfBufferRuns {
public:
    // From the recording's summary; none without one, or when its parts cannot be read.
    static std::unique_ptr<WhatIfBufferRuns> ofSummary(const RecordingReader& reader);
    // From the last resume point on; none when the recording has none, or it cannot be read. A
    // damaged block after the point is a RecordingError, as for a pass.
    static std::unique_ptr<WhatIfBufferRuns> resumed(const RecordingReader& reader);

    // The times and the releases; no buffers.
    const WhatIfEvents& header() const { return header_; }
    // The buffers, in all.
    std::size_t size() const { return size_; }
    // The next buffers in the order they were made, at most `most`, into `chunk` (replacing
    // what it held); none after the last. Damage is a RecordingError when it is reached.
    void next(std::vector<WhatIfBuffer>& chunk, std::size_t most);
    // Every buffer left, with the header.
    WhatIfEvents all();

private:
    // A sorted run of buffers: a stored part's, decoded a chunk at a time, or a pass's.
    struct Run {
        std::unique_ptr<AnalysisSummaryCodec::WhatIfStream> stream;
        std::vector<WhatIfBuffer> chunk;
        std::size_t at = 0;
        // The run's next buffer, or nullptr after its last.
        const WhatIfBuffer* head();
    };

    // The kept buffers of every resume point up to `last`; false when one is missing.
    bool addPoints(const RecordingReader& reader, std::int64_t last);
    // The parts of `points` up to `last` as stored (none when one is missing), read on
    // `connection` (nullptr: the reader's own); then their streams, opened on every core.
    static std::optional<std::vector<std::vector<unsigned char>>> readPoints(
        const RecordingReader& reader, const std::vector<RecordedResumePoint>& points,
        std::int64_t last, SqliteDatabase* connection);
    void openPoints(const std::vector<std::vector<unsigned char>>& parts, const std::string& path);
    void add(std::unique_ptr<AnalysisSummaryCodec::WhatIfStream> stream);

    WhatIfEvents header_;
    std::vector<Run> runs_;
    std::size_t size_ = 0;
};

}  // namespace poolscope
