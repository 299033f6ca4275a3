#pragma once

#include <QAbstractTableModel>

#include <vector>

#include "session/WhatIfAnalysis.h"

namespace poolscope {

// The call sites of a what-if replay, one row each, with what the pool would save them (below
// zero: what it would cost them). Numbers come as text for display and as numbers under
// kSortRole, so a proxy sorts them as numbers.
class WhatIfSiteModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Site, Buffers, MapCallsSaved, BytesFaultedInSaved, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<WhatIfSiteRow> rows);
    const WhatIfSiteRow& row(int index) const { return rows_[static_cast<std::size_t>(index)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<WhatIfSiteRow> rows_;
};

}  // namespace poolscope
