#include "gc/GcReason.h"

namespace poolscope {

const char* gcReasonName(GcReason reason) {
    switch (reason) {
        case GcReason::Gen0Budget:
            return "gen0-budget";
        case GcReason::Gen1Budget:
            return "gen1-budget";
        case GcReason::PromotionPressure:
            return "promotion-pressure";
        case GcReason::LargeObjectBudget:
            return "large-object-budget";
        case GcReason::OutOfSpace:
            return "out-of-space";
        case GcReason::Induced:
            return "induced";
    }
    return "unknown";
}

}  // namespace poolscope
