#include "WhatIfSiteModel.h"

#include <QLocale>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

std::int64_t figureOf(const WhatIfSite& saving, int column) {
    switch (column) {
        case WhatIfSiteModel::Buffers:
            return static_cast<std::int64_t>(saving.requests);
        case WhatIfSiteModel::MapCallsSaved:
            return saving.mapCallsSaved;
        case WhatIfSiteModel::BytesFaultedInSaved:
            return saving.bytesFaultedInSaved;
        default:
            return 0;
    }
}

// A saving may be negative: the pool can cost a site more than it had. Counts and bytes
// take the same minus sign.
QString signedFigure(std::int64_t value, bool bytes) {
    const auto magnitude = static_cast<std::uint64_t>(value < 0 ? -value : value);
    const QString text = bytes ? DisplayFormat::bytes(magnitude)
                               : DisplayFormat::count(static_cast<std::int64_t>(magnitude));
    return value < 0 ? QStringLiteral("−") + text : text;
}

}  // namespace

void WhatIfSiteModel::setRows(std::vector<WhatIfSiteRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int WhatIfSiteModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int WhatIfSiteModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WhatIfSiteModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const WhatIfSiteRow& site = row(index.row());
    const int column = index.column();
    const std::int64_t figure = figureOf(site.saving, column);
    switch (role) {
        case Qt::DisplayRole:
            if (column == Site) {
                return site.site;
            }
            return signedFigure(figure, column == BytesFaultedInSaved);
        case kSortRole:
            if (column == Site) {
                return site.site;
            }
            return QVariant::fromValue(static_cast<qlonglong>(figure));
        case Qt::ToolTipRole:
            if (column == BytesFaultedInSaved) {
                return tr("%1 B").arg(QLocale().toString(static_cast<qlonglong>(figure)));
            }
            return site.stack;
        case Qt::TextAlignmentRole:
            return column == Site ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
    }
}

QVariant WhatIfSiteModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case Site:
            return tr("Call site");
        case Buffers:
            return tr("Buffers");
        case MapCallsSaved:
            return tr("Map calls saved");
        case BytesFaultedInSaved:
            return tr("Faulted bytes saved");
        default:
            return {};
    }
}

}  // namespace poolscope
