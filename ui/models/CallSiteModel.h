#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <QStringList>

#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/StackNames.h"

namespace poolscope {

// The call sites of a recording's analysis, one row each, with what their allocations cost.
// Numbers come as text for display and as numbers under kSortRole, so a proxy sorts them as
// numbers.
class CallSiteModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Site, Allocations, Bytes, Temporary, LeakedBytes, PeakBytes, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    struct Row {
        QString site;        // the innermost frame, and its caller after " ← " when there is one
        QString stack;       // every frame, innermost first, one a line
        QStringList frames;  // every frame's StackNames label, innermost first
        CallSiteCost cost;
    };

    // One row per site of the analysis, in the analysis's order.
    static std::vector<Row> rowsOf(const AllocationAnalysis& analysis, StackNames& names);

    // What a figure column (Allocations to PeakBytes) shows of a cost in `role`: the call trees
    // show the same columns.
    static QVariant figureData(const CallSiteCost& cost, int column, int role);
    static QString figureHeader(int column);

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<Row> rows);
    const Row& row(int index) const { return rows_[static_cast<std::size_t>(index)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<Row> rows_;
};

}  // namespace poolscope
