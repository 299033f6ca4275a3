#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <ostream>

#include "analysis/CollapsedStacks.h"

namespace poolscope {

// `poolscope report FILE [--report F.json] [--fail-on-leak] [--flamegraph F.txt]`: the summary
// and the JSON report of `poolscope run` for a recording (a run's --record, or a program's
// POOLSCOPE_RECORD), the leaks being what was live at its end: a post-mortem CI gate. The JSON
// report adds the recording's analyses (engine/analysis), and --flamegraph writes its call
// sites as collapsed stacks; --from-ms/--to-ms restrict both to the allocations made then.
class ReportCommand {
public:
    struct Request {
        QString recordingPath;
        QString reportPath;
        bool failOnLeak = false;
        QString flamegraphPath;
        CollapsedStacks::Cost flamegraphCost = CollapsedStacks::Cost::Allocations;
        // Milliseconds from the recording's first event.
        std::optional<double> fromMilliseconds;
        std::optional<double> toMilliseconds;
    };

    // `arguments` is the whole command line, the program name first and "report" second.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
