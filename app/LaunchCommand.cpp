#include "LaunchCommand.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>

#include <chrono>
#include <iostream>
#include <limits>
#include <memory>
#include <thread>

#include "CommandLine.h"
#include "LaunchReport.h"
#include "SignalCancellation.h"
#include "analysis/AnalysisSummarizer.h"
#include "base/Clock.h"
#include "native/LaunchedProgram.h"
#include "recording/RecordingError.h"
#include "recording/RecordingWriter.h"

namespace poolscope {

namespace {

// How often events are taken from the program while it runs.
constexpr auto kDrainInterval = std::chrono::milliseconds(20);
constexpr std::size_t kRecordingQueueEvents = std::size_t{1} << 17;

std::string joined(const std::vector<std::string>& arguments) {
    std::string text;
    for (const std::string& argument : arguments) {
        text += (text.empty() ? "" : " ") + argument;
    }
    return text;
}

bool writeReport(const QString& path, const QJsonObject& json, std::ostream& errors) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(QJsonDocument(json).toJson(QJsonDocument::Indented)) < 0 || !file.flush()) {
        errors << "poolscope launch: cannot write the report to " << path.toStdString() << ": "
               << file.errorString().toStdString() << '\n';
        return false;
    }
    return true;
}

}  // namespace

int LaunchCommand::execute(const Request& request, std::ostream& out, std::ostream& errors) {
    LeakSuppressions suppressions;
    if (!request.suppressionsPath.isEmpty()) {
        try {
            suppressions = LeakSuppressions::load(request.suppressionsPath.toStdString());
        } catch (const LeakSuppressionsError& error) {
            errors << "poolscope launch: " << error.what() << '\n';
            return CommandLine::kExitFailure;
        }
    }

    LaunchedProgram::Options options;
    options.program = request.program;
    options.arguments = request.arguments;
    options.preloadLibrary = LaunchedProgram::preloadLibrary();
    options.stackDepth = request.stackDepth;
    std::unique_ptr<LaunchedProgram> program;
    try {
        program = std::make_unique<LaunchedProgram>(options);
    } catch (const LaunchError& error) {
        errors << "poolscope launch: " << error.what() << '\n';
        return CommandLine::kExitFailure;
    }

    std::unique_ptr<RecordingWriter> recording;
    if (!request.recordPath.isEmpty()) {
        RecordingWriter::Options recordingOptions = AnalysisSummarizer::recordingOptions();
        recordingOptions.replaceExisting = request.force;
        // Its queue holds what the launch loop hands it in about 25 ms at the highest rates;
        // a fuller one only holds events back (see the loop below).
        recordingOptions.queueCapacityEvents = kRecordingQueueEvents;
        // Kept as modules and offsets: the program's binaries name its stacks when it is read.
        recordingOptions.symbolizeInBackground = false;
        recordingOptions.stacks = program->stacks().get();
        recordingOptions.onWriteFailure = [&errors](const std::string& error) {
            errors << "poolscope: the recording cannot be written, its events are dropped and "
                      "counted until it can: "
                   << error << std::endl;
        };
        const std::vector<std::pair<std::string, std::string>> metadata = {
            {"program", program->programPath()},
            {"parameters", joined(request.arguments)},
            {"pid", std::to_string(program->pid())},
            {"source", "launch"},
            {"poolscope_version", POOLSCOPE_VERSION},
            {"started_at",
             QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()}};
        try {
            recording = std::make_unique<RecordingWriter>(request.recordPath.toStdString(),
                                                          metadata, recordingOptions);
        } catch (const RecordingError& error) {
            errors << "poolscope launch: " << error.what()
                   << (dynamic_cast<const RecordingExistsError*>(&error) ? "; --force replaces it"
                                                                         : "")
                   << '\n';
            program->terminate();
            program->waitUntilEnded();
            return CommandLine::kExitFailure;
        }
    }

    LaunchReport report;
    report.run.scenario = program->programPath();
    report.arguments = request.arguments;
    report.run.parameters.emplace_back("pid", static_cast<std::int64_t>(program->pid()));
    {
        // Ctrl+C reaches the program itself (it shares the terminal); SIGTERM to PoolScope is
        // passed on. Either way the report and the recording are finished.
        const SignalCancellation cancellation([&program] { program->terminate(); });
        std::vector<MemoryEvent> batch;
        for (;;) {
            // Ended is read before the drain, so nothing that came before the end is left.
            const bool ended = program->ended();
            batch.clear();
            // A recording that is behind takes only what its queue has room for: the rest
            // waits in the program's inbox and its pipe, so a slow disk or a busy machine
            // slows the stream down instead of losing events.
            program->drain(batch,
                           recording ? recording->room() : std::numeric_limits<std::size_t>::max());
            report.run.eventsObserved += batch.size();
            if (recording && !batch.empty()) {
                recording->consume(batch);
            }
            if (ended && program->inboxEmpty()) {
                break;
            }
            if (!ended || batch.empty()) {
                std::this_thread::sleep_for(kDrainInterval);
            }
        }
    }
    report.exit = program->exit();
    report.endReason = program->endReason();
    report.execs = program->execs();
    report.run.duration =
        std::chrono::nanoseconds(systemMonotonicNanoseconds() - program->startNanoseconds());
    report.run.droppedEvents = program->droppedEvents();

    std::vector<LeakRecord> leftBehind = program->leftBehind(kFramesPerStack);
    for (const NativeLiveState::Descriptor& descriptor : program->openDescriptors()) {
        LaunchReport::OpenResource resource;
        resource.descriptor = descriptor;
        resource.tag = program->stacks()->tagName(descriptor.tagId);
        if (descriptor.stackId != 0) {
            resource.stack =
                program->stacks()->symbolizedStack(descriptor.stackId, kFramesPerStack);
        }
        resource.runtimeOwned = NativeLeakClassifier::isRuntimeOwned(resource.stack);
        report.resources.push_back(std::move(resource));
    }

    report.classify(std::move(leftBehind), suppressions, program->reachableAtExit());

    RunNotes notes;
    bool failed = false;
    bool recordingIncomplete = false;
    if (recording) {
        // The recording's leaks are what was lost: what the program could still reach at its
        // end is not, and `poolscope report` sets the runtime's apart again.
        std::vector<RecordedLeak> leaks;
        for (const std::vector<LeakRecord>* kind : {&report.run.leaks, &report.runtimeOwned}) {
            for (const LeakRecord& leak : *kind) {
                leaks.push_back({leak.id, leak.tag, false});
            }
        }
        for (const NativeLeaks::Suppressed& entry : report.suppressed) {
            leaks.push_back({entry.leak.id, entry.leak.tag, false});
        }
        try {
            recording->finish(leaks, report.run.droppedEvents);
        } catch (const RecordingError& error) {
            errors << "poolscope launch: " << error.what() << '\n';
            notes.errors.append(QString::fromUtf8(error.what()));
            recordingIncomplete = recording->closed();
            failed = !recordingIncomplete;
        }
        notes.recordingDroppedEvents = recording->droppedEvents();
    }
    if (report.run.droppedEvents > 0) {
        const std::string warning = std::to_string(report.run.droppedEvents) +
                                    " events were lost (PoolScope did not keep up): the leaks "
                                    "may be incomplete";
        errors << "poolscope launch: warning: " << warning << '\n';
        notes.warnings.append(QString::fromStdString(warning));
    }

    report.printSummary(out);
    out.flush();
    const RunOptions runOptions{request.failOnLeak, request.reportPath, request.recordPath};
    if (!request.reportPath.isEmpty() &&
        !writeReport(request.reportPath, report.toJson(runOptions, notes), errors)) {
        failed = true;
    }
    if (failed) {
        return CommandLine::kExitFailure;
    }
    if (recordingIncomplete) {
        return CommandLine::kExitRecordingIncomplete;
    }
    const int status = report.exit ? report.exit->status() : CommandLine::kExitFailure;
    if (status == 0 && request.failOnLeak && !report.run.leaks.empty()) {
        return CommandLine::kExitLeaksFound;
    }
    return status;
}

int LaunchCommand::exec(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs PROGRAM with PoolScope's LD_PRELOAD interposer, which follows its heap (malloc, "
        "new and their kin), its mappings (mmap) and its file descriptors with their stacks, "
        "then prints what it left behind: its own leaks, grouped by stack, apart from what the "
        "C and C++ runtimes keep for the life of any process. Statically linked and setuid "
        "programs cannot be launched so (use 'poolscope attach PID').\n\n"
        "Exit status:\n"
        "  the program's own (128 + the signal that ended it)\n"
        "  1  a usage error, a program that cannot be launched, or a report or recording that\n"
        "     could not be written\n"
        "  3  --fail-on-leak, the program exited with 0 and left leaks of its own\n"
        "  4  the recording is finished but lacks events that could not be committed"));
    parser.addHelpOption();
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addPositionalArgument(QStringLiteral("program"),
                                 QStringLiteral("The program to run, and its arguments."),
                                 QStringLiteral("launch [options] -- PROGRAM [ARGS...]"));
    const QCommandLineOption report(QStringLiteral("report"),
                                    QStringLiteral("Writes the report as JSON to FILE."),
                                    QStringLiteral("FILE.json"));
    const QCommandLineOption record(
        QStringLiteral("record"),
        QStringLiteral("Records every event of the program into FILE (SQLite), for the window "
                       "and 'poolscope report'. An existing recording is replaced only with "
                       "--force."),
        QStringLiteral("FILE"));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Replaces the recording at --record FILE."));
    const QCommandLineOption failOnLeak(
        QStringLiteral("fail-on-leak"),
        QStringLiteral("Exits with status 3 when the program left leaks of its own: a CI leak "
                       "gate."));
    const QCommandLineOption suppressionsOption(
        QStringLiteral("suppressions"),
        QStringLiteral("Hides the leaks whose stacks match FILE's 'leak:PATTERN' lines "
                       "(LeakSanitizer's format) from the program's own."),
        QStringLiteral("FILE"));
    const QCommandLineOption stackDepth(QStringLiteral("stack-depth"),
                                        QStringLiteral("Return addresses kept per stack (1 to %1).")
                                            .arg(PreloadWire::kMaxStackFrames),
                                        QStringLiteral("N"));
    parser.addOptions({report, record, force, failOnLeak, suppressionsOption, stackDepth});
    if (!CommandLine::parseCommandOptions(parser, arguments, QStringLiteral("launch"))) {
        return CommandLine::kExitFailure;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        CommandLine::printUsageError(QStringLiteral("launch"),
                                     QStringLiteral("which program? poolscope launch -- PROGRAM "
                                                    "[ARGS...]"));
        return CommandLine::kExitFailure;
    }
    Request request;
    request.program = positional.constFirst().toStdString();
    for (qsizetype i = 1; i < positional.size(); ++i) {
        request.arguments.push_back(positional[i].toStdString());
    }
    request.reportPath = parser.value(report);
    request.recordPath = parser.value(record);
    request.force = parser.isSet(force);
    request.failOnLeak = parser.isSet(failOnLeak);
    request.suppressionsPath = parser.value(suppressionsOption);
    if (parser.isSet(stackDepth)) {
        const std::optional<std::int64_t> depth = CommandLine::wholeNumberInRange(
            parser.value(stackDepth), 1, PreloadWire::kMaxStackFrames);
        if (!depth) {
            CommandLine::printUsageError(
                QStringLiteral("launch"),
                QStringLiteral("--stack-depth must be a whole number from 1 to %1, not '%2'.")
                    .arg(PreloadWire::kMaxStackFrames)
                    .arg(parser.value(stackDepth)));
            return CommandLine::kExitFailure;
        }
        request.stackDepth = static_cast<int>(*depth);
    }
    for (const QCommandLineOption* named : {&report, &record, &suppressionsOption}) {
        if (parser.isSet(*named) && parser.value(*named).isEmpty()) {
            CommandLine::printUsageError(
                QStringLiteral("launch"),
                QStringLiteral("--%1 needs a file name, not an empty one.").arg(named->names()[0]));
            return CommandLine::kExitFailure;
        }
    }
    return execute(request, std::cout, std::cerr);
}

}  // namespace poolscope
