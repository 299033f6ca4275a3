#pragma once

#include <optional>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisRange.h"

namespace poolscope {

class RecordingReader;

// The analysis of a long time range, which begins after the recording's start, without reading
// most of its events. The whole recording's summary holds its figures at the end, and each resume
// point the writer's analyzer state there; between two moments the range's figures move as the
// whole recording's do, less what the allocations made before the range contribute. So the
// events are read from the range's start to the first resume point after it where the range's
// own state parts from the whole's; then, for the peak, only between the points where the range
// may hold its most: the range holds what the recording holds less what its earlier allocations
// still hold, which only falls, so the most the recording held between two points (stored with
// each point) less what the earlier allocations hold at the later point bounds the range's most
// there. A range that runs to the end takes the rest from the summary; one that ends early is
// made whole at the last point inside it, and a pass goes on from there as any range's
// (AllocationAnalyzer::passOn). Every figure is what reading every event finds
// (AllocationAnalyzer::everyEvent).
class LongRangeAnalysis {
public:
    // None when the recording cannot answer so (no summary, a rent of an allocation after its
    // thread did something else, a damaged point, no point after the range's start, for a
    // range that ends early no two, or a range whose events up to a point all lie in it, which
    // a pass goes on from): then a pass reads it.
    static std::optional<AllocationAnalysis> of(const RecordingReader& reader,
                                                const AnalysisRange& range,
                                                const AllocationAnalyzer::Progress& progress = {});
};

}  // namespace poolscope
