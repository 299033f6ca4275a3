#include "WhatIfFiguresModel.h"

#include <QLocale>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

bool isByteRow(int row) {
    return row == WhatIfFiguresModel::BytesFaultedIn || row == WhatIfFiguresModel::PeakHeld ||
           row == WhatIfFiguresModel::IdleHeld;
}

// A signed figure as the table writes it: "+4.0 MiB", "-9", "0".
QString signedText(std::int64_t value, bool bytes) {
    const auto magnitude = static_cast<std::uint64_t>(value < 0 ? -value : value);
    const QString text = bytes ? DisplayFormat::bytes(magnitude)
                               : DisplayFormat::count(static_cast<std::int64_t>(magnitude));
    if (value == 0) {
        return text;
    }
    return (value < 0 ? QStringLiteral("−") : QStringLiteral("+")) + text;
}

}  // namespace

std::uint64_t WhatIfFiguresModel::figureOf(const WhatIfFigures& figures, int row) {
    switch (row) {
        case MapCalls:
            return figures.mapCalls;
        case UnmapCalls:
            return figures.unmapCalls;
        case BytesFaultedIn:
            return figures.bytesFaultedIn;
        case PeakHeld:
            return figures.peakHeldBytes;
        case IdleHeld:
            return figures.idleHeldBytes;
        default:
            return 0;
    }
}

void WhatIfFiguresModel::setFigures(const WhatIfFigures& actual, const WhatIfFigures& pooled) {
    beginResetModel();
    shown_ = true;
    actual_ = actual;
    pooled_ = pooled;
    endResetModel();
}

void WhatIfFiguresModel::clear() {
    beginResetModel();
    shown_ = false;
    actual_ = {};
    pooled_ = {};
    endResetModel();
}

int WhatIfFiguresModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !shown_ ? 0 : RowCount;
}

int WhatIfFiguresModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WhatIfFiguresModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const int row = index.row();
    const int column = index.column();
    const std::uint64_t actual = figureOf(actual_, row);
    const std::uint64_t pooled = figureOf(pooled_, row);
    const std::int64_t difference =
        static_cast<std::int64_t>(pooled) - static_cast<std::int64_t>(actual);
    const std::uint64_t shown = column == Actual ? actual : pooled;
    switch (role) {
        case Qt::DisplayRole:
            if (column == Figure) {
                return headerData(row, Qt::Vertical);
            }
            if (column == Difference) {
                return signedText(difference, isByteRow(row));
            }
            return isByteRow(row) ? DisplayFormat::bytes(shown)
                                  : DisplayFormat::count(static_cast<std::int64_t>(shown));
        case kValueRole:
            if (column == Figure) {
                return {};
            }
            return column == Difference ? QVariant::fromValue(static_cast<qlonglong>(difference))
                                        : QVariant::fromValue(static_cast<qulonglong>(shown));
        case Qt::ToolTipRole:
            if (column == Figure || !isByteRow(row)) {
                return {};
            }
            return column == Difference
                       ? tr("%1 B").arg(QLocale().toString(static_cast<qlonglong>(difference)))
                       : DisplayFormat::exactBytes(shown);
        case Qt::TextAlignmentRole:
            return column == Figure ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
    }
}

QVariant WhatIfFiguresModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role == Qt::ToolTipRole && orientation == Qt::Horizontal && section == Difference) {
        return tr("Pooled minus actual: below zero where the pool does better");
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        switch (section) {
            case MapCalls:
                return tr("Map calls");
            case UnmapCalls:
                return tr("Unmap calls");
            case BytesFaultedIn:
                return tr("Bytes faulted in");
            case PeakHeld:
                return tr("Peak held");
            case IdleHeld:
                return tr("Idle held");
            default:
                return {};
        }
    }
    switch (section) {
        case Figure:
            return tr("Figure");
        case Actual:
            return tr("Actual");
        case Pooled:
            return tr("Pooled");
        case Difference:
            return tr("Difference");
        default:
            return {};
    }
}

}  // namespace poolscope
