#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace poolscope {

class UniformChunkPool;

// One thread for the whole process that trims every live pool. It holds pools weakly, wakes at
// a quarter of the shortest trim period among them, and forgets pools that are gone.
class TrimScheduler {
public:
    static TrimScheduler& instance();
    ~TrimScheduler();

    void add(const std::shared_ptr<UniformChunkPool>& pool);
    // One pass over every pool, as the thread makes it; returns how many pools are still live.
    std::size_t runOnce();
    std::size_t registeredCount() const;
    std::chrono::milliseconds wakeInterval() const;

private:
    TrimScheduler() = default;
    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::weak_ptr<UniformChunkPool>> pools_;
    std::chrono::milliseconds interval_{15'000};
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace poolscope
