#pragma once

#include <QAbstractTableModel>

#include <vector>

#include "models/CallSiteModel.h"

namespace poolscope {

// The call sites whose allocations were temporary (freed before their thread made or freed
// anything else, heaptrack's rule): how many, of how many made there, their share and their
// bytes. Numbers come as text for display and as numbers under kSortRole.
class TemporaryAllocationModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Site, Temporary, Allocations, Share, Bytes, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    // `rows`: the sites with a temporary allocation, in the order shown.
    void setRows(std::vector<CallSiteModel::Row> rows);
    const CallSiteModel::Row& row(int index) const {
        return rows_[static_cast<std::size_t>(index)];
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<CallSiteModel::Row> rows_;
};

}  // namespace poolscope
