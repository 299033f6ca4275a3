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

}  // namespace poolscope
