#pragma once

#include <QJsonObject>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"

namespace poolscope {

// The sections `poolscope report --report F.json` adds for the analyses of a recording
// (documented in the README): peakConsumers, temporaryAllocations, callSites (with its
// bottom-up and top-down trees), sizeHistogram and analysisRange. Lists and a tree node's
// children name at most kAnalysisEntriesListed entries, most first, and say how many there are.
QJsonObject analysisReportToJson(const AllocationAnalysis& analysis, StackNames& names);

inline constexpr int kAnalysisEntriesListed = 100;

}  // namespace poolscope
