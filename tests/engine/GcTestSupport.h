#pragma once

#include "gc/GcHeap.h"

namespace poolscope::testing {

// A heap with small reservations, so that many tests can each have one.
inline GcHeap::Settings smallGcHeapSettings() {
    GcHeap::Settings settings;
    settings.smallObjectReserveBytes = 64u << 20;
    settings.largeObjectReserveBytes = 256u << 20;
    return settings;
}

}  // namespace poolscope::testing
