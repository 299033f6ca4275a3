#include "scenarios/ScenarioRunner.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <unordered_map>

#include "diagnostics/EventDrain.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "scenarios/RunAllocatorFactory.h"

namespace poolscope {

namespace {

// Feeds the pool figures and the sink with this run's events.
class RunEventDrain {
public:
    RunEventDrain(std::uint16_t sourceId, PoolFigures& figures, MemoryEventSink* sink,
                  std::size_t capacity)
        : sourceId_(sourceId),
          figures_(figures),
          sink_(sink),
          events_(std::min(capacity, kInitialCapacity), capacity) {}

    void drainOnce() {
        // Other allocators of the process (a window's, another test's) are not this run's.
        ours_.clear();
        for (const MemoryEvent& event : events_.drain()) {
            countManagedHeapEvent(event);
            if (event.sourceId == sourceId_) {
                ours_.push_back(event);
                figures_.apply(event);
            }
        }
        observed_ += ours_.size();
        if (sink_ != nullptr && !ours_.empty()) {
            sink_->consume(ours_);
        }
    }

    std::uint64_t observed() const { return observed_; }
    // Filled in once a collection ended.
    std::optional<GcRunFigures> gc() const {
        if (!collectionSeen_) {
            return std::nullopt;
        }
        return gc_;
    }
    std::uint64_t dropped() const { return events_.dropped(); }

private:
    // The managed heap publishes as source 0, whichever heap it is.
    void countManagedHeapEvent(const MemoryEvent& event) {
        if (event.sourceId != 0) {
            return;
        }
        switch (event.kind) {
            case MemoryEventKind::GcEnd:
                if (const int generation = event.gcGeneration();
                    generation >= 0 && generation < 3) {
                    gc_.collections[generation] += 1;
                    gc_.pauseNanoseconds += event.pauseNanoseconds();
                    collectionSeen_ = true;
                }
                break;
            case MemoryEventKind::GcFinalizerRun:
                gc_.finalizersRun += 1;
                break;
            case MemoryEventKind::GcResurrection:
                gc_.resurrections += 1;
                break;
            case MemoryEventKind::GcWeakCleared:
                (event.longWeakHandles() ? gc_.weakClearedLong : gc_.weakClearedShort) +=
                    event.weakHandlesCleared();
                break;
            default:
                break;
        }
    }

    // Enough for the bursts of the built-in scenarios between two drains; a busier run grows
    // the queue.
    static constexpr std::size_t kInitialCapacity = std::size_t{1} << 16;

    std::uint16_t sourceId_;
    PoolFigures& figures_;
    MemoryEventSink* sink_;
    EventDrain events_;
    std::vector<MemoryEvent> ours_;
    std::uint64_t observed_ = 0;
    GcRunFigures gc_;
    bool collectionSeen_ = false;
};

LeakRecord leakRecordOf(const AllocationInfo& allocation, std::vector<Frame> stack,
                        bool releasedWithoutDispose) {
    return {allocation.id,         allocation.bytes,
            allocation.tier,       MemoryDiagnostics::tagName(allocation.tagId),
            allocation.stackId,    std::move(stack),
            releasedWithoutDispose};
}

}  // namespace

ScenarioRunner::ScenarioRunner(Options options) : options_(std::move(options)) {}

void ScenarioRunner::cancel() {
    std::lock_guard lock(contextMutex_);
    cancelRequested_ = true;
    if (running_ != nullptr) {
        running_->cancel();
    }
}

ScenarioRunReport ScenarioRunner::run(Scenario& scenario, const ScenarioParameters& parameters) {
    RunAllocatorOptions allocatorOptions;
    allocatorOptions.maximumPoolSizeMegabytes = options_.poolSizeMegabytes;
    allocatorOptions.manualClock = options_.manualClock;
    allocatorOptions.loadSource = options_.loadSource;
    const RunAllocator runAllocator =
        RunAllocatorFactory::make(allocatorOptions, scenario, parameters);
    if (options_.onAllocatorReady) {
        options_.onAllocatorReady(*runAllocator.pooled);
    }
    ScenarioContext::Options contextOptions = runAllocator.contextOptions();
    contextOptions.stepMode = options_.stepMode;
    contextOptions.onProgress = options_.onProgress;
    contextOptions.onHeapSnapshot = options_.onHeapSnapshot;
    ScenarioContext context(std::move(contextOptions));
    return run(scenario, parameters, runAllocator, context);
}

ScenarioRunReport ScenarioRunner::run(Scenario& scenario, const ScenarioParameters& parameters,
                                      const RunAllocator& runAllocator, ScenarioContext& context) {
    ScenarioRunReport report;
    report.scenario = scenario.name();
    report.parameters = parameters.values();
    report.poolSizeMegabytes = options_.poolSizeMegabytes;
    allocator_ = runAllocator.pooled;
    // A gc-backed run has no pool: its figures stay at zero.
    const std::uint16_t sourceId = runAllocator.allocator->sourceId();
    PoolFigures figures(
        sourceId, allocator_ ? allocator_->pool().capacity() : 0,
        allocator_ ? static_cast<std::int64_t>(allocator_->pool().chunkBytes()) : 0);
    RunEventDrain drain(sourceId, figures, options_.eventSink, options_.eventQueueCapacity);
    // Allocations this run's owners let go without dispose, heard of while the run goes on.
    std::mutex undisposedMutex;
    std::vector<AllocationInfo> releasedUndisposed;
    std::unique_ptr<MemoryDiagnostics::Subscription> undisposedSubscription;
    std::unique_ptr<MemoryDiagnostics::Subscription> stackCapture;
    if (options_.captureLeakStacks) {
        undisposedSubscription = MemoryDiagnostics::subscribeUndisposed(
            [&, sourceId](const UndisposedAllocation& undisposed) {
                if (undisposed.allocation.sourceId != sourceId) {
                    return;
                }
                // Named after the run, off the releasing thread.
                std::lock_guard lock(undisposedMutex);
                releasedUndisposed.push_back(undisposed.allocation);
            });
        stackCapture = MemoryDiagnostics::enableStackCapture();
    }
    const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();

    {
        std::lock_guard lock(contextMutex_);
        running_ = &context;
        if (cancelRequested_) {
            context.cancel();
        }
    }

    const LeakMark mark = MemoryDiagnostics::mark();
    const auto started = std::chrono::steady_clock::now();
    {
        std::jthread drainThread([&](std::stop_token stopToken) {
            while (!stopToken.stop_requested()) {
                drain.drainOnce();
                std::this_thread::sleep_for(options_.drainInterval);
            }
        });
        try {
            report.outcome = scenario.run(context, parameters);
        } catch (const std::exception& error) {
            report.error = error.what();
        }
    }
    report.duration = std::chrono::steady_clock::now() - started;
    drain.drainOnce();
    {
        // A cancel asked for before or during this run ends with it.
        std::lock_guard lock(contextMutex_);
        running_ = nullptr;
        cancelRequested_ = false;
    }

    std::unordered_map<StackId, std::vector<Frame>> named;
    auto stackOf = [&](StackId stackId) -> const std::vector<Frame>& {
        auto [it, added] = named.try_emplace(stackId);
        if (added && stackId != 0) {
            it->second = MemoryDiagnostics::symbolizedStack(stackId, options_.framesPerStack);
        }
        return it->second;
    };
    for (const LeakGroup& group : MemoryDiagnostics::leakCheckpoint(mark)) {
        const std::vector<Frame>& stack = stackOf(group.stackId);
        for (const AllocationInfo& allocation : group.allocations) {
            if (allocation.sourceId == sourceId) {
                report.leaks.push_back(leakRecordOf(allocation, stack, false));
            }
        }
    }
    {
        std::lock_guard lock(undisposedMutex);
        for (const AllocationInfo& allocation : releasedUndisposed) {
            report.leaks.push_back(leakRecordOf(allocation, stackOf(allocation.stackId), true));
        }
    }
    std::sort(report.leaks.begin(), report.leaks.end(),
              [](const LeakRecord& a, const LeakRecord& b) { return a.id < b.id; });
    report.missingSymbols = Symbolizer::instance().missingSymbols();
    report.undisposedAtEnd = MemoryDiagnostics::totalUndisposedAllocationCount() - undisposedBefore;
    report.pool = figures.values();
    report.eventsObserved = drain.observed();
    report.gc = drain.gc();
    report.droppedEvents = drain.dropped();
    return report;
}

}  // namespace poolscope
