#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/MemoryAllocatorOptions.h"
#include "scenarios/Scenario.h"
#include "scenarios/ScenarioParameter.h"
#include "scenarios/ScenarioRunner.h"
#include "session/RecordedRunSummary.h"
#include "session/ScenarioCatalogue.h"
#include "session/SessionSnapshot.h"

namespace poolscope {

class GcHeap;
class HeapSnapshotMailbox;
class LaunchedProgram;
class MemoryAllocator;
class ScenarioContext;
class SessionIngestor;

// How a scenario run ended: the run's report (what `poolscope run` prints), or the error that
// ended it early.
struct RunOutcome {
    std::string scenario;
    ScenarioRunReport report;
    QString error;  // empty when the run completed or was stopped
    bool cancelled = false;
    double seconds = 0.0;
};

// The allocator a run gets, as the toolbar sets it.
struct SessionAllocatorOptions {
    std::int64_t maximumPoolSizeMegabytes = MemoryAllocatorOptions::kInspectorPoolSizeMegabytes;
    // Empty: the scenario's own trim period (or ImageSharp's default of a minute).
    std::optional<int> trimPeriodMilliseconds;
    // Pixel memory from a managed heap (GcPixelAllocator) instead of the pool.
    bool gcBacked = false;
    // Images the scenario makes get one contiguous buffer each (preferContiguousImageBuffers).
    bool preferContiguous = false;
};

// What a recording says it was made by; an empty name when it does not say.
struct RecordedScenario {
    std::string name;
    std::vector<std::pair<std::string, std::string>> parameters;
};

// The GUI's handle on the engine: runs a scenario on a worker thread, and has the session's
// ingestor (on a thread of its own) turn the engine's events, or a recording's, into
// SessionSnapshots about 30 times a second. Lives on the GUI thread, which never waits on a
// worker: controls are requests, and results arrive as queued notifications.
class EngineSession : public QObject {
    Q_OBJECT

public:
    static constexpr std::int64_t kDefaultPoolSizeMegabytes =
        MemoryAllocatorOptions::kInspectorPoolSizeMegabytes;

    explicit EngineSession(QObject* parent = nullptr);
    // Cancels a running scenario and stops the ingestor; the scenario's worker finishes on its
    // own, holding what it needs.
    ~EngineSession() override;

    // The scenarios this session can run.
    static const ScenarioCatalogue& catalogue() { return ScenarioCatalogue::builtIn(); }
    // Throws ScenarioError for an unknown scenario or a bad parameter.
    void setScenario(const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& parameters);
    // As setScenario, but says what is wrong instead of throwing: empty when the scenario and
    // its parameters were taken, else the message for the person who chose them.
    QString trySetScenario(const std::string& name,
                           const std::vector<std::pair<std::string, std::string>>& parameters);
    const std::string& scenarioName() const { return scenarioName_; }
    void setAllocatorOptions(const SessionAllocatorOptions& options) {
        allocatorOptions_ = options;
    }
    const SessionAllocatorOptions& allocatorOptions() const { return allocatorOptions_; }

    bool isRunning() const { return running_; }
    bool showsRecording() const { return showsRecording_; }
    // Attached to a program over the live link, and the link has not ended.
    bool isAttached() const { return attached_ && !launched_; }
    // A program launched by the session is shown, and has not ended.
    bool isLaunched() const { return attached_ && launched_; }
    // The program launched last (running or ended); null when none was.
    const std::shared_ptr<LaunchedProgram>& launchedProgram() const { return launched_; }
    // The scenario the recording on show was made by (empty while live).
    const RecordedScenario& recordedScenario() const { return recordedScenario_; }
    // The results the recording on show keeps, or why it keeps none; null while live.
    const std::shared_ptr<const RecordedRunResults>& recordedResults() const {
        return recordedResults_;
    }
    const std::shared_ptr<const SessionSnapshot>& latestSnapshot() const { return latest_; }
    const std::optional<RunOutcome>& lastOutcome() const { return lastOutcome_; }
    // The last finished run's recording, ready to be saved; empty before one finished.
    const QString& lastRunRecording() const { return lastRunRecording_; }

public slots:
    // Starts the chosen scenario (default: "default") on a fresh allocator; false while a run
    // is still going.
    bool start();
    // Cancels the run; it ends at its next checkpoint.
    void stop();
    // Holds the run at its next checkpoint and stops the pacing timer, so no step is taken
    // until the person steps or resumes.
    void pause();
    // Goes on at the set pace from now: freely at full speed, else one checkpoint per tick of a
    // timer started afresh, so the time spent paused is never caught up in a burst.
    void resume();
    void setStepMode(bool on);
    // Moves the run on to its next checkpoint and holds it there (pausing a paced run).
    void step();
    // Goes back one checkpoint: the run is stopped and run again, in step mode, to the
    // checkpoint before the one it holds at (scenarios are deterministic). False when the run
    // holds at its first checkpoint or is not running.
    bool stepBack();
    // The next start() runs in step mode, passes `checkpoint` checkpoints and holds at the
    // next one (0: the first), paused.
    void holdNextRunAtCheckpoint(std::uint64_t checkpoint) { holdAtCheckpoint_ = checkpoint; }
    // The index of the checkpoint the run holds at; none while it runs or when no run is.
    std::optional<std::uint64_t> heldAtCheckpoint() const;
    // Steps per second while stepping automatically; 0 runs at full speed. Takes effect at
    // once while running, or at the next resume() while paused.
    void setAutoStepRate(double stepsPerSecond);
    bool paused() const { return paused_; }
    // Collects this generation of the run's managed heap at its next checkpoint.
    void requestCollection(int generation);
    void addCheckpoint(const QString& label);
    // Shows a recording instead of the live engine; a running scenario is stopped first.
    void openRecording(const QString& path);
    // Back to the live engine after a recording.
    void showLive();
    // Shows the program listening at `socketPath` (LinkDirectory) live instead of this
    // process's engine; a running scenario is stopped first. Its events are recorded, so that
    // once the link ends (detached, the program exited or was killed) they can be saved.
    void attach(const QString& socketPath);
    // Leaves the attached program running; what it sent stays shown.
    void detach();
    // Shows a program started under the interposer live, as attach() shows a linked one; its
    // events are recorded to `recordTo`, or where a run's recording goes when that is empty.
    // stop() ends it.
    void showLaunched(std::shared_ptr<poolscope::LaunchedProgram> program,
                      const QString& recordTo = {});

signals:
    // About 30 times a second while anything changes, and once more when a run ends. Every
    // snapshot arrives, in order; a view that only shows the present may skip to the latest.
    void snapshotPublished(const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot);
    void runningChanged(bool running);
    void runFinished(const poolscope::RunOutcome& outcome);
    void recordingOpened(const QString& path);
    void recordingFailed(const QString& path, const QString& error);
    void runRecordingReady(const QString& path, const QString& error);
    // The program attached to, in words (name and pid).
    void attached(const QString& program);
    void attachFailed(const QString& socketPath, const QString& error);
    // Why the link ended; its data stays shown.
    void linkEnded(const QString& reason);

private:
    void finishRun();
    // The path the next run's (or attached program's) recording goes to; only the last one
    // is kept.
    QString nextRecordingPath();

    // Leaks are shown with the stack that made them: capture is on while the session lives.
    std::unique_ptr<MemoryDiagnostics::Subscription> stackCapture_;
    QThread ingestThread_;
    SessionIngestor* ingestor_;  // lives on ingestThread_
    std::shared_ptr<const SessionSnapshot> latest_;
    bool showsRecording_ = false;
    bool attached_ = false;
    std::shared_ptr<LaunchedProgram> launched_;
    RecordedScenario recordedScenario_;
    std::shared_ptr<const RecordedRunResults> recordedResults_;

    std::string scenarioName_ = "default";
    std::optional<ScenarioParameters> scenarioParameters_;
    SessionAllocatorOptions allocatorOptions_;

    // The last run's scenario and allocator, kept with what they left behind until the next
    // start, so that its leaks stay on show.
    std::shared_ptr<Scenario> scenario_;
    std::shared_ptr<MemoryAllocator> allocator_;
    std::shared_ptr<ScenarioContext> context_;
    std::shared_ptr<HeapSnapshotMailbox> heapMailbox_;
    bool running_ = false;
    bool stepMode_ = false;
    bool paused_ = false;
    // Checkpoints the next start() passes before it holds.
    std::optional<std::uint64_t> holdAtCheckpoint_;
    double autoStepRate_ = 0.0;
    QTimer autoStepTimer_;
    std::optional<RunOutcome> lastOutcome_;
    QString lastRunRecording_;
    QTemporaryDir recordingDirectory_;  // the runs' recordings, removed with the session
    int runNumber_ = 0;
    QFutureWatcher<RunOutcome> runWatcher_;
};

}  // namespace poolscope

Q_DECLARE_METATYPE(poolscope::RunOutcome)
