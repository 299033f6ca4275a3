#include "analysis/AnalysisSummary.h"

#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfBufferRuns.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"

namespace poolscope {

namespace {

// A damaged summary is only a faster way to what the events say: the pass reads them instead
// (and names any damage of theirs).
template <typename Decode>
auto decodedPart(const RecordingReader& reader, int encoding, Decode&& decode)
    -> std::optional<decltype(decode(std::span<const unsigned char>()))> {
    try {
        const std::optional<RecordedSummary> stored = reader.summary(encoding);
        if (!stored) {
            return std::nullopt;
        }
        return decode(std::span<const unsigned char>(stored->data));
    } catch (const RecordingError&) {
        return std::nullopt;
    }
}

}  // namespace

std::optional<AllocationAnalysis> AnalysisSummary::allocationsOf(const RecordingReader& reader) {
    std::optional<AllocationAnalysis> analysis =
        decodedPart(reader, AnalysisSummaryCodec::kAllocationsEncoding,
                    [&](std::span<const unsigned char> data) {
                        return AnalysisSummaryCodec::decodeAllocations(data, reader.path());
                    });
    if (analysis) {
        analysis->thresholds = SizeHistogram::poolThresholds(reader.metaInteger("chunk_bytes"));
    }
    return analysis;
}

std::optional<WhatIfEvents> AnalysisSummary::whatIfOf(const RecordingReader& reader) {
    try {
        if (const std::unique_ptr<WhatIfBufferRuns> runs = WhatIfBufferRuns::ofSummary(reader)) {
            return runs->all();
        }
    } catch (const RecordingError&) {
        // Damaged further on: the pass reads the events instead.
    }
    return std::nullopt;
}

std::optional<WhatIfResult> AnalysisSummary::whatIfResultOf(const RecordingReader& reader) {
    return decodedPart(reader, AnalysisSummaryCodec::kWhatIfResultEncoding,
                       [&](std::span<const unsigned char> data) {
                           return AnalysisSummaryCodec::decodeWhatIfResult(data, reader.path());
                       });
}

std::optional<AllocationEnds> AnalysisSummary::allocationEndsOf(const RecordingReader& reader) {
    return decodedPart(reader, AnalysisSummaryCodec::kAllocationEndsEncoding,
                       [&](std::span<const unsigned char> data) {
                           return AnalysisSummaryCodec::decodeAllocationEnds(data, reader.path());
                       });
}

}  // namespace poolscope
