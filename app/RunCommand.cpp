#include "RunCommand.h"

#include <QCommandLineParser>
#include <QDateTime>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "CommandLine.h"
#include "RunReportJson.h"
#include "SignalCancellation.h"
#include "analysis/AnalysisSummarizer.h"
#include "base/TextFormat.h"
#include "recording/RecordingError.h"
#include "recording/RecordingWriter.h"
#include "scenarios/RunSummary.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioRegistry.h"
#include "scenarios/ScenarioRunner.h"
#include "session/RecordedRunSummary.h"

namespace poolscope {

namespace {

constexpr int kFramesShownPerLeak = 6;

constexpr auto kProgressInterval = std::chrono::milliseconds(100);

void printUsageError(const QString& message) {
    CommandLine::printUsageError(QStringLiteral("run"), message);
}

// Rewrites one terminal line, at most ten times a second; nothing when stdout is not a
// terminal, so logs and pipes get only the summary.
class ProgressLine {
public:
    explicit ProgressLine(std::string scenario)
        : scenario_(std::move(scenario)), enabled_(isatty(STDOUT_FILENO) == 1) {}

    void show(const ScenarioProgress& progress) {
        if (!enabled_) {
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex_);
        if (now - lastShown_ < kProgressInterval && progress.completed < progress.planned) {
            return;
        }
        lastShown_ = now;
        const int percent = progress.planned > 0
                                ? static_cast<int>(100 * progress.completed / progress.planned)
                                : 0;
        std::printf("\r\033[K%s: %lld of %lld %s (%d%%)", scenario_.c_str(),
                    static_cast<long long>(progress.completed),
                    static_cast<long long>(progress.planned), progress.phase.c_str(), percent);
        std::fflush(stdout);
        shown_ = true;
    }

    void clear() {
        if (shown_) {
            std::printf("\r\033[K");
            std::fflush(stdout);
        }
    }

private:
    std::string scenario_;
    bool enabled_;
    bool shown_ = false;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point lastShown_{};
};

// Every parameter's value the run used, defaults included, so that the recording says how
// it was made without knowing the defaults of the version that made it.
std::vector<std::pair<std::string, std::string>> recordingMetadata(
    const RunCommand::Request& request, const ScenarioParameters& parameters) {
    std::string values;
    for (const auto& [key, value] : parameters.values()) {
        values += (values.empty() ? "" : " ") + key + "=" + scenarioValueToString(value);
    }
    return {
        {"scenario", request.scenario},
        {"parameters", values},
        {"pool_size_megabytes", std::to_string(request.poolSizeMegabytes)},
        {"poolscope_version", POOLSCOPE_VERSION},
        {"started_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}};
}

// The pool is held to the machine's memory (PooledMemoryAllocator); a run that asked for more
// says so, beside the size it had.
std::optional<std::string> poolSizeWarning(const ScenarioRunReport& report) {
    constexpr std::int64_t kMegabyte = 1024 * 1024;
    const std::int64_t chunkBytes = report.pool.chunkBytes;
    if (!report.poolSizeMegabytes || chunkBytes <= 0 ||
        *report.poolSizeMegabytes * kMegabyte / chunkBytes <= report.pool.capacityChunks) {
        return std::nullopt;
    }
    return "--pool-size " + std::to_string(*report.poolSizeMegabytes) +
           " MiB is more than this machine's memory: the pool held at most " +
           std::to_string(report.pool.capacityChunks * chunkBytes / kMegabyte) + " MiB (" +
           std::to_string(report.pool.capacityChunks) + " chunks of " +
           formatBytes(static_cast<std::uint64_t>(chunkBytes)) + ")";
}

}  // namespace

void RunCommand::printSummary(const ScenarioRunReport& report, std::ostream& out) {
    out << "PoolScope " << POOLSCOPE_VERSION << ": scenario " << report.scenario << ", headless"
        << (report.outcome.cancelled ? ", cancelled" : "") << "\n";
    for (const RunSummary::Section& section : RunSummary::sections(report)) {
        out << '\n' << section.title << '\n';
        for (const RunSummary::Row& row : section.rows) {
            if (row.listed) {
                out << "  " << row.label << ": " << row.value << '\n';
            } else {
                // A label as wide as the column still gets a space before its value.
                out << "  " << std::left << std::setw(25) << row.label << ' ' << row.value << '\n';
            }
        }
    }
    if (report.leaks.empty()) {
        return;
    }
    const std::vector<RunSummary::LeakStack> stacks = RunSummary::leakStacks(report.leaks);
    for (std::size_t g = 0; g < stacks.size(); ++g) {
        const RunSummary::LeakStack& stack = stacks[g];
        const LeakRecord& first = *stack.leaks.front();
        out << "\nLeaking stack " << g + 1 << ": " << RunSummary::describe(stack) << '\n';
        out << "  ids";
        std::size_t live = 0;
        for (const LeakRecord* leak : stack.leaks) {
            out << " #" << leak->id;
            live += leak->releasedWithoutDispose ? 0 : 1;
        }
        out << " (" << live << " still live, " << stack.leaks.size() - live
            << " released without dispose)\n";
        if (first.stack.empty()) {
            out << "  (no stack was captured)\n";
        }
        for (std::size_t i = 0; i < first.stack.size() && i < kFramesShownPerLeak; ++i) {
            out << "  at " << first.stack[i].toString() << '\n';
        }
    }
    out << "\n"
        << stacks.size() << (stacks.size() == 1 ? " leaking stack" : " leaking stacks")
        << " stand for " << report.leaks.size() << " allocations\n";
    for (const ModuleSymbolStatus& status : report.missingSymbols) {
        out << "Missing symbols in " << (status.module.empty() ? "(no module)" : status.module)
            << ": " << status.unnamedFrames << " frames unnamed, " << status.framesWithoutSource
            << " without source lines: " << status.reason << '\n';
    }
}

int RunCommand::execute(const Request& request, std::ostream& out, std::ostream& errors) {
    std::unique_ptr<Scenario> scenario;
    std::optional<ScenarioParameters> parameters;
    try {
        scenario = ScenarioRegistry::builtIn().create(request.scenario);
        parameters = scenario->resolveParameters(request.parameters);
    } catch (const ScenarioError& error) {
        errors << "poolscope run: " << error.what() << '\n';
        return CommandLine::kExitFailure;
    }

    std::unique_ptr<RecordingWriter> recording;
    if (!request.recordPath.isEmpty()) {
        RecordingWriter::Options recordingOptions = AnalysisSummarizer::recordingOptions();
        recordingOptions.replaceExisting = request.force;
        // Said at once, from the writer's thread, while the main thread only runs the scenario.
        recordingOptions.onWriteFailure = [&errors](const std::string& error) {
            errors << "poolscope: the recording cannot be written, its events are dropped and "
                      "counted until it can: "
                   << error << std::endl;
        };
        try {
            recording = std::make_unique<RecordingWriter>(request.recordPath.toStdString(),
                                                          recordingMetadata(request, *parameters),
                                                          recordingOptions);
        } catch (const RecordingExistsError& error) {
            errors << "poolscope: " << error.what() << "; --force replaces it\n";
            return CommandLine::kExitFailure;
        } catch (const RecordingError& error) {
            errors << "poolscope: " << error.what() << '\n';
            return CommandLine::kExitFailure;
        }
    }

    ProgressLine progressLine(request.scenario);
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = request.poolSizeMegabytes;
    options.onProgress = [&progressLine](const ScenarioProgress& progress) {
        progressLine.show(progress);
    };
    if (recording) {
        options.eventSink = recording.get();
        options.onAllocatorReady = [&recording](const PooledMemoryAllocator& allocator) {
            recording->setPool(allocator.sourceId(), allocator.pool().capacity(),
                               static_cast<std::int64_t>(allocator.pool().chunkBytes()));
        };
    }
    ScenarioRunner runner(options);
    // Until the report is written: Ctrl+C then cancels the scenario, and the recording and the
    // report are finished before the exit.
    const SignalCancellation cancellation([&runner] { runner.cancel(); });
    const ScenarioRunReport report = runner.run(*scenario, *parameters);
    progressLine.clear();

    RunEnd end;
    end.failed = !report.error.empty();
    RunNotes& notes = end.notes;
    if (const std::optional<std::string> warning = poolSizeWarning(report)) {
        errors << "poolscope: warning: " << *warning << '\n';
        notes.warnings.append(QString::fromStdString(*warning));
    }
    if (recording) {
        std::vector<RecordedLeak> leaks;
        for (const LeakRecord& leak : report.leaks) {
            leaks.push_back({leak.id, leak.tag, leak.releasedWithoutDispose});
        }
        try {
            // The run's report goes with it, so that opening the file shows its results; a
            // cancelled run's says so.
            recording->finish(leaks, report.droppedEvents,
                              {{RecordedRunSummary::kMetaKey, RecordedRunSummary::toText(report)}});
        } catch (const RecordingError& error) {
            errors << "poolscope: " << error.what() << '\n';
            notes.errors.append(QString::fromUtf8(error.what()));
            // Finished but lacking events, or not finished at all.
            end.recordingIncomplete = recording->closed();
            end.failed = end.failed || !end.recordingIncomplete;
        }
        notes.recordingDroppedEvents = recording->droppedEvents();
        if (const std::uint64_t behind = recording->droppedEvents() - recording->unwrittenEvents();
            behind > 0) {
            const std::string warning = "the recording fell behind and dropped " +
                                        std::to_string(behind) + " events (counted in the file)";
            errors << "poolscope: " << warning << '\n';
            notes.warnings.append(QString::fromStdString(warning));
        }
    }

    end.cancelSignal = cancellation.signalNumber();
    return conclude(report, {request.failOnLeak, request.reportPath, request.recordPath}, end, out,
                    errors);
}

int RunCommand::conclude(const ScenarioRunReport& report, const RunOptions& options,
                         const RunEnd& end, std::ostream& out, std::ostream& errors) {
    bool failed = end.failed;
    printSummary(report, out);
    out.flush();
    if (!options.reportPath.isEmpty() &&
        !writeRunReport(options.reportPath, report, options, end.notes, errors)) {
        failed = true;
    }
    if (!report.error.empty()) {
        errors << "poolscope: the scenario " << report.scenario << " failed: " << report.error
               << '\n';
    }
    if (failed) {
        return CommandLine::kExitFailure;
    }
    if (end.recordingIncomplete) {
        return CommandLine::kExitRecordingIncomplete;
    }
    if (end.cancelSignal != 0) {
        errors << "poolscope: cancelled by SIG" << sigabbrev_np(end.cancelSignal)
               << "; the recording and the report hold the run until then\n";
        return CommandLine::kExitCancelled;
    }
    const bool leaked = report.undisposedAtEnd > 0 || !report.leaks.empty();
    return options.failOnLeak && leaked ? CommandLine::kExitLeaksFound : CommandLine::kExitSuccess;
}

int RunCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs one scenario without a window, prints its figures and leaks, and optionally "
        "writes a JSON report and an SQLite recording of every allocator event.\n\n"
        "SIGINT (Ctrl+C) or SIGTERM cancels the scenario; the recording and the report are\n"
        "finished with what it did until then (a second Ctrl+C ends the process at once).\n\n"
        "Exit status:\n"
        "  0  the scenario ran to its end (with --fail-on-leak: and left nothing undisposed)\n"
        "  1  a usage error, an unknown scenario or parameter, a failed scenario, or a report\n"
        "     or recording that could not be written\n"
        "  3  --fail-on-leak, and allocations made during the run were not disposed at the end\n"
        "  4  the recording is finished but lacks events that could not be committed (another\n"
        "     connection held it too long, a full disk): counted in its meta table, and the\n"
        "     report's error says why\n"
        " 130  cancelled by SIGINT or SIGTERM"));
    parser.addHelpOption();
    parser.addPositionalArgument(
        QStringLiteral("scenario"),
        QStringLiteral("The scenario to run (poolscope --list-scenarios)."),
        QStringLiteral("run <scenario>"));
    const QCommandLineOption param(
        {QStringLiteral("p"), QStringLiteral("param")},
        QStringLiteral("Sets a parameter of the scenario; repeat for more."),
        QStringLiteral("key=value"));
    const QCommandLineOption report(QStringLiteral("report"),
                                    QStringLiteral("Writes the run's report as JSON to FILE."),
                                    QStringLiteral("FILE.json"));
    const QCommandLineOption record(
        QStringLiteral("record"),
        QStringLiteral("Records every allocator event of the run into FILE (SQLite). A FILE "
                       "that holds anything else is never touched; an existing recording is "
                       "replaced only with --force."),
        QStringLiteral("FILE"));
    const QCommandLineOption force(
        QStringLiteral("force"),
        QStringLiteral("Replaces the recording at --record FILE: the new one is written beside "
                       "it (FILE.partial) and renamed over it once finished."));
    const QCommandLineOption failOnLeak(
        QStringLiteral("fail-on-leak"),
        QStringLiteral("Exits with status 3 when allocations of the run are undisposed at the "
                       "end: a CI leak gate."));
    const QCommandLineOption poolSize(
        QStringLiteral("pool-size"),
        QStringLiteral("Maximum size of the chunk pool in MiB (default 256)."),
        QStringLiteral("MiB"), QStringLiteral("256"));
    parser.addOptions({param, report, record, force, failOnLeak, poolSize});

    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("run"))) {
        return CommandLine::kExitFailure;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printUsageError(
            positional.isEmpty()
                ? QStringLiteral("which scenario? poolscope --list-scenarios lists them.")
                : QStringLiteral("one scenario at a time, not '%1'.")
                      .arg(positional.join(QLatin1Char(' '))));
        return CommandLine::kExitFailure;
    }

    Request request;
    request.scenario = positional.constFirst().toStdString();
    try {
        for (const QString& assignment : parser.values(param)) {
            request.parameters.push_back(
                ScenarioParameters::splitAssignment(assignment.toStdString()));
        }
    } catch (const ScenarioError& error) {
        printUsageError(QString::fromStdString(error.what()));
        return CommandLine::kExitFailure;
    }
    const auto poolSizeMegabytes =
        CommandLine::wholeNumberInRange(parser.value(poolSize), 0, 1024 * 1024);
    request.poolSizeMegabytes = poolSizeMegabytes.value_or(0);
    if (!poolSizeMegabytes) {
        printUsageError(QStringLiteral("--pool-size must be a whole number of MiB from 0 to %1, "
                                       "not '%2'.")
                            .arg(1024 * 1024)
                            .arg(parser.value(poolSize)));
        return CommandLine::kExitFailure;
    }
    request.reportPath = parser.value(report);
    request.recordPath = parser.value(record);
    // An empty name would silently mean "no report" or "no recording".
    for (const QCommandLineOption* option : {&report, &record}) {
        if (parser.isSet(*option) && parser.value(*option).isEmpty()) {
            printUsageError(QStringLiteral("--%1 needs a file name, not an empty one.")
                                .arg(option->names().constFirst()));
            return CommandLine::kExitFailure;
        }
    }
    if (parser.isSet(force) && !parser.isSet(record)) {
        printUsageError(QStringLiteral("--force replaces a recording: it needs --record FILE."));
        return CommandLine::kExitFailure;
    }
    request.force = parser.isSet(force);
    request.failOnLeak = parser.isSet(failOnLeak);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
