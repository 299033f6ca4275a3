#include "models/GcVsPoolComparison.h"

#include <algorithm>

#include "models/DisplayFormat.h"
#include "scenarios/RunSummary.h"

namespace poolscope {

namespace {

QVariant figure(const ScenarioRunReport& report, const char* name) {
    for (const auto& [figureName, value] : report.outcome.figures) {
        if (figureName == name) {
            if (const auto* number = std::get_if<std::int64_t>(&value)) {
                return QVariant::fromValue(
                    static_cast<qulonglong>(std::max<std::int64_t>(*number, 0)));
            }
        }
    }
    return {};
}

QString collectionsText(const std::uint64_t (&collections)[3]) {
    return QStringLiteral("%1 / %2 / %3")
        .arg(collections[0])
        .arg(collections[1])
        .arg(collections[2]);
}

}  // namespace

GcVsPoolComparison::GcVsPoolComparison(QObject* parent) : QAbstractTableModel(parent) {
    updateLiveRows();
}

void GcVsPoolComparison::clear() {
    points_.clear();
    std::fill(std::begin(collections_), std::end(collections_), 0);
    hasReport_ = false;
    updateLiveRows();
}

void GcVsPoolComparison::addSnapshot(const SessionSnapshot& snapshot) {
    for (const TimelineSample& sample : snapshot.newSamples) {
        Point point;
        point.seconds = sample.seconds;
        std::copy(sample.managedBytes, sample.managedBytes + 3, point.generations);
        point.largeObjects = sample.managedBytes[3];
        point.largeObjectFree = sample.largeObjectFreeBytes;
        point.rented = sample.rentedBytes;
        point.retained = sample.retainedBytes;
        points_.push_back(point);
    }
    std::copy(std::begin(snapshot.gcCollections), std::end(snapshot.gcCollections),
              std::begin(collections_));
    if (!hasReport_) {
        updateLiveRows();
    }
}

void GcVsPoolComparison::updateLiveRows() {
    std::uint64_t gcPeak = 0;
    std::uint64_t poolPeak = 0;
    for (const Point& point : points_) {
        gcPeak = std::max(gcPeak, point.gcHeld());
        poolPeak = std::max(poolPeak, point.poolHeld());
    }
    const Point now = points_.empty() ? Point{} : points_.back();
    setRows({{tr("Peak held so far"), qulonglong{gcPeak}, qulonglong{poolPeak}},
             {tr("Held now"), qulonglong{now.gcHeld()}, qulonglong{now.poolHeld()}},
             {tr("LOH held by objects now"), qulonglong{now.largeObjects}, {}},
             {tr("LOH free blocks now"), qulonglong{now.largeObjectFree}, {}},
             {tr("Collections (gen 0/1/2)"), collectionsText(collections_), {}, false}});
}

void GcVsPoolComparison::setReport(const ScenarioRunReport& report) {
    hasReport_ = true;
    std::uint64_t collections[3] = {0, 0, 0};
    QVariant pause;
    if (report.gc) {
        std::copy(std::begin(report.gc->collections), std::end(report.gc->collections),
                  std::begin(collections));
        pause = QString::fromStdString(RunSummary::milliseconds(report.gc->pauseNanoseconds));
    }
    setRows(
        {{tr("Images"), figure(report, "imagesPerSide"), figure(report, "imagesPerSide"), false},
         {tr("Peak held"), figure(report, "gcPeakBytes"), figure(report, "poolPeakBytes")},
         {tr("Held at end"), figure(report, "gcRetainedBytesAtEnd"),
          figure(report, "poolRetainedBytesAtEnd")},
         {tr("LOH held by objects at end"), figure(report, "gcLargeObjectHeapBytesAtEnd"), {}},
         {tr("Collections (gen 0/1/2)"), collectionsText(collections), {}, false},
         {tr("Time in collections"), pause, {}, false},
         {tr("Chunks rented / returned"),
          {},
          QStringLiteral("%1 / %2").arg(report.pool.chunkRents).arg(report.pool.chunkReturns),
          false},
         {tr("Trims"), {}, qulonglong{report.pool.trims}, false}});
}

void GcVsPoolComparison::setRows(std::vector<Row> rows) {
    if (rows.size() == rows_.size()) {
        rows_ = std::move(rows);
        if (!rows_.empty()) {
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        }
        return;
    }
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int GcVsPoolComparison::rowOf(const QString& label) const {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].label == label) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int GcVsPoolComparison::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int GcVsPoolComparison::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GcVsPoolComparison::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const Row& row = rows_[static_cast<std::size_t>(index.row())];
    if (index.column() == FigureColumn) {
        return role == Qt::DisplayRole ? QVariant(row.label) : QVariant();
    }
    const QVariant& value = index.column() == GcColumn ? row.gc : row.pool;
    if (role == FigureRole) {
        return value;
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (!value.isValid()) {
        return QStringLiteral("—");
    }
    if (row.bytes && value.typeId() == QMetaType::ULongLong) {
        return DisplayFormat::bytes(value.toULongLong());
    }
    return value.toString();
}

QVariant GcVsPoolComparison::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case FigureColumn:
            return tr("Figure");
        case GcColumn:
            return tr("GC heap");
        case PoolColumn:
            return tr("Pool");
        default:
            return {};
    }
}

}  // namespace poolscope
