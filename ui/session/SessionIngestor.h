#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics/EventStream.h"
#include "session/RecordedRunSummary.h"
#include "session/SessionSnapshot.h"
#include "session/SessionState.h"

namespace poolscope {

class GcHeap;
class LaunchedProgram;
class LinkStackTable;
class ProgramSource;
class RecordingReader;
class RecordingWriter;
class ScenarioContext;

// What a running scenario hands to the ingestor from its own thread: the latest managed-heap
// snapshot it showed. A mailbox, not a queue: only the newest matters.
class HeapSnapshotMailbox {
public:
    void post(std::shared_ptr<const GcHeapSnapshot> snapshot);
    std::shared_ptr<const GcHeapSnapshot> take();

private:
    std::mutex mutex_;
    std::shared_ptr<const GcHeapSnapshot> latest_;
};

// The session's worker: lives on a thread of its own, drains the engine's events (or reads a
// recording) into a SessionState, and publishes a snapshot about 30 times a second. Every
// public slot is meant to be called through a queued connection from the GUI thread.
class SessionIngestor : public QObject {
    Q_OBJECT

public:
    static constexpr int kSnapshotIntervalMilliseconds = 33;
    // What the engine's event queue starts with: a burst of a leak hunt under load between two
    // drains. A drain that finds it half full grows it fourfold, up to the maximum (a second
    // of a busy engine), so the queue follows the rate actually seen.
    static constexpr std::size_t kEventQueueCapacity = std::size_t{1} << 17;
    static constexpr std::size_t kMaxEventQueueCapacity = std::size_t{1} << 20;
    // A recording is read this many events per tick, so the window stays live while a large
    // one opens.
    static constexpr std::size_t kRecordingEventsPerTick = 200'000;
    static constexpr int kIdleRecordingIntervalMilliseconds = 250;
    // The symbolizer's caches and debug information are given back after this long without
    // a new stack to name: a session that watches a steady workload holds no symbol memory.
    static constexpr std::int64_t kSymbolIdleNanoseconds = 10'000'000'000;

    // The subscription is made by the caller before any run can start, so no event of a run
    // is published before somebody listens.
    explicit SessionIngestor(std::unique_ptr<EventStream::Subscription> subscription);

    // Where a run is recorded, and what the recording's metadata says about it.
    struct RunRecording {
        QString path;
        std::vector<std::pair<std::string, std::string>> metadata;
    };
    ~SessionIngestor() override;

public slots:
    // Listens to this process's engine from now on, with time measured from now.
    void startLive();
    // Replaces whatever was shown with the recording's events, read progressively.
    void openRecording(const QString& path);
    // A run starts: its pool, its controls (for progress and phase), the mailbox its heap
    // snapshots arrive in, the heap to watch when its allocator is GC-backed, and the writer
    // that keeps the run as a recording.
    void beginRun(quint16 sourceId, int capacity, quint64 chunkBytes,
                  std::shared_ptr<ScenarioContext> context,
                  std::shared_ptr<HeapSnapshotMailbox> heapMailbox, std::shared_ptr<GcHeap> heap,
                  const RunRecording& recording);
    // The run ended: its recording is finished with the allocations still live and the run's
    // report (null when there is none), so that opening the file shows the run's results.
    void endRun(std::shared_ptr<const poolscope::ScenarioRunReport> report);
    // Shows another program's events from its live-link socket instead of this process's,
    // keeping them in `recording` until the link ends; attachFailed when it cannot attach.
    void attach(const QString& socketPath, const RunRecording& recording);
    // Shows a program the session started under the interposer, as attach() shows a linked
    // one; its recording is finished when it ends.
    void showLaunched(std::shared_ptr<poolscope::LaunchedProgram> program,
                      const RunRecording& recording);
    // Leaves the program (an attached one goes on running, a launched one is ended); what it
    // sent stays shown, its recording is finished.
    void detach();
    void addCheckpoint(const QString& label);
    void shutDown();

signals:
    void snapshotReady(const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot);
    // The recording is shown from now on; it was made by this scenario with these parameters
    // ("key=value" pairs, space-separated; both empty when it does not say), and these are the
    // run's results as the file keeps them (or why it keeps none).
    void recordingOpened(const QString& path, const QString& scenario, const QString& parameters,
                         const std::shared_ptr<const poolscope::RecordedRunResults>& results);
    void recordingFailed(const QString& path, const QString& error);
    // The run's recording is complete on disk (or could not be finished: error not empty).
    void runRecordingFinished(const QString& path, const QString& error);
    // Attached to a program, or showing one launched: its name and pid, in words.
    void attached(const QString& program);
    void attachFailed(const QString& socketPath, const QString& error);
    // The program's stream ended (it exited or was killed, broke the protocol, or was left).
    void linkEnded(const QString& reason);

private:
    void tick();
    void tickLive();
    void tickRecording();
    void tickProgram();
    // Shows another program's events from now on, recorded with what `recording` says.
    void showProgram(std::unique_ptr<ProgramSource> program, const RunRecording& recording);
    // Stops showing an attached or launched program; what it sent stays in the state.
    void leaveProgram();
    // `summary`: the run's report as RecordedRunSummary keeps it; empty when there is none.
    void finishRecording(const std::string& summary = {});
    void releaseSymbolsWhenIdle(std::int64_t now);
    // Takes the engine's queued events into batch_, growing the queue when it filled up.
    void drainEngine();

    QTimer timer_;
    std::unique_ptr<SessionState> state_;
    std::unique_ptr<EventStream::Subscription> subscription_;
    std::vector<MemoryEvent> batch_;

    std::shared_ptr<ScenarioContext> context_;
    std::shared_ptr<HeapSnapshotMailbox> heapMailbox_;
    std::shared_ptr<GcHeap> heap_;
    std::int64_t lastHeapSnapshot_ = 0;
    std::size_t namedStacks_ = 0;
    std::int64_t lastStackNamed_ = 0;
    bool symbolsHeld_ = false;
    std::shared_ptr<RecordingWriter> recording_;
    bool running_ = false;
    // The last live snapshot already showed the session at rest.
    bool settledSnapshotSent_ = false;

    std::unique_ptr<ProgramSource> program_;
    std::shared_ptr<const LinkStackTable> programStacks_;  // its recording names through it
    bool programEndSeen_ = false;

    std::unique_ptr<RecordingReader> reader_;
    std::int64_t readSequence_ = 0;
    bool readDone_ = false;
    std::int64_t nextSampleTime_ = 0;
    std::int64_t lastEventTime_ = 0;
};

}  // namespace poolscope
