#include "CallSiteModel.h"

#include <QStringList>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

std::uint64_t figureOf(const CallSiteCost& cost, int column) {
    switch (column) {
        case CallSiteModel::Allocations:
            return cost.allocations;
        case CallSiteModel::Bytes:
            return cost.bytes;
        case CallSiteModel::Temporary:
            return cost.temporaryAllocations;
        case CallSiteModel::LeakedBytes:
            return cost.leakedBytes;
        case CallSiteModel::PeakBytes:
            return cost.peakBytes;
        default:
            return 0;
    }
}

bool isByteColumn(int column) {
    return column == CallSiteModel::Bytes || column == CallSiteModel::LeakedBytes ||
           column == CallSiteModel::PeakBytes;
}

}  // namespace

std::vector<CallSiteModel::Row> CallSiteModel::rowsOf(const AllocationAnalysis& analysis,
                                                      StackNames& names) {
    std::vector<Row> rows;
    rows.reserve(analysis.sites.size());
    for (const CallSiteCost& cost : analysis.sites) {
        QStringList frames;
        for (const StackNames::FrameId id : names.frameIds(cost.stackId)) {
            frames.append(QString::fromStdString(names.label(id)));
        }
        // Sites often share their innermost frame (one allocating helper): the caller tells
        // them apart.
        const QString site =
            frames.size() > 1 ? frames[0] + QStringLiteral(" ← ") + frames[1] : frames.front();
        rows.push_back({site, frames.join(QLatin1Char('\n')), cost});
    }
    return rows;
}

void CallSiteModel::setRows(std::vector<Row> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int CallSiteModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int CallSiteModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallSiteModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& site = row(index.row());
    const int column = index.column();
    switch (role) {
        case Qt::DisplayRole:
            if (column == Site) {
                return site.site;
            }
            return isByteColumn(column)
                       ? DisplayFormat::bytes(figureOf(site.cost, column))
                       : DisplayFormat::count(static_cast<qint64>(figureOf(site.cost, column)));
        case kSortRole:
            if (column == Site) {
                return site.site;
            }
            return QVariant::fromValue(static_cast<qulonglong>(figureOf(site.cost, column)));
        case Qt::ToolTipRole:
            return column == Site || !isByteColumn(column)
                       ? site.stack
                       : DisplayFormat::exactBytes(figureOf(site.cost, column));
        case Qt::TextAlignmentRole:
            return column == Site ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
    }
}

QVariant CallSiteModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case Site:
            return tr("Call site");
        case Allocations:
            return tr("Allocations");
        case Bytes:
            return tr("Bytes");
        case Temporary:
            return tr("Temporary");
        case LeakedBytes:
            return tr("Leaked");
        case PeakBytes:
            return tr("At peak");
        default:
            return {};
    }
}

}  // namespace poolscope
