#pragma once

#include <QAbstractTableModel>

#include <cstdint>
#include <vector>

#include "models/CallSiteModel.h"

namespace poolscope {

// The call sites that held memory at the moment of the peak (PeakConsumers), most bytes first:
// what each held then, its share of the peak and how many of its allocations were live.
// Numbers come as text for display and as numbers under kSortRole.
class PeakConsumerModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Site, Bytes, Share, Allocations, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    // `rows`: the sites that held something at the peak, in the order shown.
    void setRows(std::vector<CallSiteModel::Row> rows, std::uint64_t peakBytes);
    const CallSiteModel::Row& row(int index) const {
        return rows_[static_cast<std::size_t>(index)];
    }
    std::uint64_t peakBytes() const { return peakBytes_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<CallSiteModel::Row> rows_;
    std::uint64_t peakBytes_ = 0;
};

}  // namespace poolscope
