#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/WhatIfCollector.h"
#include "analysis/WhatIfReplay.h"

namespace poolscope {

// The bytes of a recording's analysis summary (its analysis_summary table), one row a part: the
// allocation analysis, the buffers the what-if replay reads, one replay of them, and what the
// allocations come to at the end (AllocationEnds). Each is its
// figures as varints (signed ones zigzagged, sorted stack ids as differences), compressed with zstd
// behind their uncompressed size. Decoding checks every count and size against the bytes there are
// before allocating anything, so damaged bytes give an error, never a crash or a huge allocation.
class AnalysisSummaryCodec {
public:
    // The parts' encodings, stored beside their bytes (RecordingSummarizer::Part); a new layout
    // takes a new number.
    static constexpr int kAllocationsEncoding = 1;
    static constexpr int kWhatIfEncoding = 2;
    static constexpr int kWhatIfResultEncoding = 3;
    static constexpr int kAllocationEndsEncoding = 4;
    // In place of kWhatIfEncoding when the recording has resume points: the buffers kept after
    // the last point and those live at the end, behind the count of those kept at the points,
    // which store them (AnalysisResumeCodec, WhatIfBufferRuns).
    static constexpr int kWhatIfRestEncoding = 5;

    static std::vector<unsigned char> encodeAllocations(const AllocationAnalysis& analysis);
    static std::vector<unsigned char> encodeWhatIf(const WhatIfEvents& events);
    static std::vector<unsigned char> encodeWhatIfResult(const WhatIfResult& result);
    static std::vector<unsigned char> encodeAllocationEnds(const AllocationEnds& ends);
    // Without thresholds (the reader's chunk size gives them). Throws RecordingError naming
    // `path` and what is wrong.
    static AllocationAnalysis decodeAllocations(std::span<const unsigned char> data,
                                                const std::string& path);
    static WhatIfEvents decodeWhatIf(std::span<const unsigned char> data, const std::string& path);
    static WhatIfResult decodeWhatIfResult(std::span<const unsigned char> data,
                                           const std::string& path);
    static AllocationEnds decodeAllocationEnds(std::span<const unsigned char> data,
                                               const std::string& path);

    // The buffers of a what-if part decoded a few at a time, in the order they were made: a
    // replay of millions of them holds a chunk at once rather than all (WhatIfReplay). Its
    // header (times, releases) is decoded at once. Damage is a RecordingError naming the file,
    // thrown at once or when the damaged buffer is reached; buffers out of the order they were
    // made in, or freed no later than made, are damage.
    class WhatIfStream {
    public:
        WhatIfStream(std::span<const unsigned char> data, const std::string& path);
        ~WhatIfStream();
        WhatIfStream(const WhatIfStream&) = delete;
        WhatIfStream& operator=(const WhatIfStream&) = delete;

        // The first and last times and the releases; no buffers.
        const WhatIfEvents& header() const;
        // The buffers, in all.
        std::size_t size() const;
        // The next buffers, at most `most`, into `chunk` (replacing what it held); none after
        // the last.
        void next(std::vector<WhatIfBuffer>& chunk, std::size_t most);

    private:
        struct State;
        std::unique_ptr<State> state_;
    };
};

}  // namespace poolscope
