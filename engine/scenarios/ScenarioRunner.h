#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/MemoryEvent.h"
#include "diagnostics/Symbolizer.h"
#include "memory/PooledMemoryAllocator.h"
#include "scenarios/MemoryEventSink.h"
#include "scenarios/PoolFigures.h"
#include "scenarios/Scenario.h"

namespace poolscope {

struct RunAllocator;

// One allocation the run left behind: still live after the scenario returned, or released
// without its owner's dispose while the run went on.
struct LeakRecord {
    AllocationId id = 0;
    std::uint64_t bytes = 0;
    MemoryTier tier = MemoryTier::Pooled;
    std::string tag;
    StackId stackId = 0;       // 0 when no stack was captured
    std::vector<Frame> stack;  // innermost first, inlined calls as frames of their own
    bool releasedWithoutDispose = false;
};

// What the managed heap did during a run, counted from its events: collections by condemned
// generation, finalizers run, objects resurrected by their finalizers, weak handles cleared.
struct GcRunFigures {
    std::uint64_t collections[3] = {0, 0, 0};
    std::uint64_t finalizersRun = 0;
    std::uint64_t resurrections = 0;
    std::uint64_t weakClearedShort = 0;
    std::uint64_t weakClearedLong = 0;
    std::uint64_t pauseNanoseconds = 0;  // time spent in collections
};

// Everything a headless run reports.
struct ScenarioRunReport {
    std::string scenario;
    std::vector<std::pair<std::string, ScenarioValue>> parameters;
    std::optional<std::int64_t> poolSizeMegabytes;  // unset: the machine's default
    std::chrono::nanoseconds duration{0};
    PoolFigures::Values pool;
    std::vector<LeakRecord> leaks;
    // Allocations of the run that their owners have not disposed: those still live plus those
    // a finalizer-like path let go.
    std::int64_t undisposedAtEnd = 0;
    std::uint64_t eventsObserved = 0;
    std::uint64_t droppedEvents = 0;
    // Set when a managed heap collected at least once during the run.
    std::optional<GcRunFigures> gc;
    ScenarioOutcome outcome;
    std::string error;  // empty when the scenario ran to its end or was cancelled
    // Per module, the frames of the leaks' stacks that could not be named, and why.
    std::vector<ModuleSymbolStatus> missingSymbols;
};

// Runs one scenario headless on the calling thread: makes the allocator the scenario asks
// for, drains the engine's events on a thread of its own while the scenario works (for the
// pool figures, and for a sink such as a recording), then takes the leak checkpoint.
class ScenarioRunner {
public:
    struct Options {
        std::optional<std::int64_t> poolSizeMegabytes;
        std::shared_ptr<ManualClock> manualClock;
        MemoryLoadSource* loadSource = &ProcMeminfoLoadSource::instance();
        bool stepMode = false;
        std::function<void(const ScenarioProgress&)> onProgress;
        std::function<void(std::shared_ptr<const GcHeapSnapshot>)> onHeapSnapshot;
        MemoryEventSink* eventSink = nullptr;
        // Called once the run's allocator is made, before the scenario starts: a recording
        // notes the pool's shape here.
        std::function<void(const PooledMemoryAllocator&)> onAllocatorReady;
        std::chrono::milliseconds drainInterval{10};
        // The most events the run's queue grows to; it starts small and grows with the rate
        // of events the drain sees.
        std::size_t eventQueueCapacity = 1u << 20;
        int framesPerStack = 24;
        // The stacks of the run's allocations, for the leak report, and the undisposed
        // notifications (which turn stack capture on). A run that wants only its pool figures
        // can go without: capture unwinds the stack of every allocation.
        bool captureLeakStacks = true;
    };

    explicit ScenarioRunner(Options options);

    // Errors of the scenario end up in report.error; the leak check and figures are made
    // either way.
    ScenarioRunReport run(Scenario& scenario, const ScenarioParameters& parameters);
    // As run(), on an allocator and a context the caller made and drives (the window steps,
    // pauses and cancels it); the options that shape a context or an allocator are not used.
    ScenarioRunReport run(Scenario& scenario, const ScenarioParameters& parameters,
                          const RunAllocator& runAllocator, ScenarioContext& context);
    // Asks the running scenario (or, called before run(), the next one) to stop; from any
    // thread.
    void cancel();

    // The allocator of the last run.
    const std::shared_ptr<PooledMemoryAllocator>& allocator() const { return allocator_; }

private:
    Options options_;
    std::shared_ptr<PooledMemoryAllocator> allocator_;
    std::mutex contextMutex_;
    ScenarioContext* running_ = nullptr;
    bool cancelRequested_ = false;
};

}  // namespace poolscope
