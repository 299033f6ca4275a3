#pragma once

#include <atomic>
#include <cstdint>

namespace poolscope {

// Monotonic time in nanoseconds. Trimming reads it through this interface so that tests can
// move time forward instead of sleeping.
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t nowNanoseconds() const = 0;
};

class SteadyClock final : public Clock {
public:
    std::int64_t nowNanoseconds() const override;
    static SteadyClock& instance();
};

class ManualClock final : public Clock {
public:
    std::int64_t nowNanoseconds() const override { return now_.load(); }
    void advanceMilliseconds(std::int64_t milliseconds) { now_ += milliseconds * 1'000'000; }
    void setNanoseconds(std::int64_t nanoseconds) { now_ = nanoseconds; }

private:
    std::atomic<std::int64_t> now_{1'000'000'000};
};

// Nanoseconds since the engine first asked; the time stamp of every MemoryEvent.
std::int64_t monotonicNanoseconds();
// CLOCK_MONOTONIC itself, from the machine's boot: the clock a launched program's interposer
// stamps its records with, the same in every process.
std::int64_t systemMonotonicNanoseconds();

}  // namespace poolscope
