#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/Clock.h"
#include "imaging/Configuration.h"
#include "memory/MemoryAllocator.h"
#include "memory/SystemMemory.h"

namespace poolscope {

class GcHeap;
struct GcHeapSnapshot;

struct ScenarioProgress {
    std::int64_t completed = 0;
    std::int64_t planned = 0;
    std::string phase;  // what the scenario is doing now, for a progress line or a step button
    std::uint64_t stepsTaken = 0;
    // Every checkpoint passed, freely or by a step: the index of the one the run holds at.
    std::uint64_t checkpointsPassed = 0;
    // What the current step shows, in plain words a teacher can read out; empty when the
    // scenario has nothing to explain.
    std::string explanation;
};

// What a running scenario gets from whoever runs it (the CLI, the window, a test): the
// allocator to work on, the clock and memory load it runs under, and the controls a person
// has over it: cancel, pause, and a step mode in which it stops at each checkpoint until told
// to take one more step. Control calls come from any thread; the scenario's own calls
// (checkpoint, waitFor, reportProgress) come from the thread that runs it.
class ScenarioContext {
public:
    struct Options {
        std::shared_ptr<MemoryAllocator> allocator;
        // Set: time is this clock, and waitFor() moves it on instead of sleeping, so a test
        // sees hours of trimming in microseconds.
        std::shared_ptr<ManualClock> manualClock;
        MemoryLoadSource* loadSource = &ProcMeminfoLoadSource::instance();
        bool stepMode = false;
        // In step mode, the run passes this many checkpoints without waiting and holds at the
        // next one: how a teacher goes back a step, by running a deterministic scenario again.
        std::uint64_t passCheckpoints = 0;
        // Images the scenario makes through imageConfiguration() get one buffer each, as
        // ImageSharp's preferContiguousImageBuffers gives them.
        bool preferContiguousImageBuffers = false;
        // Called on the scenario's thread at every reportProgress().
        std::function<void(const ScenarioProgress&)> onProgress;
        // Called on the scenario's thread with a copy of a managed heap the scenario works on,
        // after each of its steps and after collections asked for with requestCollection().
        std::function<void(std::shared_ptr<const GcHeapSnapshot>)> onHeapSnapshot;
    };

    explicit ScenarioContext(Options options);
    ScenarioContext(const ScenarioContext&) = delete;
    ScenarioContext& operator=(const ScenarioContext&) = delete;

    MemoryAllocator& allocator() const { return *options_.allocator; }
    const std::shared_ptr<MemoryAllocator>& sharedAllocator() const { return options_.allocator; }
    // A clone of the process default on this context's allocator, with its preference for
    // contiguous image buffers: what a scenario's images should be made with.
    Configuration imageConfiguration() const;
    Clock& clock() const;
    MemoryLoadSource& loadSource() const { return *options_.loadSource; }
    bool usesManualClock() const { return options_.manualClock != nullptr; }

    // Control, from any thread.
    void cancel();
    bool cancelled() const { return stopSource_.stop_requested(); }
    std::stop_token stopToken() const { return stopSource_.get_token(); }
    void pause();
    // Runs freely again: ends a pause and leaves step mode.
    void resume();
    // Ends a pause and keeps step mode as it is, for a run paced by a timer of steps.
    void unpause();
    bool paused() const;
    void setStepMode(bool on);
    bool stepMode() const;
    // In step mode or paused: moves the scenario on to the next checkpoint and holds it there.
    // Waiting at a checkpoint, it passes that one; busy between two, it holds at the next one.
    // Steps never add up ahead of the scenario, so a person pressing Step twice quickly, or a
    // pacing timer firing while the scenario is busy, never makes it pass a checkpoint unseen.
    void step();
    // True while the scenario stands at a checkpoint waiting for step() or resume(); stays
    // true from the moment it arrives until it passes.
    bool waitingAtCheckpoint() const;
    ScenarioProgress progress() const;
    // Asks for a collection of generations 0..generation (0, 1 or 2) on the heap the scenario
    // attached. It runs on the scenario's thread at its next checkpoint, or at once while the
    // scenario waits at one; then the heap's snapshot is published. Requests made while no heap
    // is attached wait for one. Throws std::invalid_argument for another generation.
    void requestCollection(int generation);
    std::size_t pendingCollections() const;

    // The scenario's side. A checkpoint is a point between two units of work that a teacher
    // can stop at: it returns at once when running freely, waits while paused or in step mode
    // until step() or resume(), and returns false when the run is cancelled.
    bool checkpoint(std::string_view phase, std::string_view explanation = {});
    // Lets `duration` of scenario time pass; false when cancelled meanwhile.
    bool waitFor(std::chrono::milliseconds duration);
    void reportProgress(std::int64_t completed, std::int64_t planned, std::string_view phase = {},
                        std::string_view explanation = {});
    // Passes heap.snapshot() to onHeapSnapshot; takes no snapshot when nobody listens. With
    // markGeneration 0-2 the snapshot is to be drawn with the mark phase a collection of that
    // generation would run now (GcHeapSnapshot::markGeneration).
    void publishHeap(GcHeap& heap, int markGeneration = -1);
    // The heap that requestCollection() collects; the context shares its ownership.
    void attachHeap(std::shared_ptr<GcHeap> heap);

private:
    // With the lock held on entry and exit; collects without it.
    void runPendingCollections(std::unique_lock<std::mutex>& lock);

    Options options_;
    std::stop_source stopSource_;
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    bool paused_ = false;
    bool stepMode_ = false;
    bool waiting_ = false;
    std::uint64_t stepsGranted_ = 0;
    ScenarioProgress progress_;
    std::shared_ptr<GcHeap> heap_;
    std::deque<int> pendingCollections_;
};

}  // namespace poolscope
