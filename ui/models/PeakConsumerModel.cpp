#include "PeakConsumerModel.h"

#include <QLocale>

#include "models/DisplayFormat.h"

namespace poolscope {

void PeakConsumerModel::setRows(std::vector<CallSiteModel::Row> rows, std::uint64_t peakBytes) {
    beginResetModel();
    rows_ = std::move(rows);
    peakBytes_ = peakBytes;
    endResetModel();
}

int PeakConsumerModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PeakConsumerModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PeakConsumerModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const CallSiteModel::Row& site = row(index.row());
    const std::uint64_t bytes = site.cost.peakBytes;
    const double share =
        peakBytes_ > 0 ? 100.0 * static_cast<double>(bytes) / static_cast<double>(peakBytes_) : 0.0;
    switch (index.column()) {
        case Site:
            return role == Qt::DisplayRole || role == kSortRole ? QVariant(site.site)
                   : role == Qt::ToolTipRole                    ? QVariant(site.stack)
                                                                : QVariant();
        case Bytes:
            return CallSiteModel::figureData(site.cost, CallSiteModel::PeakBytes, role);
        case Share:
            if (role == Qt::DisplayRole) {
                return QStringLiteral("%1 %").arg(QLocale().toString(share, 'f', 1));
            }
            if (role == kSortRole) {
                return share;
            }
            return role == Qt::TextAlignmentRole ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                 : QVariant();
        case Allocations:
            if (role == Qt::DisplayRole) {
                return DisplayFormat::count(static_cast<qint64>(site.cost.peakAllocations));
            }
            if (role == kSortRole) {
                return QVariant::fromValue(static_cast<qulonglong>(site.cost.peakAllocations));
            }
            return role == Qt::TextAlignmentRole ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                 : QVariant();
        default:
            return {};
    }
}

QVariant PeakConsumerModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case Site:
            return tr("Call site");
        case Bytes:
            return tr("Held at peak");
        case Share:
            return tr("Of peak");
        case Allocations:
            return tr("Live allocations");
        default:
            return {};
    }
}

}  // namespace poolscope
