#include "AttachCommand.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <climits>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "SignalCancellation.h"
#include "base/TextFormat.h"
#include "native/ProcError.h"
#include "native/ProcProcess.h"
#include "native/ProcSampleSummary.h"
#include "native/ProcSampler.h"

namespace poolscope {

namespace {

constexpr auto kLineInterval = std::chrono::seconds(1);
constexpr auto kWaitSlice = std::chrono::milliseconds(200);
constexpr std::int64_t kShortestIntervalMilliseconds = 10;
constexpr std::int64_t kLongestIntervalMilliseconds = 60'000;
constexpr std::int64_t kLongestDurationSeconds = 365LL * 24 * 3600;

constexpr const char* kStacksNote =
    "This is what /proc shows of a process: memory and descriptor totals, no stacks. For the "
    "stacks of allocations, mappings and descriptors, and the leaks, start the program with "
    "`poolscope launch -- PROGRAM`, or link it with the PoolScope engine and start it with "
    "POOLSCOPE_LISTEN=1 for the live link.";

void printUsageError(const QString& message) {
    CommandLine::printUsageError(QStringLiteral("attach"), message);
}

int exitStatusFor(ProcError::Kind kind) {
    switch (kind) {
        case ProcError::Kind::NoSuchProcess:
            return AttachCommand::kExitNoSuchProcess;
        case ProcError::Kind::NotYours:
        case ProcError::Kind::Unreadable:
            return AttachCommand::kExitNotYours;
        case ProcError::Kind::Exited:
            return AttachCommand::kExitEndedBeforeSampled;
        case ProcError::Kind::Malformed:
            return CommandLine::kExitFailure;
    }
    return CommandLine::kExitFailure;
}

double secondsBetween(const ProcSample& from, const ProcSample& to) {
    return static_cast<double>(to.timeNanoseconds - from.timeNanoseconds) / 1e9;
}

void printLine(const ProcSample& origin, const ProcSample& sample, std::ostream& out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%7.1f s", secondsBetween(origin, sample));
    out << seconds << "  RSS " << formatBytes(sample.status.residentBytes) << "  PSS "
        << formatBytes(sample.rollup.proportionalBytes) << "  anon "
        << formatBytes(sample.status.anonymousBytes) << "  file "
        << formatBytes(sample.status.fileBytes) << "  swap " << formatBytes(sample.status.swapBytes)
        << "  fds " << sample.descriptors << std::endl;
}

std::string signedBytes(std::int64_t bytes) {
    return (bytes < 0 ? "-" : "+") +
           formatBytes(static_cast<std::uint64_t>(bytes < 0 ? -bytes : bytes));
}

std::string tenths(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    return text;
}

void printSummary(const ProcSampleSummary& summary, const std::string& ending, std::ostream& out) {
    out << "\nSampled " << summary.samples << " times over " << tenths(summary.seconds) << "; "
        << ending << "\n";
    out << "  peak RSS    " << formatBytes(summary.peakResidentBytes) << " at "
        << tenths(summary.peakResidentSeconds) << "\n";
    out << "  RSS growth  " << signedBytes(summary.residentGrowthBytes()) << " ("
        << formatBytes(summary.firstResidentBytes) << " -> "
        << formatBytes(summary.lastResidentBytes) << ")\n";
    out << "  peak PSS    " << formatBytes(summary.peakProportionalBytes) << "\n";
    out << "  peak swap   " << formatBytes(summary.peakSwapBytes) << "\n";
    out << "  descriptors " << summary.firstDescriptors << " at the start, "
        << summary.lastDescriptors << " at the end (peak " << summary.peakDescriptors << ")\n";
    out << kStacksNote << "\n";
}

QJsonValue bytes(std::uint64_t value) {
    return static_cast<qint64>(value);
}

QJsonObject sampleToJson(const ProcSample& origin, const ProcSample& sample) {
    QJsonObject json;
    json.insert(QStringLiteral("seconds"), secondsBetween(origin, sample));
    json.insert(QStringLiteral("rssBytes"), bytes(sample.status.residentBytes));
    json.insert(QStringLiteral("pssBytes"), bytes(sample.rollup.proportionalBytes));
    // The PSS figures are read less often than the others: when they were.
    json.insert(QStringLiteral("pssReadSeconds"),
                static_cast<double>(sample.rollupTimeNanoseconds - origin.timeNanoseconds) / 1e9);
    json.insert(QStringLiteral("anonymousBytes"), bytes(sample.status.anonymousBytes));
    json.insert(QStringLiteral("fileBytes"), bytes(sample.status.fileBytes));
    json.insert(QStringLiteral("sharedMemoryBytes"), bytes(sample.status.sharedMemoryBytes));
    json.insert(QStringLiteral("swapBytes"), bytes(sample.status.swapBytes));
    const auto optionalBytes = [](const std::optional<std::uint64_t>& value) {
        return value ? bytes(*value) : QJsonValue(QJsonValue::Null);
    };
    json.insert(QStringLiteral("pssAnonymousBytes"),
                optionalBytes(sample.rollup.proportionalAnonymousBytes));
    json.insert(QStringLiteral("pssFileBytes"), optionalBytes(sample.rollup.proportionalFileBytes));
    json.insert(QStringLiteral("threads"), static_cast<qint64>(sample.status.threads));
    json.insert(QStringLiteral("descriptors"), static_cast<qint64>(sample.descriptors));
    return json;
}

QJsonObject summaryToJson(const ProcSampleSummary& summary) {
    QJsonObject json;
    json.insert(QStringLiteral("samples"), static_cast<qint64>(summary.samples));
    json.insert(QStringLiteral("seconds"), summary.seconds);
    json.insert(QStringLiteral("peakRssBytes"), bytes(summary.peakResidentBytes));
    json.insert(QStringLiteral("peakRssSeconds"), summary.peakResidentSeconds);
    json.insert(QStringLiteral("firstRssBytes"), bytes(summary.firstResidentBytes));
    json.insert(QStringLiteral("lastRssBytes"), bytes(summary.lastResidentBytes));
    json.insert(QStringLiteral("rssGrowthBytes"),
                static_cast<qint64>(summary.residentGrowthBytes()));
    json.insert(QStringLiteral("peakPssBytes"), bytes(summary.peakProportionalBytes));
    json.insert(QStringLiteral("peakSwapBytes"), bytes(summary.peakSwapBytes));
    json.insert(QStringLiteral("firstDescriptors"), static_cast<qint64>(summary.firstDescriptors));
    json.insert(QStringLiteral("lastDescriptors"), static_cast<qint64>(summary.lastDescriptors));
    json.insert(QStringLiteral("peakDescriptors"), static_cast<qint64>(summary.peakDescriptors));
    return json;
}

// What the sampling was and how it ended, for --json.
struct AttachRecord {
    const AttachCommand::Request& request;
    std::string name;
    std::string commandLine;
    const std::vector<ProcSample>& samples;
    std::string end;     // "exited", "duration", "signal" or "unreadable"
    std::string ending;  // in words
};

bool writeJson(const AttachRecord& record, std::ostream& errors) {
    QJsonObject json;
    json.insert(QStringLiteral("pid"), static_cast<qint64>(record.request.pid));
    json.insert(QStringLiteral("name"), QString::fromStdString(record.name));
    json.insert(QStringLiteral("commandLine"), QString::fromStdString(record.commandLine));
    json.insert(QStringLiteral("intervalMilliseconds"),
                static_cast<qint64>(record.request.interval.count()));
    json.insert(QStringLiteral("pssIntervalMilliseconds"),
                static_cast<qint64>(record.request.pssInterval.count()));
    json.insert(QStringLiteral("end"), QString::fromStdString(record.end));
    json.insert(QStringLiteral("ending"), QString::fromStdString(record.ending));
    json.insert(QStringLiteral("stacks"), QString::fromUtf8(kStacksNote));
    QJsonArray samples;
    for (const ProcSample& sample : record.samples) {
        samples.append(sampleToJson(record.samples.front(), sample));
    }
    json.insert(QStringLiteral("samples"), samples);
    json.insert(QStringLiteral("summary"), summaryToJson(ProcSampleSummary::of(record.samples)));
    QSaveFile file(record.request.jsonPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(QJsonDocument(json).toJson()) < 0 || !file.commit()) {
        errors << "poolscope attach: cannot write " << record.request.jsonPath.toStdString() << ": "
               << file.errorString().toStdString() << '\n';
        return false;
    }
    return true;
}

}  // namespace

int AttachCommand::execute(const Request& request, std::ostream& out, std::ostream& errors) {
    std::unique_ptr<ProcProcess> process;
    std::string name;
    std::string commandLine;
    try {
        process = std::make_unique<ProcProcess>(request.pid);
        name = process->status().name;
        commandLine = process->commandLine();
    } catch (const ProcError& error) {
        errors << "poolscope attach: " << error.what() << '\n';
        return exitStatusFor(error.kind());
    }
    out << "Sampling /proc/" << request.pid << " (" << name << ") every "
        << request.interval.count() << " ms; no stacks: use `poolscope launch` or the live link "
        << "for them. Ctrl+C stops." << std::endl;

    ProcSamplerOptions options;
    options.interval = request.interval;
    options.rollupInterval = request.pssInterval;
    ProcSampler sampler(std::move(process), options);
    // After the sampler, so that it goes first: its handler stops the sampler.
    SignalCancellation cancellation([&sampler] { sampler.stop(); });
    const auto deadline = request.duration
                              ? std::optional(std::chrono::steady_clock::now() + *request.duration)
                              : std::nullopt;
    std::vector<ProcSample> samples;
    std::int64_t lastLine = 0;
    for (;;) {
        sampler.waitForSamples(kWaitSlice);
        const std::size_t before = samples.size();
        sampler.drain(samples);
        for (std::size_t i = before; i < samples.size(); ++i) {
            if (i == 0 || samples[i].timeNanoseconds - lastLine >=
                              std::chrono::nanoseconds(kLineInterval).count()) {
                printLine(samples.front(), samples[i], out);
                lastLine = samples[i].timeNanoseconds;
            }
        }
        if (sampler.ended()) {
            break;
        }
        if (deadline && std::chrono::steady_clock::now() >= *deadline) {
            sampler.stop();
        }
    }
    sampler.drain(samples);

    const std::optional<ProcError> endError = sampler.endError();
    if (samples.empty() && endError) {
        errors << "poolscope attach: " << endError->what()
               << (endError->kind() == ProcError::Kind::Exited ? " before its first sample" : "")
               << '\n';
        return exitStatusFor(endError->kind());
    }
    std::string end = "duration";
    std::string ending = "the duration elapsed";
    if (cancellation.signalNumber() != 0) {
        end = "signal";
        ending = "stopped by " +
                 std::string(cancellation.signalNumber() == SIGINT ? "SIGINT" : "SIGTERM");
    } else if (endError) {
        end = endError->kind() == ProcError::Kind::Exited ? "exited" : "unreadable";
        ending = endError->what();
    }
    printSummary(ProcSampleSummary::of(samples), ending, out);
    if (!request.jsonPath.isEmpty() &&
        !writeJson({request, name, commandLine, samples, end, ending}, errors)) {
        return CommandLine::kExitFailure;
    }
    if (end == "signal") {
        return CommandLine::kExitCancelled;
    }
    return end == "unreadable" ? kExitNotYours : CommandLine::kExitSuccess;
}

int AttachCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Samples a process of yours from /proc, with no injection: RSS, PSS, anonymous, "
        "file-backed and swapped memory, and open descriptors. Prints a line a second and a "
        "summary (peak RSS, growth, descriptors at the start and the end) when the process "
        "exits, the duration elapses, or on Ctrl+C. No stacks: for those start the program "
        "with 'poolscope launch -- PROGRAM', or the live link (POOLSCOPE_LISTEN=1).\n\n"
        "Exit status:\n"
        "  0    the process exited, or the duration elapsed\n"
        "  1    a usage error (a PID that is not a number), or the JSON could not be written\n"
        "  5    no such process\n"
        "  6    the process is another user's (or /proc refused to show it)\n"
        "  7    the process exited before its first sample\n"
        "  130  stopped by SIGINT or SIGTERM (the summary and the JSON are written all the "
        "same)"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("pid"), QStringLiteral("The process to sample."),
                                 QStringLiteral("attach <pid>"));
    const QCommandLineOption interval(
        QStringLiteral("interval-ms"),
        QStringLiteral("Milliseconds between samples, %1 to %2 (default %3).")
            .arg(kShortestIntervalMilliseconds)
            .arg(kLongestIntervalMilliseconds)
            .arg(ProcSamplerOptions::kDefaultInterval.count()),
        QStringLiteral("N"), QString::number(ProcSamplerOptions::kDefaultInterval.count()));
    const QCommandLineOption pssInterval(
        QStringLiteral("pss-interval-ms"),
        QStringLiteral("Milliseconds between reads of smaps_rollup (PSS), %1 to %2 (default %3): "
                       "on a large process one read costs milliseconds, so it is read less often "
                       "than the rest, and samples in between carry the last PSS read.")
            .arg(kShortestIntervalMilliseconds)
            .arg(kLongestIntervalMilliseconds)
            .arg(ProcSamplerOptions::kDefaultRollupInterval.count()),
        QStringLiteral("N"), QString::number(ProcSamplerOptions::kDefaultRollupInterval.count()));
    const QCommandLineOption duration(
        QStringLiteral("duration-s"),
        QStringLiteral("Stop after this many seconds (default: when the process exits)."),
        QStringLiteral("S"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Writes the samples and the summary as JSON to "
                                                 "FILE."),
                                  QStringLiteral("FILE"));
    parser.addOptions({interval, pssInterval, duration, json});
    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("attach"))) {
        return CommandLine::kExitFailure;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printUsageError(positional.isEmpty() ? QStringLiteral("which process? Name its PID.")
                                             : QStringLiteral("one process at a time, not '%1'.")
                                                   .arg(positional.join(QLatin1Char(' '))));
        return CommandLine::kExitFailure;
    }
    Request request;
    const auto pid = CommandLine::wholeNumberInRange(positional.constFirst(), 1, INT_MAX);
    if (!pid) {
        printUsageError(QStringLiteral("a PID is a whole number from 1, not '%1'.")
                            .arg(positional.constFirst()));
        return CommandLine::kExitFailure;
    }
    request.pid = static_cast<pid_t>(*pid);
    const auto milliseconds = CommandLine::wholeNumberInRange(
        parser.value(interval), kShortestIntervalMilliseconds, kLongestIntervalMilliseconds);
    if (!milliseconds) {
        printUsageError(QStringLiteral("--interval-ms must be a whole number from %1 to %2, not "
                                       "'%3'.")
                            .arg(kShortestIntervalMilliseconds)
                            .arg(kLongestIntervalMilliseconds)
                            .arg(parser.value(interval)));
        return CommandLine::kExitFailure;
    }
    request.interval = std::chrono::milliseconds(*milliseconds);
    const auto pssMilliseconds = CommandLine::wholeNumberInRange(
        parser.value(pssInterval), kShortestIntervalMilliseconds, kLongestIntervalMilliseconds);
    if (!pssMilliseconds) {
        printUsageError(QStringLiteral("--pss-interval-ms must be a whole number from %1 to %2, "
                                       "not '%3'.")
                            .arg(kShortestIntervalMilliseconds)
                            .arg(kLongestIntervalMilliseconds)
                            .arg(parser.value(pssInterval)));
        return CommandLine::kExitFailure;
    }
    request.pssInterval = std::chrono::milliseconds(*pssMilliseconds);
    if (parser.isSet(duration)) {
        const auto seconds =
            CommandLine::wholeNumberInRange(parser.value(duration), 1, kLongestDurationSeconds);
        if (!seconds) {
            printUsageError(QStringLiteral("--duration-s must be a whole number of seconds from "
                                           "1, not '%1'.")
                                .arg(parser.value(duration)));
            return CommandLine::kExitFailure;
        }
        request.duration = std::chrono::seconds(*seconds);
    }
    if (parser.isSet(json) && parser.value(json).isEmpty()) {
        printUsageError(QStringLiteral("--json needs a file name, not an empty one."));
        return CommandLine::kExitFailure;
    }
    request.jsonPath = parser.value(json);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
