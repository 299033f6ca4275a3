#pragma once

#include <QColor>
#include <QString>

#include "native/ProcSample.h"

namespace poolscope {

// The lanes a sampled process is drawn in on the timeline: its memory as /proc tells it
// (resident, proportional, anonymous, file-backed, swapped) and its open descriptors.
class ProcessLanes {
public:
    enum Figure { Resident, Proportional, Anonymous, FileBacked, Swap, Descriptors, FigureCount };

    static QString name(Figure figure);
    static QColor colour(Figure figure);
    // Memory in the memory lane, descriptors in their own: they are counted, not measured.
    static bool isMemory(Figure figure) { return figure != Descriptors; }
    // MiB for memory, a count for descriptors.
    static double value(Figure figure, const ProcSample& sample);
};

}  // namespace poolscope
