#pragma once

#include <QImage>
#include <QWidget>

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/Clock.h"
#include "diagnostics/MemoryEvent.h"
#include "memory/PooledMemoryAllocator.h"
#include "scenarios/MemoryEventSink.h"
#include "scenarios/ScenarioRegistry.h"
#include "scenarios/ScenarioRunner.h"
#include "session/SessionState.h"

namespace poolscope::testing {

// A finished headless run of a built-in scenario, turned into what a live session would have
// shown at its end: the views under test get real data, made by the engine.
struct ScenarioSessionResult {
    ScenarioRunReport report;
    std::shared_ptr<const SessionSnapshot> snapshot;
    std::shared_ptr<PooledMemoryAllocator> allocator;  // kept, so its pool stays as it was
    std::shared_ptr<Scenario> scenario;                // kept, so what it leaked stays live
};

namespace detail {

// Feeds the runner's drained events into a SessionState, on the runner's drain thread.
class SessionStateSink : public MemoryEventSink {
public:
    explicit SessionStateSink(SessionState& state) : state_(state) {}
    void consume(std::span<const MemoryEvent> events) override {
        std::lock_guard lock(mutex_);
        state_.apply(events);
    }
    std::mutex& mutex() { return mutex_; }

private:
    SessionState& state_;
    std::mutex mutex_;
};

}  // namespace detail

// Runs `name` with `parameters` and returns the session snapshot at its end. The allocation
// table is built fresh for that snapshot.
inline ScenarioSessionResult runScenarioSession(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters,
    std::int64_t poolSizeMegabytes = 64) {
    ScenarioSessionResult result;
    SessionState state(SessionState::liveResolvers(), monotonicNanoseconds());
    detail::SessionStateSink sink(state);
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = poolSizeMegabytes;
    options.eventSink = &sink;
    options.onAllocatorReady = [&state, &sink](const PooledMemoryAllocator& allocator) {
        std::lock_guard lock(sink.mutex());
        state.followPool(allocator.sourceId(), allocator.pool().capacity(),
                         allocator.pool().chunkBytes());
    };
    ScenarioRunner runner(options);
    result.scenario = ScenarioRegistry::builtIn().create(name);
    result.report = runner.run(*result.scenario, result.scenario->resolveParameters(parameters));
    result.allocator = runner.allocator();
    std::lock_guard lock(sink.mutex());
    state.setProgress(false, 0, 0);
    result.snapshot = state.takeSnapshot(monotonicNanoseconds());
    return result;
}

// The widget as the screen would show it, at its current size.
inline QImage renderWidget(QWidget& widget) {
    widget.ensurePolished();
    return widget.grab().toImage();
}

}  // namespace poolscope::testing
