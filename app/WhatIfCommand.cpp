#include "WhatIfCommand.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <iomanip>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "AnalysisReportJson.h"
#include "CommandLine.h"
#include "analysis/StackNames.h"
#include "analysis/WhatIfReplay.h"
#include "base/TextFormat.h"
#include "memory/MemoryAllocatorOptions.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"

namespace poolscope {

namespace {

constexpr int kSitesPrinted = 10;

// One side's memory held over time as [nanoseconds since the first event, bytes] points, a step
// each: a point holds until the next. Only the points where this side changed are kept (and the
// first and the last, the recording's ends), so the pooled side, which changes far less, stays
// short.
QJsonArray heldOverTimeToJson(const std::vector<WhatIfHeldSample>& samples, bool pooled) {
    QJsonArray points;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const std::uint64_t bytes = pooled ? samples[i].pooledBytes : samples[i].actualBytes;
        const bool changed =
            i == 0 || bytes != (pooled ? samples[i - 1].pooledBytes : samples[i - 1].actualBytes);
        if (changed || i + 1 == samples.size()) {
            points.append(QJsonArray{static_cast<qint64>(samples[i].nanoseconds),
                                     static_cast<qint64>(bytes)});
        }
    }
    return points;
}

QJsonObject figuresToJson(const WhatIfFigures& figures,
                          const std::vector<WhatIfHeldSample>& heldOverTime, bool pooled) {
    QJsonObject object;
    object.insert(QStringLiteral("mapCalls"), static_cast<qint64>(figures.mapCalls));
    object.insert(QStringLiteral("unmapCalls"), static_cast<qint64>(figures.unmapCalls));
    object.insert(QStringLiteral("bytesFaultedIn"), static_cast<qint64>(figures.bytesFaultedIn));
    object.insert(QStringLiteral("peakHeldBytes"), static_cast<qint64>(figures.peakHeldBytes));
    object.insert(QStringLiteral("idleHeldBytes"), static_cast<qint64>(figures.idleHeldBytes));
    object.insert(QStringLiteral("heldOverTime"), heldOverTimeToJson(heldOverTime, pooled));
    return object;
}

// Sites as `poolscope report` names them: the innermost frame of the allocator's caller.
std::string siteName(StackNames& names, StackId stackId) {
    return names.label(names.frameIds(stackId).front());
}

// Savings may be negative: the pool can cost a site more than it had.
std::string signedBytes(std::int64_t bytes) {
    return bytes < 0 ? "-" + formatBytes(static_cast<std::uint64_t>(-bytes))
                     : formatBytes(static_cast<std::uint64_t>(bytes));
}

QJsonObject toJson(const WhatIfResult& result, const WhatIfCommand::Request& request,
                   StackNames& names) {
    QJsonObject pool;
    pool.insert(QStringLiteral("capacityChunks"), result.poolCapacityChunks);
    pool.insert(QStringLiteral("chunkBytes"), static_cast<qint64>(result.chunkBytes));
    pool.insert(QStringLiteral("trimPeriodMs"),
                static_cast<qint64>(request.trimPeriodMilliseconds));
    QJsonArray sites;
    for (const WhatIfSite& site : result.sites) {
        if (sites.size() == kAnalysisEntriesListed) {
            break;
        }
        QJsonArray stack;
        for (const Frame& frame : names.frames(site.stackId)) {
            stack.append(QString::fromStdString(frame.toString()));
        }
        QJsonObject entry;
        entry.insert(QStringLiteral("site"), QString::fromStdString(siteName(names, site.stackId)));
        entry.insert(QStringLiteral("stackId"), static_cast<qint64>(site.stackId));
        entry.insert(QStringLiteral("stack"), stack);
        entry.insert(QStringLiteral("buffers"), static_cast<qint64>(site.requests));
        entry.insert(QStringLiteral("mapCallsSaved"), static_cast<qint64>(site.mapCallsSaved));
        entry.insert(QStringLiteral("bytesFaultedInSaved"),
                     static_cast<qint64>(site.bytesFaultedInSaved));
        sites.append(entry);
    }
    QJsonObject root;
    root.insert(QStringLiteral("recording"), request.recordingPath);
    root.insert(QStringLiteral("largeBuffers"), static_cast<qint64>(result.largeRequests));
    root.insert(QStringLiteral("pool"), pool);
    root.insert(QStringLiteral("actual"), figuresToJson(result.actual, result.heldOverTime, false));
    root.insert(QStringLiteral("pooled"), figuresToJson(result.pooled, result.heldOverTime, true));
    root.insert(QStringLiteral("siteCount"), static_cast<qint64>(result.sites.size()));
    root.insert(QStringLiteral("sites"), sites);
    return root;
}

void print(const WhatIfResult& result, const WhatIfCommand::Request& request, StackNames& names,
           std::ostream& out) {
    out << "What if it were pooled: " << request.recordingPath.toStdString() << '\n'
        << "pool: " << result.poolCapacityChunks << " chunks of " << formatBytes(result.chunkBytes)
        << ", trim period " << request.trimPeriodMilliseconds << " ms; " << result.largeRequests
        << " large buffers\n\n";
    const auto row = [&out](const char* name, const std::string& actual,
                            const std::string& pooled) {
        out << std::left << std::setw(18) << name << std::right << std::setw(14) << actual
            << std::setw(14) << pooled << '\n';
    };
    row("", "actual", "pooled");
    row("map calls", std::to_string(result.actual.mapCalls),
        std::to_string(result.pooled.mapCalls));
    row("unmap calls", std::to_string(result.actual.unmapCalls),
        std::to_string(result.pooled.unmapCalls));
    row("bytes faulted in", formatBytes(result.actual.bytesFaultedIn),
        formatBytes(result.pooled.bytesFaultedIn));
    row("peak held", formatBytes(result.actual.peakHeldBytes),
        formatBytes(result.pooled.peakHeldBytes));
    row("idle held", formatBytes(result.actual.idleHeldBytes),
        formatBytes(result.pooled.idleHeldBytes));
    if (result.sites.empty()) {
        return;
    }
    out << "\nCall sites that would gain most:\n"
        << std::setw(12) << "maps saved" << std::setw(16) << "faulted saved" << std::setw(10)
        << "buffers"
        << "  site\n";
    for (std::size_t i = 0; i < result.sites.size() && i < kSitesPrinted; ++i) {
        const WhatIfSite& site = result.sites[i];
        out << std::setw(12) << site.mapCallsSaved << std::setw(16)
            << signedBytes(site.bytesFaultedInSaved) << std::setw(10) << site.requests << "  "
            << siteName(names, site.stackId) << '\n';
    }
}

// A whole number of at least `minimum`, or a usage error naming the option.
std::optional<std::int64_t> wholeNumber(const QCommandLineParser& parser,
                                        const QCommandLineOption& option, std::int64_t minimum) {
    bool isNumber = false;
    const qint64 value = parser.value(option).toLongLong(&isNumber);
    if (!isNumber || value < minimum) {
        CommandLine::printUsageError(QStringLiteral("whatif"),
                                     QStringLiteral("--%1 needs a whole number >= %2, not '%3'.")
                                         .arg(option.names().constFirst())
                                         .arg(minimum)
                                         .arg(parser.value(option)));
        return std::nullopt;
    }
    return value;
}

}  // namespace

int WhatIfCommand::execute(const Request& request, std::ostream& out, std::ostream& errors) {
    try {
        const RecordingReader reader(request.recordingPath.toStdString());
        WhatIfReplay::Options options;
        options.poolSizeMegabytes = request.poolSizeMegabytes;
        if (request.trimPeriodMilliseconds > 0) {
            options.trimPeriod = std::chrono::milliseconds(request.trimPeriodMilliseconds);
        }
        Request shown = request;
        shown.trimPeriodMilliseconds = options.trimPeriod.count();
        const WhatIfResult result = WhatIfReplay::of(reader, options);
        StackNames names = StackNames::of(reader);
        print(result, shown, names, out);
        if (!request.jsonPath.isEmpty()) {
            QFile file(request.jsonPath);
            const QByteArray json = QJsonDocument(toJson(result, shown, names)).toJson();
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
                file.write(json) != json.size() || !file.flush()) {
                errors << "poolscope whatif: cannot write " << request.jsonPath.toStdString()
                       << '\n';
                return CommandLine::kExitFailure;
            }
        }
    } catch (const RecordingError& error) {
        errors << "poolscope whatif: " << error.what() << '\n';
        return CommandLine::kExitFailure;
    }
    return CommandLine::kExitSuccess;
}

int WhatIfCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Replays a recording's large buffers (over 1 MiB, and every mapping of a launched "
        "program) through the ImageSharp pool and prints, beside what really happened, the map "
        "and unmap calls, the bytes faulted in, the peak and idle memory held, and the call "
        "sites that would gain most.\n\n"
        "Exit status:\n"
        "  0  the recording was replayed\n"
        "  1  a usage error, a file that is not a readable recording, or a JSON file that "
        "could not be written"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("recording"),
                                 QStringLiteral("The recording to replay."),
                                 QStringLiteral("whatif <recording>"));
    const QCommandLineOption poolSize(
        QStringLiteral("pool-size"),
        QStringLiteral("The pool's size in MiB (default: an eighth of the machine's memory)."),
        QStringLiteral("MiB"));
    const QCommandLineOption trimPeriod(
        QStringLiteral("trim-period-ms"),
        QStringLiteral("The pool's trim period in milliseconds (default: 60000)."),
        QStringLiteral("N"));
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("Writes the figures as JSON to FILE: `actual` and `pooled` with mapCalls, "
                       "unmapCalls, bytesFaultedIn, peakHeldBytes, idleHeldBytes and heldOverTime "
                       "(the memory held as [nanoseconds since the first event, bytes] points, "
                       "each holding until the next; where a 4096th of the recording's time holds "
                       "more changes than a plot shows, only its first, last, highest and lowest), "
                       "and the `sites`."),
        QStringLiteral("FILE.json"));
    parser.addOptions({poolSize, trimPeriod, json});
    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("whatif"))) {
        return CommandLine::kExitFailure;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        CommandLine::printUsageError(QStringLiteral("whatif"),
                                     positional.isEmpty()
                                         ? QStringLiteral("which recording?")
                                         : QStringLiteral("one recording at a time, not '%1'.")
                                               .arg(positional.join(QLatin1Char(' '))));
        return CommandLine::kExitFailure;
    }
    Request request;
    request.recordingPath = positional.constFirst();
    if (parser.isSet(poolSize)) {
        const std::optional<std::int64_t> megabytes = wholeNumber(parser, poolSize, 0);
        if (!megabytes) {
            return CommandLine::kExitFailure;
        }
        MemoryAllocatorOptions allocatorOptions;
        allocatorOptions.maximumPoolSizeMegabytes = *megabytes;
        try {
            allocatorOptions.validate();
        } catch (const std::out_of_range&) {
            CommandLine::printUsageError(
                QStringLiteral("whatif"),
                QStringLiteral("--pool-size is too large: %1.").arg(parser.value(poolSize)));
            return CommandLine::kExitFailure;
        }
        request.poolSizeMegabytes = *megabytes;
    }
    if (parser.isSet(trimPeriod)) {
        const std::optional<std::int64_t> period = wholeNumber(parser, trimPeriod, 1);
        if (!period) {
            return CommandLine::kExitFailure;
        }
        request.trimPeriodMilliseconds = *period;
    }
    if (parser.isSet(json) && parser.value(json).isEmpty()) {
        CommandLine::printUsageError(QStringLiteral("whatif"),
                                     QStringLiteral("--json needs a file name, not an empty one."));
        return CommandLine::kExitFailure;
    }
    request.jsonPath = parser.value(json);
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
