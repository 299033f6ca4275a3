#pragma once

#include "recording/RecordingReader.h"
#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// The run report of a recording, as `poolscope run` reports a run, for `poolscope report`: the
// pool figures replayed from its events, and as leaks what was live at the recording's end. A
// finished recording says which allocations those were; one cut short (a program that crashed
// or was killed) has them worked out from its committed events.
class RecordingRunReport {
public:
    static ScenarioRunReport of(const RecordingReader& reader);
};

}  // namespace poolscope
