#include "session/EngineSession.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <chrono>
#include <exception>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/PooledMemoryAllocator.h"
#include "scenarios/DefaultScenario.h"
#include "scenarios/ScenarioRegistry.h"

namespace poolscope {

namespace {

std::shared_ptr<PooledMemoryAllocator> createPooledAllocator(std::int64_t poolSizeMegabytes) {
    MemoryAllocatorOptions options;
    options.maximumPoolSizeMegabytes = poolSizeMegabytes;
    // MemoryAllocator::create validates the options and always builds the pooled allocator.
    return std::static_pointer_cast<PooledMemoryAllocator>(MemoryAllocator::create(options));
}

}  // namespace

EngineSession::EngineSession(std::int64_t poolSizeMegabytes, QObject* parent)
    : QObject(parent),
      poolSizeMegabytes_(poolSizeMegabytes),
      allocator_(createPooledAllocator(poolSizeMegabytes)),
      subscription_(EventStream::subscribe()),
      occupancy_(allocator_->sourceId(), allocator_->pool().capacity()) {
    clock_.start();
    connect(&runWatcher_, &QFutureWatcher<WorkloadOutcome>::finished, this,
            &EngineSession::finishRun);
    connect(&snapshotTimer_, &QTimer::timeout, this, &EngineSession::drainAndPublish);
    snapshotTimer_.start(kSnapshotIntervalMilliseconds);
    drainAndPublish();
}

EngineSession::~EngineSession() {
    stop();
}

void EngineSession::setScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    scenarioParameters_ = ScenarioRegistry::builtIn().create(name)->resolveParameters(parameters);
    scenarioName_ = name;
}

void EngineSession::startScenario() {
    scenario_.reset();  // lets the previous run's leaks go
    std::shared_ptr<Scenario> scenario = ScenarioRegistry::builtIn().create(scenarioName_);
    PooledMemoryAllocator::Settings settings;
    settings.maximumPoolSizeBytes = poolSizeMegabytes_ * MemoryAllocator::kMegabyte;
    scenario->configureAllocator(settings, *scenarioParameters_);
    // Drain what the previous allocator published before the occupancy follows the new one.
    drainAndPublish();
    allocator_ = std::make_shared<PooledMemoryAllocator>(settings);
    occupancy_ = PoolOccupancy(allocator_->sourceId(), allocator_->pool().capacity());

    iterationsCompleted_ = std::make_shared<std::atomic<int>>(0);
    progressPlanned_ = std::make_shared<std::atomic<int>>(0);
    ScenarioContext::Options contextOptions;
    contextOptions.allocator = allocator_;
    contextOptions.stepMode = stepMode_;
    contextOptions.onProgress = [completed = iterationsCompleted_,
                                 planned = progressPlanned_](const ScenarioProgress& progress) {
        completed->store(static_cast<int>(progress.completed), std::memory_order_relaxed);
        planned->store(static_cast<int>(progress.planned), std::memory_order_relaxed);
    };
    context_ = std::make_shared<ScenarioContext>(std::move(contextOptions));
    scenario_ = scenario;
    iterationsPlanned_ = 0;
    running_ = true;

    runWatcher_.setFuture(
        QtConcurrent::run([scenario, context = context_, parameters = *scenarioParameters_,
                           name = scenarioName_]() -> WorkloadOutcome {
            WorkloadOutcome outcome;
            outcome.scenario = name;
            const auto started = std::chrono::steady_clock::now();
            try {
                outcome.scenarioOutcome = scenario->run(*context, parameters);
            } catch (const std::exception& error) {
                outcome.error = QString::fromUtf8(error.what());
            }
            if (const auto* workload = dynamic_cast<const DefaultScenario*>(scenario.get())) {
                outcome.summary = workload->summary();
            } else {
                const ScenarioProgress progress = context->progress();
                outcome.summary.iterationsCompleted = static_cast<int>(progress.completed);
                outcome.summary.iterationsPlanned = static_cast<int>(progress.planned);
                outcome.summary.cancelled = outcome.scenarioOutcome.cancelled;
                outcome.summary.elapsed = std::chrono::steady_clock::now() - started;
            }
            return outcome;
        }));
    emit runningChanged(true);
    drainAndPublish();
}

void EngineSession::pause() {
    if (context_) {
        context_->pause();
    }
}

void EngineSession::resume() {
    stepMode_ = false;
    if (context_) {
        context_->resume();
    }
}

void EngineSession::setStepMode(bool on) {
    stepMode_ = on;
    if (context_) {
        context_->setStepMode(on);
    }
}

void EngineSession::step() {
    if (context_) {
        context_->step();
    }
}

bool EngineSession::start() {
    if (running_) {
        return false;
    }
    if (!scenarioName_.empty()) {
        startScenario();
        return true;
    }
    context_.reset();
    progressPlanned_.reset();
    workload_ = std::make_shared<DefaultWorkload>(allocator_, workloadOptions_);
    stopSource_ = std::stop_source();
    iterationsCompleted_ = std::make_shared<std::atomic<int>>(0);
    iterationsPlanned_ = std::max(workloadOptions_.iterations, 0);
    running_ = true;

    // The worker holds its own references, so it never touches the session, which may be gone
    // before the worker has seen the stop request.
    runWatcher_.setFuture(QtConcurrent::run([workload = workload_,
                                             stopToken = stopSource_.get_token(),
                                             progress = iterationsCompleted_]() -> WorkloadOutcome {
        WorkloadOutcome outcome;
        try {
            outcome.summary = workload->run(stopToken, [&progress](const WorkloadProgress& step) {
                progress->store(step.iterationsCompleted, std::memory_order_relaxed);
            });
        } catch (const std::exception& error) {
            outcome.error = QString::fromUtf8(error.what());
        }
        return outcome;
    }));
    emit runningChanged(true);
    drainAndPublish();
    return true;
}

void EngineSession::stop() {
    stopSource_.request_stop();
    if (context_) {
        context_->cancel();
    }
}

void EngineSession::finishRun() {
    running_ = false;
    lastOutcome_ = runWatcher_.result();
    drainAndPublish();
    emit runningChanged(false);
    emit workloadFinished(*lastOutcome_);
}

void EngineSession::drainAndPublish() {
    // Everything here comes from the drained events and from figures fixed at construction:
    // the GUI thread takes no engine lock, so it never waits on a worker.
    eventBatch_.clear();
    subscription_->drain(eventBatch_);
    eventsReceived_ += eventBatch_.size();
    for (const MemoryEvent& event : eventBatch_) {
        occupancy_.apply(event);
    }

    PoolSnapshot snapshot;
    snapshot.secondsSinceStart = static_cast<double>(clock_.nsecsElapsed()) / 1e9;
    snapshot.capacityChunks = occupancy_.capacity();
    snapshot.rentedChunks = occupancy_.rentedChunks();
    snapshot.retainedChunks = occupancy_.retainedChunks();
    snapshot.emptySlots = occupancy_.emptySlots();
    snapshot.chunkBytes = static_cast<std::int64_t>(allocator_->pool().chunkBytes());
    snapshot.unpooledBytesLive = occupancy_.unpooledBytesLive();
    snapshot.undisposedAllocations = MemoryDiagnostics::totalUndisposedAllocationCount();
    snapshot.eventsReceived = eventsReceived_;
    snapshot.eventsDropped = subscription_->droppedCount();
    snapshot.totalChunkRents = occupancy_.chunkRents();
    snapshot.totalChunkReturns = occupancy_.chunkReturns();
    snapshot.workloadRunning = running_;
    snapshot.iterationsCompleted =
        iterationsCompleted_ ? iterationsCompleted_->load(std::memory_order_relaxed) : 0;
    snapshot.iterationsPlanned =
        progressPlanned_ ? progressPlanned_->load(std::memory_order_relaxed) : iterationsPlanned_;

    latest_ = snapshot;
    emit snapshotPublished(latest_);
}

}  // namespace poolscope
