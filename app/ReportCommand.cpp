#include "ReportCommand.h"

#include <QCommandLineParser>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>

#include "AnalysisReportJson.h"
#include "CommandLine.h"
#include "RecordingRunReport.h"
#include "RunCommand.h"
#include "RunReportJson.h"
#include "analysis/AllocationAnalyzer.h"
#include "native/NativeLeakClassifier.h"
#include "recording/RecordingError.h"
#include "session/RecordedRunSummary.h"

namespace poolscope {

namespace {

// The time range of the request, in the recording's event times: milliseconds count from its
// first event, as the window's timeline does.
AnalysisRange rangeOf(const ReportCommand::Request& request, const RecordingReader& reader) {
    AnalysisRange range;
    if (!request.fromMilliseconds && !request.toMilliseconds) {
        return range;
    }
    const std::vector<RecordedEvent> first = reader.events(0, 1);
    const std::int64_t origin = first.empty() ? 0 : first.front().event.timeNanoseconds;
    const auto at = [origin](double milliseconds) {
        return origin + static_cast<std::int64_t>(std::llround(milliseconds * 1e6));
    };
    if (request.fromMilliseconds) {
        range.fromNanoseconds = at(*request.fromMilliseconds);
    }
    if (request.toMilliseconds) {
        range.toNanoseconds = at(*request.toMilliseconds);
    }
    return range;
}

bool writeFlamegraph(const QString& path, const std::vector<CollapsedStacks::Line>& lines,
                     std::ostream& errors) {
    std::ofstream file(path.toStdString(), std::ios::binary | std::ios::trunc);
    if (file) {
        CollapsedStacks::write(file, lines);
        file.flush();
    }
    if (!file) {
        errors << "poolscope report: cannot write the flame graph to " << path.toStdString()
               << '\n';
        return false;
    }
    return true;
}

std::optional<double> milliseconds(const QCommandLineParser& parser,
                                   const QCommandLineOption& option, bool& valid) {
    if (!parser.isSet(option)) {
        return std::nullopt;
    }
    bool isNumber = false;
    const double value = parser.value(option).toDouble(&isNumber);
    if (!isNumber || !std::isfinite(value) || value < 0) {
        CommandLine::printUsageError(
            QStringLiteral("report"),
            QStringLiteral("--%1 needs milliseconds from the recording's first event (a number "
                           ">= 0), not '%2'.")
                .arg(option.names().constFirst(), parser.value(option)));
        valid = false;
    }
    return value;
}

// A scenario run's recording keeps the report the run ended with (RecordedRunSummary): its
// parameters, the scenario's own figures, images, per-image layouts and the managed heap are
// what only the run could tell, and are printed as the run printed them. The pool figures and
// the leaks stay those replayed from the events.
void addStoredResults(const RecordingReader& reader, ScenarioRunReport& report, RunNotes& notes,
                      std::ostream& errors) {
    const RecordedRunResults stored =
        RecordedRunSummary::fromMetadata(reader.path(), reader.metadata());
    if (stored.state == RecordedRunResults::State::Refused) {
        errors << "poolscope report: warning: " << stored.message.toStdString() << '\n';
        notes.warnings.append(stored.message);
        return;
    }
    if (stored.state != RecordedRunResults::State::Stored) {
        return;
    }
    const ScenarioRunReport& run = *stored.report;
    report.parameters = run.parameters;
    for (const auto& figure : run.outcome.figures) {
        report.outcome.figures.push_back(figure);
    }
    report.outcome.cancelled = run.outcome.cancelled;
    report.outcome.injectedLeaks = run.outcome.injectedLeaks;
    report.outcome.images = run.outcome.images;
    report.outcome.layoutComparisons = run.outcome.layoutComparisons;
    report.gc = run.gc;
    // The recording was read: a run that failed is said, not turned into this command's failure.
    if (!run.error.empty()) {
        const std::string warning = "the run that made " + reader.path() + " failed: " + run.error;
        errors << "poolscope report: warning: " << warning << '\n';
        notes.warnings.append(QString::fromStdString(warning));
    }
}

}  // namespace

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
        addStoredResults(reader, report, end.notes, errors);
        if (!reader.finished()) {
            errors << "poolscope report: " << reader.path()
                   << " was not finished (its program crashed or was killed): the leaks are "
                      "what was live at its last committed event\n";
        }
        if (!request.reportPath.isEmpty() || !request.flamegraphPath.isEmpty()) {
            const AllocationAnalysis analysis =
                AllocationAnalyzer::of(reader, rangeOf(request, reader));
            StackNames names = StackNames::of(reader);
            if (!request.reportPath.isEmpty()) {
                end.notes.sections = analysisReportToJson(analysis, names);
            }
            if (!request.flamegraphPath.isEmpty() &&
                !writeFlamegraph(request.flamegraphPath,
                                 CollapsedStacks::of(analysis, names, request.flamegraphCost),
                                 errors)) {
                end.failed = true;
            }
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
        "leaks being the allocations live at the recording's end, with the figures, images "
        "and managed heap a scenario's run kept in it. The JSON report adds the "
        "recording's analyses (peak consumers, temporary allocations, call sites, sizes); "
        "--flamegraph writes its call sites as collapsed stacks for flame-graph tools.\n\n"
        "Exit status:\n"
        "  0  the recording was read (with --fail-on-leak: and nothing was live at its end)\n"
        "  1  a usage error, a file that is not a readable recording, or a report or flame\n"
        "     graph that could not be written\n"
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
    const QCommandLineOption flamegraph(
        QStringLiteral("flamegraph"),
        QStringLiteral("Writes the call sites as collapsed stacks to FILE, one line per stack: "
                       "'outermost;...;innermost COST'."),
        QStringLiteral("FILE.txt"));
    const QCommandLineOption flamegraphCost(
        QStringLiteral("flamegraph-cost"),
        QStringLiteral("What a stack costs in the flame graph: allocations (made), leaked (bytes "
                       "live at the end) or peak (bytes held at the peak). Default: allocations."),
        QStringLiteral("COST"));
    const QCommandLineOption fromMs(
        QStringLiteral("from-ms"),
        QStringLiteral("Analyses only the allocations made from MS milliseconds after the "
                       "recording's first event."),
        QStringLiteral("MS"));
    const QCommandLineOption toMs(
        QStringLiteral("to-ms"),
        QStringLiteral("Analyses only the allocations made until MS milliseconds after the "
                       "recording's first event."),
        QStringLiteral("MS"));
    parser.addOptions({report, failOnLeak, flamegraph, flamegraphCost, fromMs, toMs});
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
    for (const QCommandLineOption* file : {&report, &flamegraph}) {
        if (parser.isSet(*file) && parser.value(*file).isEmpty()) {
            CommandLine::printUsageError(QStringLiteral("report"),
                                         QStringLiteral("--%1 needs a file name, not an empty one.")
                                             .arg(file->names().constFirst()));
            return CommandLine::kExitFailure;
        }
    }
    Request request;
    if (parser.isSet(flamegraphCost)) {
        const std::optional<CollapsedStacks::Cost> cost =
            CollapsedStacks::costNamed(parser.value(flamegraphCost).toStdString());
        if (!parser.isSet(flamegraph) || !cost) {
            CommandLine::printUsageError(
                QStringLiteral("report"),
                !parser.isSet(flamegraph)
                    ? QStringLiteral("--flamegraph-cost goes with --flamegraph FILE.")
                    : QStringLiteral("--flamegraph-cost must be allocations, leaked or peak, "
                                     "not '%1'.")
                          .arg(parser.value(flamegraphCost)));
            return CommandLine::kExitFailure;
        }
        request.flamegraphCost = *cost;
    }
    bool valid = true;
    request.fromMilliseconds = milliseconds(parser, fromMs, valid);
    request.toMilliseconds = milliseconds(parser, toMs, valid);
    if (!valid) {
        return CommandLine::kExitFailure;
    }
    if ((request.fromMilliseconds || request.toMilliseconds) && !parser.isSet(report) &&
        !parser.isSet(flamegraph)) {
        CommandLine::printUsageError(
            QStringLiteral("report"),
            QStringLiteral("--from-ms and --to-ms restrict the analyses of --report and "
                           "--flamegraph: name one of them."));
        return CommandLine::kExitFailure;
    }
    if (request.fromMilliseconds && request.toMilliseconds &&
        *request.fromMilliseconds > *request.toMilliseconds) {
        CommandLine::printUsageError(QStringLiteral("report"),
                                     QStringLiteral("--from-ms (%1) is after --to-ms (%2).")
                                         .arg(parser.value(fromMs), parser.value(toMs)));
        return CommandLine::kExitFailure;
    }
    request.recordingPath = positional.constFirst();
    request.reportPath = parser.value(report);
    request.failOnLeak = parser.isSet(failOnLeak);
    request.flamegraphPath = parser.value(flamegraph);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
