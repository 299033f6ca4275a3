#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "session/SessionSnapshot.h"

namespace poolscope {

// The live (undisposed) allocations of a snapshot, one row each, in the table's id order.
// Holds the snapshot's immutable table and stack catalog by pointer and makes display text only
// when a view asks for a cell, so a table of a million rows costs nothing up front.
class LeakTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        SizeColumn,
        TierColumn,
        ImageColumn,
        ThreadColumn,
        AgeColumn,
        TagColumn,
        TopFrameColumn,
        ColumnCount
    };

    // Raw values, for sorting and for callers that want numbers rather than text.
    enum Role {
        AllocationIdRole = Qt::UserRole + 1,  // quint64
        BytesRole,                            // quint64
        CreatedNanosecondsRole,               // qint64, engine clock
        StackIdRole,                          // quint32
        ThreadIdRole,                         // quint32
        TierRole,                             // int (MemoryTier)
        TagIdRole,                            // int
        ReleasedWithoutDisposeRole,           // bool
    };

    explicit LeakTableModel(QObject* parent = nullptr);

    // Shows `table`. A new table resets the model; the same table with a later `now` (or a
    // grown catalog) only announces textChanged, so that a view repaints without a rebuild.
    void setData(std::shared_ptr<const AllocationTable> table,
                 std::shared_ptr<const StackCatalog> stacks, std::int64_t nowNanoseconds);
    using QAbstractTableModel::setData;

    const std::shared_ptr<const AllocationTable>& table() const { return table_; }
    const std::shared_ptr<const StackCatalog>& stacks() const { return stacks_; }
    std::int64_t nowNanoseconds() const { return now_; }

    // Orders the rows by a column's raw value, equal values in id order; -1: id order. Kept
    // for later tables. One std::sort of (key, index) pairs: a million rows in well under the
    // time QSortFilterProxyModel's index-by-index sort takes (see tests/bench/UiBenchmark).
    void sortRows(int column, Qt::SortOrder order);
    int sortColumn() const { return sortColumn_; }
    Qt::SortOrder sortOrder() const { return sortOrder_; }

    // Model rows and the table's rows (id order) map both ways.
    int tableRow(int row) const { return order_.empty() ? row : static_cast<int>(order_[row]); }
    int modelRow(int tableRow) const {
        return inverse_.empty() ? tableRow : static_cast<int>(inverse_[tableRow]);
    }
    // The row struct behind a model row; `row` must be in range.
    const LiveAllocation& allocationAt(int row) const { return table_->rows[tableRow(row)]; }
    // Sort ranks of a text column's names (tier, tag, top frame), one per table row.
    const std::vector<std::uint32_t>& textRanks(int column) const;
    // The model row of an allocation id, or -1.
    int rowOfAllocation(AllocationId id) const;

    // The first frame outside the allocator, short: function without parameters, file name.
    QString topFrameText(StackId stackId) const;
    // Every frame, one line each, in full.
    QString stackText(StackId stackId) const;
    QString tagText(std::uint16_t tagId) const;
    static QString imageText(const LiveAllocation& row);
    static QString ageText(std::int64_t nanoseconds);
    static QString functionWithoutParameters(const QString& function);
    static QString shortFrameText(const Frame& frame);
    // The frames' function names, innermost first: what a suppression remembers of a stack, so
    // that it still matches in a later run, where addresses and stack ids differ.
    static QString stackSignature(const std::vector<Frame>& frames);

    // Without QAbstractTableModel's virtual rowCount/columnCount round trip: a sort of a
    // million rows asks for about forty million indexes.
    QModelIndex index(int row, int column,
                      const QModelIndex& parent = QModelIndex()) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    // The same rows, a later "now": ages moved on. No order or filter result changes (age
    // follows creation, which the rows keep), so this is not a dataChanged over every row.
    void textChanged();

private:
    QVariant displayText(const LiveAllocation& row, int column) const;

    std::shared_ptr<const AllocationTable> table_;
    std::shared_ptr<const StackCatalog> stacks_;
    std::int64_t now_ = 0;
    // Made on first display, per stack: a million rows share a few hundred stacks.
    mutable std::unordered_map<StackId, QString> topFrameTexts_;

    void computeOrder();
    int sortColumn_ = -1;
    Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
    std::vector<std::uint32_t> order_;    // model row -> table row; empty: the same
    std::vector<std::uint32_t> inverse_;  // table row -> model row

    mutable const AllocationTable* rankedTable_ = nullptr;
    mutable const StackCatalog* rankedCatalog_ = nullptr;
    mutable int rankedColumn_ = -1;
    mutable std::vector<std::uint32_t> ranks_;
};

}  // namespace poolscope
