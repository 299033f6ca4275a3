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
        rows.push_back({site, frames.join(QLatin1Char('\n')), frames, cost});
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

QVariant CallSiteModel::figureData(const CallSiteCost& cost, int column, int role) {
    const std::uint64_t figure = figureOf(cost, column);
    switch (role) {
        case Qt::DisplayRole:
            return isByteColumn(column) ? DisplayFormat::bytes(figure)
                                        : DisplayFormat::count(static_cast<qint64>(figure));
        case kSortRole:
            return QVariant::fromValue(static_cast<qulonglong>(figure));
        case Qt::ToolTipRole:
            return isByteColumn(column) ? DisplayFormat::exactBytes(figure) : QVariant();
        case Qt::TextAlignmentRole:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
    }
}

QString CallSiteModel::figureHeader(int column) {
    switch (column) {
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

QVariant CallSiteModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row& site = row(index.row());
    const int column = index.column();
    if (column != Site) {
        // A count's tooltip is the stack, as the site's is: the figure itself is exact.
        if (role == Qt::ToolTipRole && !isByteColumn(column)) {
            return site.stack;
        }
        return figureData(site.cost, column, role);
    }
    switch (role) {
        case Qt::DisplayRole:
        case kSortRole:
            return site.site;
        case Qt::ToolTipRole:
            return site.stack;
        default:
            return {};
    }
}

QVariant CallSiteModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == Site ? tr("Call site") : figureHeader(section);
}

}  // namespace poolscope
