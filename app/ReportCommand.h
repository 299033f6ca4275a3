#pragma once

#include <QString>
#include <QStringList>

#include <ostream>

namespace poolscope {

// `poolscope report FILE [--report F.json] [--fail-on-leak]`: the summary and the JSON report
// of `poolscope run` for a recording (a run's --record, or a program's POOLSCOPE_RECORD), the
// leaks being what was live at its end: a post-mortem CI gate.
class ReportCommand {
public:
    struct Request {
        QString recordingPath;
        QString reportPath;
        bool failOnLeak = false;
    };

    // `arguments` is the whole command line, the program name first and "report" second.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
