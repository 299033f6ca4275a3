#include "RunCommand.h"

#include <QCommandLineParser>
#include <QDateTime>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "CommandLine.h"
#include "RunReportJson.h"
#include "TextFormat.h"
#include "recording/RecordingError.h"
#include "recording/RecordingWriter.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioRegistry.h"
#include "scenarios/ScenarioRunner.h"

namespace poolscope {

namespace {

constexpr int kFramesShownPerLeak = 6;

// The leaks one stack made: the text report shows each stack once.
struct LeakStackGroup {
    std::uint64_t bytes = 0;
    std::vector<const LeakRecord*> leaks;  // by id
};

// Biggest first; stacks of equal size in the order of their first allocation.
std::vector<LeakStackGroup> groupLeaksByStack(const std::vector<LeakRecord>& leaks) {
    std::vector<LeakStackGroup> groups;
    std::map<StackId, std::size_t> byStack;
    for (const LeakRecord& leak : leaks) {
        const auto [it, added] = byStack.try_emplace(leak.stackId, groups.size());
        if (added) {
            groups.emplace_back();
        }
        LeakStackGroup& group = groups[it->second];
        group.bytes += leak.bytes;
        group.leaks.push_back(&leak);
    }
    std::stable_sort(
        groups.begin(), groups.end(),
        [](const LeakStackGroup& a, const LeakStackGroup& b) { return a.bytes > b.bytes; });
    return groups;
}
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

std::vector<std::pair<std::string, std::string>> recordingMetadata(
    const RunCommand::Request& request) {
    std::string parameters;
    for (const auto& [key, value] : request.parameters) {
        parameters += (parameters.empty() ? "" : " ") + key + "=" + value;
    }
    return {
        {"scenario", request.scenario},
        {"parameters", parameters},
        {"pool_size_megabytes", std::to_string(request.poolSizeMegabytes)},
        {"poolscope_version", POOLSCOPE_VERSION},
        {"started_at", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}};
}

}  // namespace

void RunCommand::printSummary(const ScenarioRunReport& report, std::ostream& out) {
    out << "PoolScope " << POOLSCOPE_VERSION << ": scenario " << report.scenario << ", headless"
        << (report.outcome.cancelled ? ", cancelled" : "") << "\n\n";
    out << "Parameters\n";
    for (const auto& [name, value] : report.parameters) {
        out << "  " << std::left << std::setw(26) << name << scenarioValueToString(value) << '\n';
    }
    out << "\nFigures\n";
    for (const auto& [name, value] : report.outcome.figures) {
        // A name as wide as the column still gets a space before its value.
        out << "  " << std::left << std::setw(25) << name << ' ' << scenarioValueToString(value)
            << '\n';
    }
    const PoolFigures::Values& pool = report.pool;
    out << "\nPool\n"
        << "  Capacity                  " << pool.capacityChunks << " chunks of "
        << formatBytes(static_cast<std::uint64_t>(pool.chunkBytes)) << '\n'
        << "  Peak rented               " << formatBytes(pool.peakRentedBytes) << '\n'
        << "  Peak retained             " << formatBytes(pool.peakRetainedBytes) << '\n'
        << "  Retained at end           " << formatBytes(pool.retainedBytes) << '\n'
        << "  Unpooled peak             " << formatBytes(pool.unpooledPeakBytes) << '\n'
        << "  Trims                     " << pool.trims << '\n';
    if (report.outcome.images) {
        const ImageResults& images = *report.outcome.images;
        out << "\nImages\n"
            << "  Processed                 " << images.processed << '\n'
            << "  Failed                    " << images.failed.size() << '\n';
        for (const ImageFailure& failure : images.failed) {
            out << "  " << failure.file << ": " << failure.error << '\n';
        }
    }
    if (report.gc) {
        const GcRunFigures& gc = *report.gc;
        out << "\nManaged heap\n"
            << "  Collections (gen 0/1/2)   " << gc.collections[0] << " / " << gc.collections[1]
            << " / " << gc.collections[2] << '\n'
            << "  Finalizers run            " << gc.finalizersRun << '\n'
            << "  Resurrections             " << gc.resurrections << '\n'
            << "  Weak handles cleared      " << gc.weakClearedShort << " short, "
            << gc.weakClearedLong << " long\n";
    }
    out << "\nDiagnostics\n"
        << "  Duration                  " << std::fixed << std::setprecision(3)
        << std::chrono::duration<double>(report.duration).count() << " s\n"
        << "  Events observed           " << report.eventsObserved << '\n'
        << "  Events dropped            " << report.droppedEvents << '\n'
        << "  Undisposed at end         " << report.undisposedAtEnd << '\n';
    if (report.leaks.empty()) {
        out << "  Leaks                     none\n";
        return;
    }
    std::uint64_t bytes = 0;
    for (const LeakRecord& leak : report.leaks) {
        bytes += leak.bytes;
    }
    out << "  Leaks                     " << report.leaks.size() << " allocations, "
        << formatBytes(bytes) << '\n';
    const std::vector<LeakStackGroup> groups = groupLeaksByStack(report.leaks);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const LeakStackGroup& group = groups[g];
        const LeakRecord& first = *group.leaks.front();
        out << "\nLeaking stack " << g + 1 << ": " << group.leaks.size()
            << (group.leaks.size() == 1 ? " allocation, " : " allocations, ")
            << formatBytes(group.bytes) << " total, " << memoryTierName(first.tier) << ", tag "
            << (first.tag.empty() ? "(none)" : first.tag) << '\n';
        out << "  ids";
        std::size_t live = 0;
        for (const LeakRecord* leak : group.leaks) {
            out << " #" << leak->id;
            live += leak->releasedWithoutDispose ? 0 : 1;
        }
        out << " (" << live << " still live, " << group.leaks.size() - live
            << " released without dispose)\n";
        if (first.stack.empty()) {
            out << "  (no stack was captured)\n";
        }
        for (std::size_t i = 0; i < first.stack.size() && i < kFramesShownPerLeak; ++i) {
            out << "  at " << first.stack[i].toString() << '\n';
        }
    }
    out << "\n"
        << groups.size() << (groups.size() == 1 ? " leaking stack" : " leaking stacks")
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
        try {
            recording = std::make_unique<RecordingWriter>(request.recordPath.toStdString(),
                                                          recordingMetadata(request));
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
    const ScenarioRunReport report = runner.run(*scenario, *parameters);
    progressLine.clear();

    bool failed = !report.error.empty();
    if (recording) {
        std::vector<RecordedLeak> leaks;
        for (const LeakRecord& leak : report.leaks) {
            leaks.push_back({leak.id, leak.tag, leak.releasedWithoutDispose});
        }
        try {
            recording->finish(leaks, report.droppedEvents);
            if (recording->droppedEvents() > 0) {
                errors << "poolscope: the recording fell behind and dropped "
                       << recording->droppedEvents() << " events (counted in the file)\n";
            }
        } catch (const RecordingError& error) {
            errors << "poolscope: " << error.what() << '\n';
            failed = true;
        }
    }

    return conclude(report, {request.failOnLeak, request.reportPath, request.recordPath}, failed,
                    out, errors);
}

int RunCommand::conclude(const ScenarioRunReport& report, const RunOptions& options, bool failed,
                         std::ostream& out, std::ostream& errors) {
    printSummary(report, out);
    out.flush();
    if (!options.reportPath.isEmpty() &&
        !writeRunReport(options.reportPath, report, options, errors)) {
        failed = true;
    }
    if (!report.error.empty()) {
        errors << "poolscope: the scenario " << report.scenario << " failed: " << report.error
               << '\n';
    }
    if (failed) {
        return CommandLine::kExitFailure;
    }
    const bool leaked = report.undisposedAtEnd > 0 || !report.leaks.empty();
    return options.failOnLeak && leaked ? CommandLine::kExitLeaksFound : CommandLine::kExitSuccess;
}

int RunCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs one scenario without a window, prints its figures and leaks, and optionally "
        "writes a JSON report and an SQLite recording of every allocator event.\n\n"
        "Exit status:\n"
        "  0  the scenario ran to its end (with --fail-on-leak: and left nothing undisposed)\n"
        "  1  a usage error, an unknown scenario or parameter, a failed scenario, or a report\n"
        "     or recording that could not be written\n"
        "  3  --fail-on-leak, and allocations made during the run were not disposed at the end"));
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
        QStringLiteral("Records every allocator event of the run into FILE (SQLite)."),
        QStringLiteral("FILE"));
    const QCommandLineOption failOnLeak(
        QStringLiteral("fail-on-leak"),
        QStringLiteral("Exits with status 3 when allocations of the run are undisposed at the "
                       "end: a CI leak gate."));
    const QCommandLineOption poolSize(
        QStringLiteral("pool-size"),
        QStringLiteral("Maximum size of the chunk pool in MiB (default 256)."),
        QStringLiteral("MiB"), QStringLiteral("256"));
    parser.addOptions({param, report, record, failOnLeak, poolSize});

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
    request.failOnLeak = parser.isSet(failOnLeak);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
