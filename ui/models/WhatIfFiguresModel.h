#pragma once

#include <QAbstractTableModel>

#include <cstdint>

#include "analysis/WhatIfReplay.h"

namespace poolscope {

// The replay's figures side by side: one row per figure (map calls, unmap calls, bytes faulted
// in, peak held, idle held), with what happened, what the pool would have done and the
// difference (pooled minus actual: below zero where the pool does better). Text for display,
// the exact signed number under kValueRole.
class WhatIfFiguresModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Row { MapCalls, UnmapCalls, BytesFaultedIn, PeakHeld, IdleHeld, RowCount };
    enum Column { Figure, Actual, Pooled, Difference, ColumnCount };
    static constexpr int kValueRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setFigures(const WhatIfFigures& actual, const WhatIfFigures& pooled);
    // No rows: nothing replayed.
    void clear();

    // The figure of a row from one side.
    static std::uint64_t figureOf(const WhatIfFigures& figures, int row);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    bool shown_ = false;
    WhatIfFigures actual_;
    WhatIfFigures pooled_;
};

}  // namespace poolscope
