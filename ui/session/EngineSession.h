#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics/EventStream.h"
#include "diagnostics/PoolOccupancy.h"
#include "scenarios/DefaultWorkload.h"
#include "scenarios/Scenario.h"
#include "scenarios/ScenarioContext.h"
#include "session/PoolSnapshot.h"

namespace poolscope {

class PooledMemoryAllocator;

// How a workload run ended: its summary, or the error that ended it early. A scenario run
// also carries the scenario's own outcome; its summary then holds the scenario's progress
// units as iterations (the default scenario's summary is the workload's own).
struct WorkloadOutcome {
    WorkloadSummary summary;
    QString error;         // empty when the run completed or was stopped
    std::string scenario;  // empty for the default workload
    ScenarioOutcome scenarioOutcome;
};

// Owns a pooled allocator, runs the default workload (or a chosen scenario) against it on a
// worker thread, and turns the engine's event stream into PoolSnapshots at a steady rate. Lives
// on the GUI thread, which never waits for the worker: stopping is a request the worker sees
// between iterations, and the end of a run arrives as a queued notification.
class EngineSession : public QObject {
    Q_OBJECT

public:
    // Small enough that the default workload's large photos overflow it, which is the
    // behaviour worth watching.
    static constexpr std::int64_t kDefaultPoolSizeMegabytes = 256;
    static constexpr int kSnapshotIntervalMilliseconds = 33;

    // Throws std::out_of_range for a negative pool size.
    explicit EngineSession(std::int64_t poolSizeMegabytes = kDefaultPoolSizeMegabytes,
                           QObject* parent = nullptr);
    // Asks a running workload to stop and returns; the worker finishes on its own.
    ~EngineSession() override;

    void setWorkloadOptions(const WorkloadOptions& options) { workloadOptions_ = options; }
    const WorkloadOptions& workloadOptions() const { return workloadOptions_; }

    // Runs this scenario of ScenarioRegistry::builtIn() at every later start() instead of the
    // default workload, each run on a fresh allocator of the session's pool size shaped as the
    // scenario asks. Throws ScenarioError for an unknown scenario or a bad parameter.
    void setScenario(const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& parameters);
    const std::string& scenarioName() const { return scenarioName_; }

    bool isRunning() const { return running_; }
    const PoolSnapshot& latestSnapshot() const { return latest_; }
    const std::optional<WorkloadOutcome>& lastOutcome() const { return lastOutcome_; }

public slots:
    // Starts a run on a worker thread; false while the previous run has not finished yet.
    // The previous run's workload, with its leaky cache, is let go now.
    bool start();
    // Asks the run to stop after its current iteration and returns at once.
    void stop();
    // Teaching controls of a scenario run; no effect on the default workload. Step mode holds
    // at every checkpoint of the scenario until step(); set before start(), it holds at the
    // first one.
    void pause();
    void resume();
    void setStepMode(bool on);
    void step();

signals:
    // About every kSnapshotIntervalMilliseconds, and once more when a run ends.
    void snapshotPublished(const poolscope::PoolSnapshot& snapshot);
    void runningChanged(bool running);
    void workloadFinished(const poolscope::WorkloadOutcome& outcome);

private:
    void drainAndPublish();
    void finishRun();
    void startScenario();

    std::int64_t poolSizeMegabytes_;
    std::shared_ptr<PooledMemoryAllocator> allocator_;
    std::unique_ptr<EventStream::Subscription> subscription_;
    PoolOccupancy occupancy_;
    WorkloadOptions workloadOptions_;

    std::shared_ptr<DefaultWorkload> workload_;
    std::string scenarioName_;
    std::optional<ScenarioParameters> scenarioParameters_;
    // The last scenario run's scenario, kept with what it left behind until the next start.
    std::shared_ptr<Scenario> scenario_;
    std::shared_ptr<ScenarioContext> context_;
    std::shared_ptr<std::atomic<int>> progressPlanned_;
    bool stepMode_ = false;
    std::stop_source stopSource_;
    // Written by the worker, read by the snapshot timer; a new one per run, so that a late
    // write from a finished run cannot show up in the next.
    std::shared_ptr<std::atomic<int>> iterationsCompleted_;
    int iterationsPlanned_ = 0;
    bool running_ = false;
    std::optional<WorkloadOutcome> lastOutcome_;
    QFutureWatcher<WorkloadOutcome> runWatcher_;

    QTimer snapshotTimer_;
    QElapsedTimer clock_;
    std::vector<MemoryEvent> eventBatch_;
    std::uint64_t eventsReceived_ = 0;
    PoolSnapshot latest_;
};

}  // namespace poolscope

Q_DECLARE_METATYPE(poolscope::WorkloadOutcome)
