#include <QApplication>
#include <QCoreApplication>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "AttachCommand.h"
#include "CommandLine.h"
#include "HeadlessRun.h"
#include "LaunchCommand.h"
#include "LayoutCommand.h"
#include "ReportCommand.h"
#include "RunCommand.h"
#include "ScenarioListing.h"
#include "WhatIfCommand.h"
#include "session/EngineSession.h"
#include "views/GcHeapView.h"
#include "views/MainWindow.h"

// POOLSCOPE_RECORD in this program's environment names another program's recording, one that
// `poolscope report` may be about to read: the engine's process-start hook must not replace it
// with a recording of this program (engine/client/ProcessRecording.cpp).
extern "C" const int poolscope_process_recording_opt_out = 1;

namespace {

using poolscope::CommandLine;

// In the window the workload pauses between iterations, so that a person can follow the pool.
constexpr std::chrono::milliseconds kWindowIterationPause{25};
// After the last snapshot, time for the plot's queued replot to land before the grab.
constexpr int kScreenshotSettleMilliseconds = 300;
constexpr int kScreenshotTimeoutMilliseconds = 300'000;

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

// Without --scenario the window runs the default scenario with the workload options of the
// command line, pausing between images so that a person can follow the pool.
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> windowScenario(
    const poolscope::LaunchOptions& options) {
    if (!options.scenario.empty()) {
        return {options.scenario, options.scenarioParameters};
    }
    return {"default",
            {{"iterations", std::to_string(options.iterations)},
             {"leak", options.leak ? "true" : "false"},
             {"pause-ms", std::to_string(kWindowIterationPause.count())}}};
}

int runWindow(QApplication& application, const poolscope::LaunchOptions& options) {
    poolscope::MainWindow::applySavedTheme();
    poolscope::EngineSession session;
    poolscope::MainWindow window(session);
    poolscope::SessionAllocatorOptions allocatorOptions = session.allocatorOptions();
    allocatorOptions.maximumPoolSizeMegabytes = options.poolSizeMegabytes;
    window.setAllocatorOptions(allocatorOptions);
    const auto [scenario, parameters] = windowScenario(options);
    // Checked by the command line already.
    window.selectScenario(scenario, parameters);
    const bool screenshot = !options.screenshotPath.isEmpty();
    if (screenshot) {
        window.resize(options.screenshotSize);
        // The picture is of the heap as it is, not of objects on their way.
        window.gcHeapView()->setTransitionsEnabled(false);
    }
    window.show();

    if (!options.recordingPath.isEmpty()) {
        window.openRecordingFile(options.recordingPath);
    } else if (!screenshot) {
        QTimer::singleShot(0, &window, [&window] { window.startRun(); });
    } else if (options.screenshotCheckpoint) {
        QTimer::singleShot(0, &window, [&window, checkpoint = *options.screenshotCheckpoint] {
            window.startRunHeldAt(checkpoint);
        });
    } else {
        // A picture of the whole run: a lesson too goes to its end instead of waiting.
        QTimer::singleShot(0, &window, [&window] { window.startRunToTheEnd(); });
    }
    if (!screenshot) {
        return application.exec();
    }

    window.focusView(options.screenshotView);
    // A view that works out what it shows off the GUI thread is shot once it is done.
    std::function<void(const QString&)> saveScreenshot = [&](const QString& failure) {
        // Time for the views' queued repaints and the plot's replot to land before the grab.
        QTimer::singleShot(kScreenshotSettleMilliseconds, &window, [&, failure] {
            if (window.viewIsComputing(options.screenshotView)) {
                saveScreenshot(failure);
                return;
            }
            window.selectSomethingToShow();
            QCoreApplication::processEvents();
            const QImage image = window.grabView(options.screenshotView);
            const bool saved = !image.isNull() && image.save(options.screenshotPath, "PNG");
            if (!saved) {
                std::fprintf(stderr, "poolscope: could not write the screenshot to %s\n",
                             qPrintable(options.screenshotPath));
            }
            if (!failure.isEmpty()) {
                std::fprintf(stderr, "poolscope: %s\n", qPrintable(failure));
            }
            application.exit(saved && failure.isEmpty() ? CommandLine::kExitSuccess
                                                        : CommandLine::kExitFailure);
        });
    };
    QObject::connect(
        &session, &poolscope::EngineSession::runFinished, &window,
        [&](const poolscope::RunOutcome& outcome) {
            if (!outcome.error.isEmpty()) {
                saveScreenshot(QStringLiteral("the scenario failed: %1").arg(outcome.error));
            } else if (options.screenshotCheckpoint) {
                saveScreenshot(QStringLiteral("the scenario ended before its checkpoint %1")
                                   .arg(*options.screenshotCheckpoint));
            } else {
                saveScreenshot(QString());
            }
        });
    // At --checkpoint N: shot once the run holds there and the snapshot of that moment is in.
    QObject::connect(
        &session, &poolscope::EngineSession::snapshotPublished, &window,
        [&, taken = false](const std::shared_ptr<const poolscope::SessionSnapshot>&) mutable {
            if (!taken && options.screenshotCheckpoint &&
                session.heldAtCheckpoint() == options.screenshotCheckpoint) {
                taken = true;
                saveScreenshot(QString());
            }
        });
    // A recording has no run: the shot is taken once it is read to its end.
    QObject::connect(
        &session, &poolscope::EngineSession::snapshotPublished, &window,
        [&,
         taken = false](const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot) mutable {
            if (!taken && snapshot->fromRecording && !snapshot->pool.workloadRunning) {
                taken = true;
                saveScreenshot(QString());
            }
        });
    QObject::connect(&session, &poolscope::EngineSession::recordingFailed, &window,
                     [&](const QString& path, const QString& error) {
                         std::fprintf(stderr, "poolscope: cannot open %s: %s\n", qPrintable(path),
                                      qPrintable(error));
                         application.exit(CommandLine::kExitFailure);
                     });
    QTimer::singleShot(kScreenshotTimeoutMilliseconds, &window, [&] {
        std::fprintf(stderr, "poolscope: the scenario did not finish in %d s; no screenshot\n",
                     kScreenshotTimeoutMilliseconds / 1000);
        application.exit(CommandLine::kExitFailure);
    });
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
        if (command == QLatin1String("run")) {
            return poolscope::RunCommand::exec(arguments);
        }
        if (command == QLatin1String("report")) {
            return poolscope::ReportCommand::exec(arguments);
        }
        if (command == QLatin1String("whatif")) {
            return poolscope::WhatIfCommand::exec(arguments);
        }
        if (command == QLatin1String("launch")) {
            return poolscope::LaunchCommand::exec(arguments);
        }
        if (command == QLatin1String("attach")) {
            return poolscope::AttachCommand::exec(arguments);
        }
        return poolscope::LayoutCommand::exec(arguments);
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
    if (!options->recordingPath.isEmpty() && headless) {
        std::fprintf(stderr,
                     "poolscope open: a recording opens in the window, which needs a display "
                     "(or --screenshot FILE.png to render one off screen).\n");
        return CommandLine::kExitFailure;
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
