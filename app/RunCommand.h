#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "RunReportJson.h"

namespace poolscope {

// `poolscope run NAME [--param key=value ...] [--report FILE.json] [--record FILE [--force]]
// [--fail-on-leak] [--pool-size MiB]`: one scenario headless, a summary on stdout, a progress
// line while it runs when stdout is a terminal. SIGINT and SIGTERM cancel the scenario; the
// recording and the report are finished all the same.
class RunCommand {
public:
    struct Request {
        std::string scenario;
        std::vector<std::pair<std::string, std::string>> parameters;
        std::int64_t poolSizeMegabytes = 0;
        QString reportPath;
        QString recordPath;
        // Replace an existing recording at recordPath (never anything else).
        bool force = false;
        bool failOnLeak = false;
    };

    // `arguments` is the whole command line, the program name first and "run" second.
    // Returns the exit status (CommandLine::kExit*); --help exits the process.
    static int exec(const QStringList& arguments);
    static int execute(const Request& request, std::ostream& out, std::ostream& errors);

    static void printSummary(const ScenarioRunReport& report, std::ostream& out);
    // How a run ended beside its report, for conclude() to turn into the exit status.
    struct RunEnd {
        bool failed = false;
        // Its recording was finished but lacks events it could not commit.
        bool recordingIncomplete = false;
        // The signal that cancelled it; 0 when it ran to its end.
        int cancelSignal = 0;
        RunNotes notes;
    };
    // What every headless report ends with, for a run or a recording (`poolscope report`): the
    // summary, the JSON report when asked for, and the exit status: kExitFailure when
    // `failed` or the report could not be written, kExitRecordingIncomplete, kExitCancelled,
    // kExitLeaksFound with --fail-on-leak and leaks, in that order.
    static int conclude(const ScenarioRunReport& report, const RunOptions& options,
                        const RunEnd& end, std::ostream& out, std::ostream& errors);
};

}  // namespace poolscope
