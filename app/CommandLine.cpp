#include "CommandLine.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cstdio>

#include "scenarios/DefaultWorkload.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioRegistry.h"
#include "session/EngineSession.h"
#include "views/MainWindow.h"

namespace poolscope {

namespace {

// Options after "--" are positional, so they cannot switch modes.
bool hasOption(const QStringList& arguments, const QString& name) {
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString& argument = arguments[i];
        if (argument == QLatin1String("--")) {
            return false;
        }
        if (argument == QLatin1String("--") + name ||
            argument.startsWith(QLatin1String("--") + name + QLatin1Char('='))) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::optional<std::int64_t> CommandLine::wholeNumberInRange(const QString& text,
                                                            std::int64_t minimum,
                                                            std::int64_t maximum) {
    // Digits as written, nothing else: " 10", "+10" and "010" are refused rather than read
    // loosely, so a typo never becomes a different number.
    static const QRegularExpression wholeNumber(QStringLiteral("^-?(0|[1-9][0-9]{0,17})$"));
    if (!wholeNumber.match(text).hasMatch()) {
        return std::nullopt;
    }
    const qlonglong value = text.toLongLong();
    if (value < minimum || value > maximum) {
        return std::nullopt;
    }
    return value;
}

void CommandLine::printUsageError(const QString& command, const QString& message) {
    const QString program =
        command.isEmpty() ? QStringLiteral("poolscope") : QStringLiteral("poolscope ") + command;
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", qPrintable(program), qPrintable(message),
                 qPrintable(program));
}

bool CommandLine::parseCommandOptions(QCommandLineParser& parser, const QStringList& arguments,
                                      const QString& command) {
    QStringList withoutCommand = arguments;
    withoutCommand.removeAt(1);
    if (!parser.parse(withoutCommand)) {
        printUsageError(command, parser.errorText());
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        parser.showHelp(kExitSuccess);
    }
    return true;
}

CommandLine::CommandLine()
    : headless_(QStringLiteral("headless"),
                QStringLiteral("Run the default workload without a window and print the pool "
                               "figures and the leak checkpoint. Chosen automatically when there "
                               "is no display (no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM).")),
      iterations_(QStringLiteral("iterations"),
                  QStringLiteral("Iterations of the default workload (default %1).")
                      .arg(WorkloadOptions::kDefaultIterations),
                  QStringLiteral("N"), QString::number(WorkloadOptions::kDefaultIterations)),
      leak_(QStringLiteral("leak"),
            QStringLiteral("Make the workload leak a few preview buffers on purpose (tag "
                           "\"%1\"), to see what the leak checkpoint reports.")
                .arg(QLatin1String(DefaultWorkload::kLeakyCacheTag))),
      poolSize_(QStringLiteral("pool-size"),
                QStringLiteral("Maximum size of the chunk pool in MiB (default %1; 0 sends "
                               "everything over 1 MiB to unpooled memory).")
                    .arg(EngineSession::kDefaultPoolSizeMegabytes),
                QStringLiteral("MiB"), QString::number(EngineSession::kDefaultPoolSizeMegabytes)),
      screenshot_(QStringLiteral("screenshot"),
                  QStringLiteral("Show the window, run the workload, save the window to FILE as "
                                 "PNG when the run is done, and exit. Renders off screen when "
                                 "there is no display."),
                  QStringLiteral("FILE")),
      view_(QStringLiteral("view"),
            QStringLiteral("With --screenshot: save only this view: main (the whole window), "
                           "pool, timeline, layout, leaks, gc, results, compare, resources, "
                           "analyses or whatif."),
            QStringLiteral("NAME"), QStringLiteral("main")),
      checkpoint_(QStringLiteral("checkpoint"),
                  QStringLiteral("With --screenshot: run the scenario in step mode to its N-th "
                                 "checkpoint (0: the first; --list-scenarios names them) and "
                                 "save the window there."),
                  QStringLiteral("N")),
      size_(QStringLiteral("size"),
            QStringLiteral("With --screenshot: the window's size in pixels (default 1600x1000; "
                           "the smallest is the window's minimum, 1024x640)."),
            QStringLiteral("WxH"), QStringLiteral("1600x1000")),
      listScenarios_(QStringLiteral("list-scenarios"),
                     QStringLiteral("List the scenarios with their parameters and exit.")),
      scenario_(QStringLiteral("scenario"),
                QStringLiteral("Open the window on this scenario instead of the default "
                               "workload (headless: run it, as 'poolscope run' does)."),
                QStringLiteral("NAME")),
      param_({QStringLiteral("p"), QStringLiteral("param")},
             QStringLiteral("Set a parameter of the --scenario; repeat for more."),
             QStringLiteral("key=value")) {
    parser_.setApplicationDescription(QStringLiteral(
        "PoolScope shows what a pooled image-memory allocator does while an image workload "
        "runs.\n\n"
        "Commands:\n"
        "  poolscope run <scenario> [--param key=value ...] [--report FILE.json]\n"
        "                [--record FILE] [--fail-on-leak]\n"
        "      run a scenario without a window (details: poolscope run --help)\n"
        "  poolscope layout --width W --height H [--pixel TYPE] [--max-pool-mb N]\n"
        "                [--prefer-contiguous] [--json]\n"
        "      the memory an image would get, without allocating it (poolscope layout --help)\n"
        "  poolscope report FILE [--report FILE.json] [--fail-on-leak]\n"
        "      the summary and report of a recording, such as a program's POOLSCOPE_RECORD\n"
        "      (details: poolscope report --help)\n"
        "  poolscope whatif FILE [--pool-size MiB] [--trim-period-ms N] [--json FILE]\n"
        "      what the pool would have made of a recording's large buffers\n"
        "      (details: poolscope whatif --help)\n"
        "  poolscope launch [--report FILE.json] [--record FILE] [--fail-on-leak] -- PROGRAM\n"
        "      run any program under the interposer: its heap, mappings and descriptors\n"
        "      with stacks, and what it left behind (details: poolscope launch --help)\n"
        "  poolscope attach PID [--interval-ms N] [--duration-s S] [--json FILE]\n"
        "      sample any process of yours from /proc: memory and descriptors, no stacks\n"
        "      (details: poolscope attach --help)\n"
        "  poolscope open FILE\n"
        "      open a recording (made with --record or File > Save) in the window\n\n"
        "Exit status:\n"
        "  0  the run succeeded\n"
        "  1  a usage error, or the workload or the screenshot failed\n"
        "  3  headless: the leak checkpoint found allocations made by the workload that are\n"
        "     still live after it (always the case with --leak); CI can gate on it;\n"
        "     'poolscope run --fail-on-leak': allocations of the run undisposed at the end;\n"
        "     'poolscope report --fail-on-leak': allocations live at the recording's end"));
    parser_.addHelpOption();
    parser_.addVersionOption();
    parser_.addOptions({headless_, iterations_, leak_, poolSize_, screenshot_, view_, checkpoint_,
                        size_, listScenarios_, scenario_, param_});
}

bool CommandLine::asksForHeadless(const QStringList& arguments) {
    return hasOption(arguments, QStringLiteral("headless"));
}

bool CommandLine::asksForScreenshot(const QStringList& arguments) {
    return hasOption(arguments, QStringLiteral("screenshot"));
}

bool CommandLine::asksForScenarioList(const QStringList& arguments) {
    return hasOption(arguments, QStringLiteral("list-scenarios"));
}

QString CommandLine::command(const QStringList& arguments) {
    if (arguments.size() > 1 &&
        (arguments[1] == QLatin1String("run") || arguments[1] == QLatin1String("layout") ||
         arguments[1] == QLatin1String("report") || arguments[1] == QLatin1String("launch") ||
         arguments[1] == QLatin1String("attach") || arguments[1] == QLatin1String("whatif"))) {
        return arguments[1];
    }
    return {};
}

std::optional<LaunchOptions> CommandLine::process(const QCoreApplication& application) {
    parser_.process(application);
    LaunchOptions options;
    QStringList positional = parser_.positionalArguments();
    if (!positional.isEmpty() && positional.constFirst() == QLatin1String("open")) {
        if (positional.size() != 2) {
            printUsageError(QStringLiteral("open"),
                            QStringLiteral("name one recording to open: poolscope open FILE."));
            return std::nullopt;
        }
        options.recordingPath = positional[1];
        positional.clear();
    }
    if (!positional.isEmpty()) {
        printUsageError(QString(),
                        QStringLiteral("unexpected argument '%1'.").arg(positional.constFirst()));
        return std::nullopt;
    }

    options.headless = parser_.isSet(headless_);
    options.leak = parser_.isSet(leak_);
    options.screenshotPath = parser_.value(screenshot_);
    options.screenshotView = parser_.value(view_);
    const QStringList viewNames = MainWindow::viewNames();
    if (!viewNames.contains(options.screenshotView)) {
        printUsageError(QString(),
                        QStringLiteral("--view must be one of %1, not '%2'.")
                            .arg(viewNames.join(QStringLiteral(", ")), options.screenshotView));
        return std::nullopt;
    }
    if (parser_.isSet(view_) && options.screenshotPath.isEmpty()) {
        printUsageError(QString(), QStringLiteral("--view chooses what --screenshot saves; "
                                                  "give --screenshot FILE.png too."));
        return std::nullopt;
    }
    if (parser_.isSet(checkpoint_)) {
        const QString text = parser_.value(checkpoint_);
        constexpr std::int64_t kMaximumCheckpoint = 1'000'000'000;
        const auto checkpoint = wholeNumberInRange(text, 0, kMaximumCheckpoint);
        if (!checkpoint) {
            printUsageError(
                QString(),
                QStringLiteral("--checkpoint must be a whole number from 0, not '%1'.").arg(text));
            return std::nullopt;
        }
        if (options.screenshotPath.isEmpty()) {
            printUsageError(QString(), QStringLiteral("--checkpoint chooses where --screenshot "
                                                      "is taken; give --screenshot FILE.png too."));
            return std::nullopt;
        }
        options.screenshotCheckpoint = static_cast<std::uint64_t>(*checkpoint);
    }
    if (parser_.isSet(size_)) {
        const QString text = parser_.value(size_);
        const QStringList parts = text.split(QLatin1Char('x'));
        constexpr std::int64_t kLargest = 16384;
        const auto width =
            parts.size() == 2 ? wholeNumberInRange(parts[0], 1024, kLargest) : std::nullopt;
        const auto height =
            parts.size() == 2 ? wholeNumberInRange(parts[1], 640, kLargest) : std::nullopt;
        if (!width || !height) {
            printUsageError(QString(), QStringLiteral("--size must be WIDTHxHEIGHT, at least "
                                                      "1024x640, not '%1'.")
                                           .arg(text));
            return std::nullopt;
        }
        if (options.screenshotPath.isEmpty()) {
            printUsageError(QString(), QStringLiteral("--size sets the window of --screenshot; "
                                                      "give --screenshot FILE.png too."));
            return std::nullopt;
        }
        options.screenshotSize = QSize(static_cast<int>(*width), static_cast<int>(*height));
    }
    options.listScenarios = parser_.isSet(listScenarios_);
    if (options.listScenarios) {
        return options;
    }
    if (parser_.isSet(param_) && !parser_.isSet(scenario_)) {
        printUsageError(QString(),
                        QStringLiteral("--param sets a parameter of a --scenario; name one."));
        return std::nullopt;
    }
    if (parser_.isSet(scenario_)) {
        try {
            options.scenario = parser_.value(scenario_).toStdString();
            for (const QString& assignment : parser_.values(param_)) {
                options.scenarioParameters.push_back(
                    ScenarioParameters::splitAssignment(assignment.toStdString()));
            }
            // Checked now, so that a typo is a usage error before any window opens.
            ScenarioRegistry::builtIn()
                .create(options.scenario)
                ->resolveParameters(options.scenarioParameters);
        } catch (const ScenarioError& error) {
            printUsageError(QString(), QString::fromStdString(error.what()));
            return std::nullopt;
        }
    }

    constexpr std::int64_t kMaximumIterations = 1'000'000;
    const auto iterations = wholeNumberInRange(parser_.value(iterations_), 1, kMaximumIterations);
    if (!iterations) {
        printUsageError(
            QString(), QStringLiteral("--iterations must be a whole number from 1 to %1, not '%2'.")
                           .arg(kMaximumIterations)
                           .arg(parser_.value(iterations_)));
        return std::nullopt;
    }
    options.iterations = static_cast<int>(*iterations);

    constexpr std::int64_t kMaximumPoolMegabytes = 1024 * 1024;
    const auto poolSize = wholeNumberInRange(parser_.value(poolSize_), 0, kMaximumPoolMegabytes);
    if (!poolSize) {
        printUsageError(QString(),
                        QStringLiteral("--pool-size must be a whole number of MiB from 0 to %1, "
                                       "not '%2'.")
                            .arg(kMaximumPoolMegabytes)
                            .arg(parser_.value(poolSize_)));
        return std::nullopt;
    }
    options.poolSizeMegabytes = *poolSize;

    if (options.headless && !options.screenshotPath.isEmpty()) {
        printUsageError(QString(),
                        QStringLiteral("--screenshot needs the window; it cannot go with "
                                       "--headless."));
        return std::nullopt;
    }
    return options;
}

}  // namespace poolscope
