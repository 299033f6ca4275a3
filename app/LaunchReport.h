#pragma once

#include <QJsonObject>

#include <optional>
#include <ostream>
#include <string>
#include <unordered_set>
#include <vector>

#include "RunReportJson.h"
#include "native/LaunchedProgram.h"
#include "native/NativeLeakClassifier.h"

namespace poolscope {

// What a launched program left behind, for a person: its own leaks (in `run.leaks`, the shape
// of `poolscope run`'s report), the runtime's, what suppressions hid, and the descriptors left
// open with their paths.
struct LaunchReport {
    struct OpenResource {
        NativeLiveState::Descriptor descriptor;
        std::string tag;
        std::vector<Frame> stack;
        bool runtimeOwned = false;
    };
    ScenarioRunReport run;
    std::vector<LeakRecord> runtimeOwned;
    // The program's own blocks it could still reach at its end (pointed to from its globals or
    // stack): kept to the end on purpose, not lost. Apart from its leaks, as LSan and valgrind
    // keep them.
    std::vector<LeakRecord> stillReachable;
    // Whether reachability was worked out; without it every block left counts as lost.
    bool reachabilityKnown = false;
    std::vector<NativeLeaks::Suppressed> suppressed;
    std::vector<OpenResource> resources;
    std::vector<std::string> arguments;
    std::optional<ProgramExit> exit;
    // The images the program exec'd into (a wrapper script's `exec program`).
    std::vector<ExecdImage> execs;
    std::string endReason;

    // Sorts `leftBehind` (all that was live at the end) into run.leaks and the rest.
    void classify(std::vector<LeakRecord> leftBehind, const LeakSuppressions& suppressions,
                  const std::optional<std::unordered_set<AllocationId>>& reachable);
    // The report of `--report FILE.json`: runReportToJson's, with `program`, `runtimeOwned`,
    // `suppressed` and `resources` beside.
    QJsonObject toJson(const RunOptions& options, const RunNotes& notes) const;
    void printSummary(std::ostream& out) const;
};

}  // namespace poolscope
