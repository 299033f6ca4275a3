#include "models/ProcessLanes.h"

#include <QCoreApplication>

namespace poolscope {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;

double mebibytes(std::uint64_t bytes) {
    return static_cast<double>(bytes) / kBytesPerMiB;
}

}  // namespace

QString ProcessLanes::name(Figure figure) {
    switch (figure) {
        case Resident:
            return QCoreApplication::translate("poolscope::ProcessLanes", "RSS");
        case Proportional:
            return QCoreApplication::translate("poolscope::ProcessLanes", "PSS");
        case Anonymous:
            return QCoreApplication::translate("poolscope::ProcessLanes", "Anonymous");
        case FileBacked:
            return QCoreApplication::translate("poolscope::ProcessLanes", "File-backed");
        case Swap:
            return QCoreApplication::translate("poolscope::ProcessLanes", "Swap");
        case Descriptors:
            return QCoreApplication::translate("poolscope::ProcessLanes", "Descriptors");
        case FigureCount:
            break;
    }
    return {};
}

QColor ProcessLanes::colour(Figure figure) {
    switch (figure) {
        case Resident:
            return QColor(40, 110, 200);
        case Proportional:
            return QColor(20, 160, 150);
        case Anonymous:
            return QColor(225, 120, 30);
        case FileBacked:
            return QColor(130, 150, 60);
        case Swap:
            return QColor(200, 50, 60);
        case Descriptors:
            return QColor(120, 80, 180);
        case FigureCount:
            break;
    }
    return QColor(120, 120, 120);
}

double ProcessLanes::value(Figure figure, const ProcSample& sample) {
    switch (figure) {
        case Resident:
            return mebibytes(sample.status.residentBytes);
        case Proportional:
            return mebibytes(sample.rollup.proportionalBytes);
        case Anonymous:
            return mebibytes(sample.status.anonymousBytes);
        case FileBacked:
            return mebibytes(sample.status.fileBytes);
        case Swap:
            return mebibytes(sample.status.swapBytes);
        case Descriptors:
            return sample.descriptors;
        case FigureCount:
            break;
    }
    return 0.0;
}

}  // namespace poolscope
