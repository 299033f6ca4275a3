#include "scenarios/ScenarioContext.h"

#include <stdexcept>
#include <utility>

#include "gc/GcHeap.h"

namespace poolscope {

Configuration ScenarioContext::imageConfiguration() const {
    Configuration configuration = Configuration::defaultInstance().clone();
    configuration.allocator = options_.allocator;
    configuration.preferContiguousImageBuffers = options_.preferContiguousImageBuffers;
    return configuration;
}

ScenarioContext::ScenarioContext(Options options) : options_(std::move(options)) {
    if (!options_.allocator) {
        throw std::invalid_argument("ScenarioContext needs an allocator.");
    }
    if (options_.loadSource == nullptr) {
        throw std::invalid_argument("ScenarioContext needs a memory load source.");
    }
    stepMode_ = options_.stepMode;
    stepsGranted_ = options_.passCheckpoints;
}

Clock& ScenarioContext::clock() const {
    if (options_.manualClock) {
        return *options_.manualClock;
    }
    return SteadyClock::instance();
}

void ScenarioContext::cancel() {
    stopSource_.request_stop();
    std::lock_guard lock(mutex_);
    changed_.notify_all();
}

void ScenarioContext::pause() {
    std::lock_guard lock(mutex_);
    paused_ = true;
}

void ScenarioContext::resume() {
    std::lock_guard lock(mutex_);
    paused_ = false;
    stepMode_ = false;
    changed_.notify_all();
}

void ScenarioContext::unpause() {
    std::lock_guard lock(mutex_);
    paused_ = false;
    changed_.notify_all();
}

bool ScenarioContext::paused() const {
    std::lock_guard lock(mutex_);
    return paused_;
}

void ScenarioContext::setStepMode(bool on) {
    std::lock_guard lock(mutex_);
    stepMode_ = on;
    changed_.notify_all();
}

bool ScenarioContext::stepMode() const {
    std::lock_guard lock(mutex_);
    return stepMode_;
}

void ScenarioContext::step() {
    std::lock_guard lock(mutex_);
    // Waiting at a checkpoint: pass it. Busy between two: hold at the next one. Either way the
    // scenario ends up holding at the checkpoint after the one a person last saw.
    stepsGranted_ = progress_.stepsTaken + (waiting_ ? 1 : 0);
    changed_.notify_all();
}

bool ScenarioContext::waitingAtCheckpoint() const {
    std::lock_guard lock(mutex_);
    return waiting_;
}

ScenarioProgress ScenarioContext::progress() const {
    std::lock_guard lock(mutex_);
    return progress_;
}

bool ScenarioContext::checkpoint(std::string_view phase, std::string_view explanation) {
    const std::stop_token stopToken = stopSource_.get_token();
    std::unique_lock lock(mutex_);
    progress_.phase = phase;
    progress_.explanation = explanation;
    // A pause holds like step mode, so a step taken while paused passes one checkpoint.
    const auto runsFreely = [&] { return !paused_ && !stepMode_; };
    const auto mayPass = [&] { return runsFreely() || stepsGranted_ > progress_.stepsTaken; };
    // Collections asked for while the scenario stands here run at once, so that a person
    // who asks for one sees it without taking a step.
    const auto collectionWaiting = [&] { return heap_ && !pendingCollections_.empty(); };
    waiting_ = true;
    while (true) {
        runPendingCollections(lock);
        if (!changed_.wait(lock, stopToken, [&] { return mayPass() || collectionWaiting(); })) {
            break;  // cancelled
        }
        if (!collectionWaiting()) {
            break;
        }
    }
    waiting_ = false;
    if (stopToken.stop_requested()) {
        return false;
    }
    progress_.checkpointsPassed += 1;
    if (!runsFreely()) {
        progress_.stepsTaken += 1;
    } else {
        // Leaving step mode forgives the steps not taken, so a later step mode starts afresh.
        stepsGranted_ = progress_.stepsTaken;
    }
    return true;
}

void ScenarioContext::runPendingCollections(std::unique_lock<std::mutex>& lock) {
    while (heap_ && !pendingCollections_.empty()) {
        const int generation = pendingCollections_.front();
        pendingCollections_.pop_front();
        const std::shared_ptr<GcHeap> heap = heap_;
        lock.unlock();
        heap->collect(generation);
        publishHeap(*heap);
        lock.lock();
    }
}

void ScenarioContext::requestCollection(int generation) {
    if (generation < 0 || generation > 2) {
        throw std::invalid_argument("a collection is of generation 0, 1 or 2, not " +
                                    std::to_string(generation));
    }
    std::lock_guard lock(mutex_);
    pendingCollections_.push_back(generation);
    changed_.notify_all();
}

std::size_t ScenarioContext::pendingCollections() const {
    std::lock_guard lock(mutex_);
    return pendingCollections_.size();
}

void ScenarioContext::attachHeap(std::shared_ptr<GcHeap> heap) {
    std::lock_guard lock(mutex_);
    heap_ = std::move(heap);
}

void ScenarioContext::publishHeap(GcHeap& heap, int markGeneration) {
    if (options_.onHeapSnapshot) {
        auto snapshot = std::make_shared<GcHeapSnapshot>(heap.snapshot());
        snapshot->markGeneration = markGeneration;
        options_.onHeapSnapshot(std::move(snapshot));
    }
}

bool ScenarioContext::waitFor(std::chrono::milliseconds duration) {
    if (options_.manualClock) {
        options_.manualClock->advanceMilliseconds(duration.count());
        return !cancelled();
    }
    const std::stop_token stopToken = stopSource_.get_token();
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, stopToken, duration, [] { return false; });
    return !stopToken.stop_requested();
}

void ScenarioContext::reportProgress(std::int64_t completed, std::int64_t planned,
                                     std::string_view phase, std::string_view explanation) {
    ScenarioProgress copy;
    {
        std::lock_guard lock(mutex_);
        progress_.completed = completed;
        progress_.planned = planned;
        if (!phase.empty()) {
            progress_.phase = phase;
        }
        if (!explanation.empty()) {
            progress_.explanation = explanation;
        }
        copy = progress_;
    }
    if (options_.onProgress) {
        options_.onProgress(copy);
    }
}

}  // namespace poolscope
