#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace poolscope::bench {

// The measured value a fraction `p` of the way through the sorted values (0.5: the median,
// 0.95: the frame budgets' p95), the nearest one rather than interpolated, so that a figure
// printed is one that was measured; 0 for no values.
inline double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    if (values.empty()) {
        return 0.0;
    }
    const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(at, values.size() - 1)];
}

}  // namespace poolscope::bench
