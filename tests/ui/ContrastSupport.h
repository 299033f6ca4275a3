#pragma once

// WCAG's contrast between two colours, for tests that check what a person can make out.

#include <QColor>

#include <algorithm>
#include <cmath>

namespace poolscope::testing {

// WCAG's least contrast for graphical objects a person must make out.
inline constexpr double kMinimumContrast = 3.0;

inline double channelLuminance(int value) {
    const double c = value / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

inline double luminance(const QColor& colour) {
    return 0.2126 * channelLuminance(colour.red()) + 0.7152 * channelLuminance(colour.green()) +
           0.0722 * channelLuminance(colour.blue());
}

inline double contrast(const QColor& a, const QColor& b) {
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace poolscope::testing
