#include "views/ViewColors.h"

#include <algorithm>
#include <cmath>

namespace poolscope {

QColor ViewColors::tier(MemoryTier tier) {
    switch (tier) {
        case MemoryTier::Pooled:
            return QColor(52, 120, 210);
        case MemoryTier::Small:
            return QColor(70, 170, 90);
        case MemoryTier::Unpooled:
            return QColor(230, 140, 40);
        case MemoryTier::Managed:
            return QColor(150, 80, 200);
        case MemoryTier::NativeHeap:
            return QColor(200, 70, 70);
        case MemoryTier::Mapped:
            return QColor(40, 160, 160);
        case MemoryTier::Descriptor:
            return QColor(160, 130, 60);
        case MemoryTier::Heap:
            break;
    }
    return QColor(130, 130, 130);
}

QColor ViewColors::poolRetained() {
    return QColor(120, 170, 200);
}

QColor ViewColors::managedGeneration(int generation) {
    static const QColor kGenerations[] = {QColor(200, 150, 230), QColor(160, 100, 210),
                                          QColor(115, 60, 170), QColor(200, 70, 120)};
    return kGenerations[std::clamp(generation, 0, 3)];
}

QColor ViewColors::mix(const QColor& from, const QColor& to, double share) {
    const auto channel = [share](int a, int b) {
        return static_cast<int>(std::lround(a + (b - a) * share));
    };
    return QColor(channel(from.red(), to.red()), channel(from.green(), to.green()),
                  channel(from.blue(), to.blue()));
}

}  // namespace poolscope
