#pragma once

#include <optional>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisRange.h"

namespace poolscope {

class RecordingReader;

// The analysis of a time range that runs from some moment to the recording's end, without
// reading most of the events after it. The whole recording's summary holds its figures at the
// end, and each resume point the writer's analyzer state there; a range's figures are the
// whole recording's less what the allocations made before it contribute. So the events are read
// only from the range's start to the first resume point after it (where the range's own state is
// known) and then, for the peak, only between the points where the range may hold its most:
// the range holds what the recording holds less what its earlier allocations still hold, which
// only falls, so the most the recording held between two points (stored with each point) less
// what the earlier allocations hold at the later point bounds the range's most there.
// Every figure is what reading every event finds (AllocationAnalyzer::everyEvent).
class RangeToEndAnalysis {
public:
    // None when the recording cannot answer so (no summary, a rent of an allocation after its
    // thread did something else, no resume point after the range's start that reads back, or
    // a range that does not run to the end or begins at the start): then a pass must read on.
    static std::optional<AllocationAnalysis> of(const RecordingReader& reader,
                                                const AnalysisRange& range,
                                                const AllocationAnalyzer::Progress& progress = {});
};

}  // namespace poolscope
