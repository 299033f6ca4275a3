#include "gc/GcHeapState.h"

namespace poolscope {

GcHeapState::GcHeapState(const GcHeapSettings& heapSettings)
    : settings(heapSettings),
      smallObjects(heapSettings.smallObjectReserveBytes),
      largeObjects(heapSettings.largeObjectReserveBytes) {
    types.push_back(GcType{"Free", 0, {}, {}});
    types.push_back(GcType{"Gap", 0, {}, {}});
    types.push_back(GcType{"byte[]", 0, {}, {}});
    types.push_back(GcType{"object[]", 0, {}, {}});
}

}  // namespace poolscope
