#include "native/ProcSampler.h"

#include <algorithm>
#include <utility>

#include "native/ProcProcess.h"

namespace poolscope {

ProcSampler::ProcSampler(std::unique_ptr<ProcProcess> process, ProcSamplerOptions options)
    : process_(std::move(process)), options_(options) {
    if (options_.interval <= std::chrono::milliseconds::zero()) {
        options_.interval = ProcSamplerOptions::kDefaultInterval;
    }
    if (options_.capacity == 0) {
        options_.capacity = 1;
    }
    thread_ = std::thread([this] { run(); });
}

ProcSampler::~ProcSampler() {
    stop();
    thread_.join();
}

void ProcSampler::run() {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now();
    // smaps_rollup every so many samples, on the sampling's own steady ticks: as many as make
    // the rollup interval, at least one.
    const auto ticksPerRollup = std::max<std::int64_t>(
        1, (options_.rollupInterval + options_.interval - std::chrono::milliseconds(1)) /
               options_.interval);
    std::int64_t ticksSinceRollup = 0;
    std::optional<ProcSample> last;
    for (;;) {
        ProcSample sample;
        try {
            const bool rollupDue = !last || ticksSinceRollup >= ticksPerRollup;
            sample = process_->sample(rollupDue ? nullptr : &*last);
            ticksSinceRollup = rollupDue ? 1 : ticksSinceRollup + 1;
        } catch (const ProcError& error) {
            finish(error);
            return;
        }
        last = sample;
        std::unique_lock lock(mutex_);
        if (pending_.size() >= options_.capacity) {
            pending_.pop_front();
            ++dropped_;
        }
        pending_.push_back(std::move(sample));
        changed_.notify_all();
        // A steady rate: each sample at its own tick. A slow read skips the ticks it missed
        // instead of catching up in a burst.
        next += options_.interval;
        const auto now = Clock::now();
        while (next <= now) {
            next += options_.interval;
        }
        if (changed_.wait_until(lock, next, [this] { return stopRequested_; })) {
            ended_ = true;
            changed_.notify_all();
            return;
        }
    }
}

void ProcSampler::finish(std::optional<ProcError> error) {
    const std::lock_guard lock(mutex_);
    ended_ = true;
    if (!stopRequested_) {
        endError_ = std::move(error);
    }
    changed_.notify_all();
}

std::size_t ProcSampler::drain(std::vector<ProcSample>& into) {
    const std::lock_guard lock(mutex_);
    const std::size_t count = pending_.size();
    into.insert(into.end(), std::make_move_iterator(pending_.begin()),
                std::make_move_iterator(pending_.end()));
    pending_.clear();
    return count;
}

bool ProcSampler::waitForSamples(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [this] { return !pending_.empty() || ended_ || stopRequested_; });
}

void ProcSampler::stop() {
    const std::lock_guard lock(mutex_);
    stopRequested_ = true;
    changed_.notify_all();
}

bool ProcSampler::ended() const {
    const std::lock_guard lock(mutex_);
    return ended_;
}

std::optional<ProcError> ProcSampler::endError() const {
    const std::lock_guard lock(mutex_);
    return endError_;
}

std::uint64_t ProcSampler::dropped() const {
    const std::lock_guard lock(mutex_);
    return dropped_;
}

}  // namespace poolscope
