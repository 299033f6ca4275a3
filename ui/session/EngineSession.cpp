#include "session/EngineSession.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/PooledMemoryAllocator.h"

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
    stopSource_.request_stop();
}

bool EngineSession::start() {
    if (running_) {
        return false;
    }
    workload_ = std::make_shared<DefaultWorkload>(allocator_, workloadOptions_);
    stopSource_ = std::stop_source();
    iterationsCompleted_ = std::make_shared<std::atomic<int>>(0);
    iterationsPlanned_ = std::max(workloadOptions_.iterations, 0);
    running_ = true;

    // The worker holds its own references, so it never touches the session, which may be gone
    // before the worker has seen the stop request.
    runWatcher_.setFuture(
        QtConcurrent::run([workload = workload_, stopToken = stopSource_.get_token(),
                           progress = iterationsCompleted_]() -> WorkloadOutcome {
            try {
                return {workload->run(stopToken,
                                      [&progress](const WorkloadProgress& step) {
                                          progress->store(step.iterationsCompleted,
                                                          std::memory_order_relaxed);
                                      }),
                        {}};
            } catch (const std::exception& error) {
                return {{}, QString::fromUtf8(error.what())};
            }
        }));
    emit runningChanged(true);
    drainAndPublish();
    return true;
}

void EngineSession::stop() {
    stopSource_.request_stop();
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
    snapshot.iterationsPlanned = iterationsPlanned_;

    latest_ = snapshot;
    emit snapshotPublished(latest_);
}

}  // namespace poolscope
