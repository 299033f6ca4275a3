#include "ReportCommand.h"

#include <QCommandLineParser>

#include <iostream>
#include <memory>

#include "CommandLine.h"
#include "RecordingRunReport.h"
#include "RunCommand.h"
#include "RunReportJson.h"
#include "native/NativeLeakClassifier.h"
#include "recording/RecordingError.h"

namespace poolscope {

int ReportCommand::execute(const Request& request, std::ostream& out, std::ostream& errors) {
    ScenarioRunReport report;
    RunCommand::RunEnd end;
    try {
        const RecordingReader reader(request.recordingPath.toStdString());
        report = RecordingRunReport::of(reader);
        if (const auto source = reader.metadata().find("source");
            source != reader.metadata().end() && source->second == "launch") {
            // A launched program's: what the C and C++ runtimes keep is not its leak.
            NativeLeaks sorted = NativeLeakClassifier::classify(std::move(report.leaks), {});
            report.leaks = std::move(sorted.own);
            report.undisposedAtEnd = static_cast<std::int64_t>(report.leaks.size());
            if (!sorted.runtimeOwned.empty()) {
                end.notes.warnings.append(
                    QStringLiteral("%1 items kept by the C/C++ runtime are not counted as leaks")
                        .arg(sorted.runtimeOwned.size()));
            }
        }
        if (!reader.finished()) {
            errors << "poolscope report: " << reader.path()
                   << " was not finished (its program crashed or was killed): the leaks are "
                      "what was live at its last committed event\n";
        }
    } catch (const RecordingError& error) {
        errors << "poolscope report: " << error.what() << '\n';
        return CommandLine::kExitFailure;
    }
    return RunCommand::conclude(report, {request.failOnLeak, request.reportPath, QString()}, end,
                                out, errors);
}

int ReportCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the summary of a recording (made by 'poolscope run --record', File > Save, or "
        "a program run with POOLSCOPE_RECORD=FILE) as 'poolscope run' prints a run's, the "
        "leaks being the allocations live at the recording's end.\n\n"
        "Exit status:\n"
        "  0  the recording was read (with --fail-on-leak: and nothing was live at its end)\n"
        "  1  a usage error, a file that is not a readable recording, or a report that could\n"
        "     not be written\n"
        "  3  --fail-on-leak, and allocations were live at the recording's end"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("recording"),
                                 QStringLiteral("The recording to report on."),
                                 QStringLiteral("report <recording>"));
    const QCommandLineOption report(QStringLiteral("report"),
                                    QStringLiteral("Writes the report as JSON to FILE."),
                                    QStringLiteral("FILE.json"));
    const QCommandLineOption failOnLeak(
        QStringLiteral("fail-on-leak"),
        QStringLiteral("Exits with status 3 when allocations were live at the recording's end: "
                       "a CI leak gate."));
    parser.addOptions({report, failOnLeak});
    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("report"))) {
        return CommandLine::kExitFailure;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        CommandLine::printUsageError(QStringLiteral("report"),
                                     positional.isEmpty()
                                         ? QStringLiteral("which recording?")
                                         : QStringLiteral("one recording at a time, not '%1'.")
                                               .arg(positional.join(QLatin1Char(' '))));
        return CommandLine::kExitFailure;
    }
    if (parser.isSet(report) && parser.value(report).isEmpty()) {
        CommandLine::printUsageError(
            QStringLiteral("report"),
            QStringLiteral("--report needs a file name, not an empty one."));
        return CommandLine::kExitFailure;
    }
    Request request;
    request.recordingPath = positional.constFirst();
    request.reportPath = parser.value(report);
    request.failOnLeak = parser.isSet(failOnLeak);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
