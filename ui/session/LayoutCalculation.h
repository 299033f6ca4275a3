#pragma once

#include <QString>

#include "memory/LayoutCalculator.h"

namespace poolscope {

// The layout calculator as the window asks it: the layout the default allocator would give a
// request, or why there is none, as an answer rather than an exception.
struct LayoutCalculation {
    enum class Outcome {
        Calculated,
        Refused,  // the allocator would throw InvalidMemoryOperation before allocating
        Invalid,  // a width, height or pixel size that is not positive
    };

    Outcome outcome = Outcome::Calculated;
    ImageLayout layout;  // when calculated
    QString error;       // the allocator's or the calculator's message otherwise

    static LayoutCalculation of(const ImageLayoutRequest& request);
};

}  // namespace poolscope
