#include "TemporaryAllocationModel.h"

#include <QLocale>

#include "models/DisplayFormat.h"

namespace poolscope {

void TemporaryAllocationModel::setRows(std::vector<CallSiteModel::Row> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int TemporaryAllocationModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TemporaryAllocationModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TemporaryAllocationModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const CallSiteModel::Row& site = row(index.row());
    const CallSiteCost& cost = site.cost;
    const int column = index.column();
    if (column == Site) {
        return role == Qt::DisplayRole || role == kSortRole ? QVariant(site.site)
               : role == Qt::ToolTipRole                    ? QVariant(site.stack)
                                                            : QVariant();
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    switch (column) {
        case Temporary:
        case Allocations: {
            const std::uint64_t count =
                column == Temporary ? cost.temporaryAllocations : cost.allocations;
            if (role == Qt::DisplayRole) {
                return DisplayFormat::count(static_cast<qint64>(count));
            }
            return role == kSortRole ? QVariant::fromValue(static_cast<qulonglong>(count))
                                     : QVariant();
        }
        case Share: {
            const double share = cost.allocations > 0
                                     ? 100.0 * static_cast<double>(cost.temporaryAllocations) /
                                           static_cast<double>(cost.allocations)
                                     : 0.0;
            if (role == Qt::DisplayRole) {
                return QStringLiteral("%1 %").arg(QLocale().toString(share, 'f', 1));
            }
            return role == kSortRole ? QVariant(share) : QVariant();
        }
        case Bytes:
            if (role == Qt::DisplayRole) {
                return DisplayFormat::bytes(cost.temporaryBytes);
            }
            if (role == Qt::ToolTipRole) {
                return DisplayFormat::exactBytes(cost.temporaryBytes);
            }
            return role == kSortRole
                       ? QVariant::fromValue(static_cast<qulonglong>(cost.temporaryBytes))
                       : QVariant();
        default:
            return {};
    }
}

QVariant TemporaryAllocationModel::headerData(int section, Qt::Orientation orientation,
                                              int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case Site:
            return tr("Call site");
        case Temporary:
            return tr("Temporary");
        case Allocations:
            return tr("Allocations");
        case Share:
            return tr("Temporary share");
        case Bytes:
            return tr("Temporary bytes");
        default:
            return {};
    }
}

}  // namespace poolscope
