#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QSize>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

class QCoreApplication;

namespace poolscope {

// What the command line asks for, checked.
struct LaunchOptions {
    bool headless = false;
    bool leak = false;
    int iterations = 0;
    std::int64_t poolSizeMegabytes = 0;
    QString screenshotPath;
    QString screenshotView = QStringLiteral("main");  // one of MainWindow::viewNames()
    // With --screenshot: hold the run at this checkpoint (0: the first) and shoot there.
    std::optional<std::uint64_t> screenshotCheckpoint;
    // With --screenshot: the window's size.
    QSize screenshotSize{1600, 1000};
    QString recordingPath;  // `poolscope open FILE`
    bool listScenarios = false;
    // Empty: the window's default workload, or HeadlessRun without a window.
    std::string scenario;
    std::vector<std::pair<std::string, std::string>> scenarioParameters;
};

// The poolscope command line. Which application object to build (widgets or not) depends on
// it, so asksForHeadless() and asksForScreenshot() read the raw arguments before any exists;
// process() then does the full parse, and --help, --version and usage errors end the process.
class CommandLine {
public:
    static constexpr int kExitSuccess = 0;
    static constexpr int kExitFailure = 1;
    static constexpr int kExitLeaksFound = 3;
    // `run`: the recording is finished but lacks events that could not be committed.
    static constexpr int kExitRecordingIncomplete = 4;
    // `run`: SIGINT or SIGTERM cancelled the scenario (128 + SIGINT, as shells report it).
    static constexpr int kExitCancelled = 130;

    CommandLine();

    static bool asksForHeadless(const QStringList& arguments);
    static bool asksForScreenshot(const QStringList& arguments);
    static bool asksForScenarioList(const QStringList& arguments);
    // "run", "layout", "report" or "launch" when the first argument names that command, else
    // empty.
    static QString command(const QStringList& arguments);

    // The whole number `text` says, written plainly (digits, a minus for a negative), within
    // [minimum, maximum]; none for anything else.
    static std::optional<std::int64_t> wholeNumberInRange(const QString& text, std::int64_t minimum,
                                                          std::int64_t maximum);
    // Prints "poolscope[ COMMAND]: MESSAGE" and where to find help, on stderr.
    static void printUsageError(const QString& command, const QString& message);
    // Parses a command's options (the arguments less the command's name); --help shows the
    // command's help and exits. False, after printing why, when the options are wrong.
    static bool parseCommandOptions(QCommandLineParser& parser, const QStringList& arguments,
                                    const QString& command);

    // Handles --help and --version and exits on a parse error, as QCommandLineParser does.
    // Returns the options, or nothing after printing why a value is wrong.
    std::optional<LaunchOptions> process(const QCoreApplication& application);

private:
    QCommandLineParser parser_;
    QCommandLineOption headless_;
    QCommandLineOption iterations_;
    QCommandLineOption leak_;
    QCommandLineOption poolSize_;
    QCommandLineOption screenshot_;
    QCommandLineOption view_;
    QCommandLineOption checkpoint_;
    QCommandLineOption size_;
    QCommandLineOption listScenarios_;
    QCommandLineOption scenario_;
    QCommandLineOption param_;
};

}  // namespace poolscope
