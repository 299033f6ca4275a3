#include <QApplication>
#include <QCoreApplication>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "CommandLine.h"
#include "HeadlessRun.h"
#include "LayoutCommand.h"
#include "RunCommand.h"
#include "ScenarioListing.h"
#include "session/EngineSession.h"
#include "views/PoolFiguresWindow.h"

namespace {

using poolscope::CommandLine;

// In the window the workload pauses between iterations, so that a person can follow the pool.
constexpr std::chrono::milliseconds kWindowIterationPause{25};
// After the last snapshot, time for the plot's queued replot to land before the grab.
constexpr int kScreenshotSettleMilliseconds = 300;
constexpr int kScreenshotTimeoutMilliseconds = 120'000;

bool hasDisplay(const QStringList& arguments) {
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") ||
           arguments.contains(QStringLiteral("-platform"));
}

QStringList rawArguments(int argc, char** argv) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i) {
        arguments << QString::fromLocal8Bit(argv[i]);
    }
    return arguments;
}

poolscope::WorkloadOptions workloadOptionsFor(const poolscope::LaunchOptions& options) {
    poolscope::WorkloadOptions workload;
    workload.iterations = options.iterations;
    workload.leak = options.leak;
    return workload;
}

int runWindow(QApplication& application, const poolscope::LaunchOptions& options) {
    poolscope::EngineSession session(options.poolSizeMegabytes);
    poolscope::WorkloadOptions workload = workloadOptionsFor(options);
    workload.iterationPause = kWindowIterationPause;
    session.setWorkloadOptions(workload);
    if (!options.scenario.empty()) {
        // Checked by the command line already.
        session.setScenario(options.scenario, options.scenarioParameters);
    }

    poolscope::PoolFiguresWindow window(session);
    window.show();

    if (!options.screenshotPath.isEmpty()) {
        QObject::connect(
            &session, &poolscope::EngineSession::workloadFinished, &window,
            [&](const poolscope::WorkloadOutcome& outcome) {
                QTimer::singleShot(kScreenshotSettleMilliseconds, &window, [&, outcome] {
                    const bool saved = window.grab().save(options.screenshotPath, "PNG");
                    if (!saved) {
                        std::fprintf(stderr, "poolscope: could not write the screenshot to %s\n",
                                     qPrintable(options.screenshotPath));
                    }
                    if (!outcome.error.isEmpty()) {
                        std::fprintf(stderr, "poolscope: the workload failed: %s\n",
                                     qPrintable(outcome.error));
                    }
                    application.exit(saved && outcome.error.isEmpty() ? CommandLine::kExitSuccess
                                                                      : CommandLine::kExitFailure);
                });
            });
        QTimer::singleShot(kScreenshotTimeoutMilliseconds, &window, [&] {
            std::fprintf(stderr, "poolscope: the workload did not finish in %d s; no screenshot\n",
                         kScreenshotTimeoutMilliseconds / 1000);
            application.exit(CommandLine::kExitFailure);
        });
        QTimer::singleShot(0, &session, &poolscope::EngineSession::start);
    }
    return application.exec();
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication::setApplicationName(QStringLiteral("poolscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(POOLSCOPE_VERSION));
    QCoreApplication::setOrganizationName(QStringLiteral("PoolScope"));

    // The kind of application object depends on the mode, so the mode is read from the raw
    // arguments before any exists: a QApplication without a display would abort.
    const QStringList arguments = rawArguments(argc, argv);
    // The commands never need a display.
    const QString command = CommandLine::command(arguments);
    if (!command.isEmpty()) {
        const QCoreApplication application(argc, argv);
        return command == QLatin1String("run") ? poolscope::RunCommand::exec(arguments)
                                               : poolscope::LayoutCommand::exec(arguments);
    }
    const bool displayAvailable = hasDisplay(arguments);
    const bool screenshot = CommandLine::asksForScreenshot(arguments);
    const bool headless = CommandLine::asksForHeadless(arguments) ||
                          CommandLine::asksForScenarioList(arguments) ||
                          (!displayAvailable && !screenshot);
    if (!headless && !displayAvailable) {
        // A screenshot needs no screen: render off screen.
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }

    std::unique_ptr<QCoreApplication> application;
    if (headless) {
        application = std::make_unique<QCoreApplication>(argc, argv);
    } else {
        application = std::make_unique<QApplication>(argc, argv);
    }

    CommandLine commandLine;
    const std::optional<poolscope::LaunchOptions> options = commandLine.process(*application);
    if (!options) {
        return CommandLine::kExitFailure;
    }
    if (options->listScenarios) {
        poolscope::ScenarioListing::print(std::cout);
        return CommandLine::kExitSuccess;
    }
    if (headless && !options->scenario.empty()) {
        // Without a window a chosen scenario runs as `poolscope run` runs it, and, as the
        // headless default workload does, exits 3 when it leaves allocations undisposed.
        poolscope::RunCommand::Request request;
        request.scenario = options->scenario;
        request.parameters = options->scenarioParameters;
        request.poolSizeMegabytes = options->poolSizeMegabytes;
        request.failOnLeak = true;
        return poolscope::RunCommand::execute(request, std::cout, std::cerr);
    }
    if (headless) {
        return poolscope::HeadlessRun(options->poolSizeMegabytes, workloadOptionsFor(*options))
            .exec(std::cout, std::cerr);
    }
    return runWindow(static_cast<QApplication&>(*application), *options);
}
