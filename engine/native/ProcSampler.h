#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "native/ProcError.h"
#include "native/ProcSample.h"

namespace poolscope {

class ProcProcess;

struct ProcSamplerOptions {
    static constexpr std::chrono::milliseconds kDefaultInterval{100};
    static constexpr std::chrono::milliseconds kDefaultRollupInterval{1000};
    std::chrono::milliseconds interval = kDefaultInterval;
    // Samples kept until drained; when a front end falls this far behind, the oldest go first
    // (counted in dropped()).
    std::size_t capacity = 65'536;
    // smaps_rollup (PSS) is read every so many samples, as many as make this interval (at
    // least one): on a process of 400 MiB one read takes milliseconds, status microseconds.
    // Samples in between carry the last PSS read.
    std::chrono::milliseconds rollupInterval = kDefaultRollupInterval;
};

// Samples one process at a steady rate on a thread of its own, into a bounded buffer that a
// front end drains whenever it likes: the lock is held only to append or to take the samples,
// never while /proc is read, so a drain never waits on the sampled process. Sampling stops
// when the process exits (or cannot be read), or on stop().
class ProcSampler {
public:
    ProcSampler(std::unique_ptr<ProcProcess> process, ProcSamplerOptions options = {});
    // Stops and joins the sampling thread.
    ~ProcSampler();
    ProcSampler(const ProcSampler&) = delete;
    ProcSampler& operator=(const ProcSampler&) = delete;

    const ProcProcess& process() const { return *process_; }
    const ProcSamplerOptions& options() const { return options_; }

    // Appends the samples taken since the last drain to `into`, oldest first; returns how many.
    std::size_t drain(std::vector<ProcSample>& into);
    // Waits until a sample is ready to drain, sampling has ended, or `timeout` passed; true
    // unless it timed out.
    bool waitForSamples(std::chrono::milliseconds timeout);
    // Ends sampling; wakes waitForSamples().
    void stop();

    // Sampling has ended: the process exited or could not be read, or stop() was called.
    bool ended() const;
    // Why it ended when the process ended it ("process 1234 exited"); none before, or after
    // stop().
    std::optional<ProcError> endError() const;
    std::uint64_t dropped() const;

private:
    void run();
    void finish(std::optional<ProcError> error);

    std::unique_ptr<ProcProcess> process_;
    ProcSamplerOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<ProcSample> pending_;
    std::uint64_t dropped_ = 0;
    bool stopRequested_ = false;
    bool ended_ = false;
    std::optional<ProcError> endError_;
    std::thread thread_;
};

}  // namespace poolscope
