#include "scenarios/ScenarioContext.h"

#include <stdexcept>
#include <utility>

namespace poolscope {

ScenarioContext::ScenarioContext(Options options) : options_(std::move(options)) {
    if (!options_.allocator) {
        throw std::invalid_argument("ScenarioContext needs an allocator.");
    }
    if (options_.loadSource == nullptr) {
        throw std::invalid_argument("ScenarioContext needs a memory load source.");
    }
    stepMode_ = options_.stepMode;
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
    stepsGranted_ += 1;
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

bool ScenarioContext::checkpoint(std::string_view phase) {
    const std::stop_token stopToken = stopSource_.get_token();
    std::unique_lock lock(mutex_);
    progress_.phase = phase;
    // A step granted before the scenario got here is not lost: it lets this checkpoint pass.
    const auto mayPass = [&] {
        return !paused_ && (!stepMode_ || stepsGranted_ > progress_.stepsTaken);
    };
    waiting_ = true;
    changed_.wait(lock, stopToken, mayPass);
    waiting_ = false;
    if (stopToken.stop_requested()) {
        return false;
    }
    if (stepMode_) {
        progress_.stepsTaken += 1;
    } else {
        // Leaving step mode forgives the steps not taken, so a later step mode starts afresh.
        stepsGranted_ = progress_.stepsTaken;
    }
    return true;
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
                                     std::string_view phase) {
    ScenarioProgress copy;
    {
        std::lock_guard lock(mutex_);
        progress_.completed = completed;
        progress_.planned = planned;
        if (!phase.empty()) {
            progress_.phase = phase;
        }
        copy = progress_;
    }
    if (options_.onProgress) {
        options_.onProgress(copy);
    }
}

}  // namespace poolscope
