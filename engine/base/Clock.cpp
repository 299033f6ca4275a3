#include "base/Clock.h"

#include <chrono>

namespace poolscope {

std::int64_t SteadyClock::nowNanoseconds() const {
    return monotonicNanoseconds();
}

SteadyClock& SteadyClock::instance() {
    static SteadyClock clock;
    return clock;
}

std::int64_t monotonicNanoseconds() {
    static const auto origin = std::chrono::steady_clock::now();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                origin)
        .count();
}

std::int64_t systemMonotonicNanoseconds() {
    // steady_clock reads CLOCK_MONOTONIC on Linux.
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace poolscope
