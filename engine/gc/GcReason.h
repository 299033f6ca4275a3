#pragma once

#include <cstdint>

namespace poolscope {

// Why a collection ran, as .NET's GC events report it.
enum class GcReason : std::uint8_t {
    Gen0Budget,         // generation 0 allocated its budget
    Gen1Budget,         // promotion filled generation 1's budget, so gen 1 is collected too
    PromotionPressure,  // generation 2 grew by its budget since its last collection
    LargeObjectBudget,  // the large object heap allocated its budget
    OutOfSpace,         // the small object arena is full
    Induced,            // collect() was called
};

const char* gcReasonName(GcReason reason);

}  // namespace poolscope
