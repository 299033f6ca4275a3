#include "memory/TrimScheduler.h"

#include <algorithm>

#include "memory/UniformChunkPool.h"

namespace poolscope {

TrimScheduler& TrimScheduler::instance() {
    static TrimScheduler scheduler;
    return scheduler;
}

TrimScheduler::~TrimScheduler() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void TrimScheduler::add(const std::shared_ptr<UniformChunkPool>& pool) {
    const auto quarter = std::max(std::chrono::milliseconds(1), pool->trimPolicy().period / 4);
    {
        std::lock_guard lock(mutex_);
        if (pools_.empty() || quarter < interval_) {
            interval_ = pools_.empty() ? quarter : std::min(interval_, quarter);
        }
        pools_.push_back(pool);
        if (!thread_.joinable()) {
            thread_ = std::thread([this] { run(); });
        }
    }
    wake_.notify_all();  // the interval may have shortened
}

std::size_t TrimScheduler::runOnce() {
    std::vector<std::shared_ptr<UniformChunkPool>> live;
    {
        std::lock_guard lock(mutex_);
        for (const auto& weak : pools_) {
            if (auto pool = weak.lock()) {
                live.push_back(std::move(pool));
            }
        }
    }
    // Trimming unmaps memory; it runs without the scheduler's lock.
    std::vector<UniformChunkPool*> finished;
    for (const auto& pool : live) {
        if (!pool->trim()) {
            finished.push_back(pool.get());
        }
    }
    std::lock_guard lock(mutex_);
    std::erase_if(pools_, [&](const std::weak_ptr<UniformChunkPool>& weak) {
        auto pool = weak.lock();
        return !pool || std::find(finished.begin(), finished.end(), pool.get()) != finished.end();
    });
    // The interval follows the shortest period among the pools that are left.
    if (!pools_.empty()) {
        auto shortest = std::chrono::milliseconds::max();
        for (const auto& weak : pools_) {
            if (auto pool = weak.lock()) {
                shortest = std::min(shortest, pool->trimPolicy().period / 4);
            }
        }
        if (shortest != std::chrono::milliseconds::max()) {
            interval_ = std::max(std::chrono::milliseconds(1), shortest);
        }
    }
    return pools_.size();
}

std::size_t TrimScheduler::registeredCount() const {
    std::lock_guard lock(mutex_);
    return pools_.size();
}

std::chrono::milliseconds TrimScheduler::wakeInterval() const {
    std::lock_guard lock(mutex_);
    return interval_;
}

void TrimScheduler::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval_);
        if (stopping_) {
            break;
        }
        lock.unlock();
        runOnce();
        lock.lock();
    }
}

}  // namespace poolscope
