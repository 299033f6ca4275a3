#pragma once

#include <QColor>

#include "session/SessionSnapshot.h"

namespace poolscope {

// The colours the views share: one per memory tier, the same in the layout's bands and the
// timeline's series, and the blend every view uses to tint its palette.
class ViewColors {
public:
    // Pool memory in cool colours, memory outside the pool in warm ones, managed arrays in
    // purple.
    static QColor tier(MemoryTier tier);
    // Pool chunks kept for reuse: a lighter blue than rented ones.
    static QColor poolRetained();
    // The managed heap in purples from young to old: 0, 1, 2, and 3 for the large object heap.
    static QColor managedGeneration(int generation);
    // `share` of the way from `from` to `to`, channel by channel (0: from, 1: to).
    static QColor mix(const QColor& from, const QColor& to, double share);
};

}  // namespace poolscope
