#pragma once

#include <chrono>

namespace poolscope {

// ImageSharp's trim settings. Every period the pool frees `rate` of its retained chunks, least
// recently returned first; under high system memory load it frees all of them.
struct TrimPolicy {
    std::chrono::milliseconds period{60'000};
    double rate = 0.5;
    double highLoadFactor = 0.9;

    bool enabled() const { return rate > 0.0; }
};

}  // namespace poolscope
