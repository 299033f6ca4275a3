#pragma once

#include <QAbstractItemModel>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "session/SessionSnapshot.h"

namespace poolscope {

// Live allocations grouped by the stack that made them: one top-level row per stack with its
// count and bytes (most bytes first), its allocations below. A stack with very many
// allocations shows the first childLimit() of them and one "+N more" row, so that expanding a
// million-allocation stack stays instant.
class StackGroupModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { NameColumn, CountColumn, BytesColumn, ColumnCount };
    enum Role {
        AllocationIdRole = Qt::UserRole + 1,  // quint64, allocation rows only
        StackIdRole,                          // quint32, every row but "+N more"
        BytesRole,                            // quint64
        CountRole,                            // qint64, stack rows only
        MoreRowRole,                          // bool: the "+N more" row
    };
    static constexpr int kDefaultChildLimit = 1000;

    struct Group {
        StackId stackId = 0;
        std::uint64_t bytes = 0;
        std::vector<std::uint32_t> rows;  // indices into the table's rows, ascending
    };

    explicit StackGroupModel(QObject* parent = nullptr);

    // Groups the table's rows that `accept(rowIndex)` lets through (every row when empty).
    // Always rebuilds: the caller knows when the table or its filter changed.
    void setData(std::shared_ptr<const AllocationTable> table,
                 std::shared_ptr<const StackCatalog> stacks,
                 const std::function<bool(int)>& accept = {});
    using QAbstractItemModel::setData;

    void setChildLimit(int limit);
    int childLimit() const { return childLimit_; }

    // Shows every template argument list as "<…>" in stack names and frame texts: the names
    // of templated code stay readable.
    void setShortenTemplateArguments(bool shorten);
    bool shortenTemplateArguments() const { return shortenTemplateArguments_; }
    // A frame's function as this model shows it: the address when the function is unknown,
    // template arguments shortened when asked, and " [inlined]" for a call the compiler inlined.
    QString functionText(const Frame& frame) const;

    int groupCount() const { return static_cast<int>(groups_.size()); }
    const Group& groupAt(int group) const { return groups_[static_cast<std::size_t>(group)]; }
    const std::shared_ptr<const AllocationTable>& table() const { return table_; }
    const std::shared_ptr<const StackCatalog>& stacks() const { return stacks_; }

    // The row of an allocation (below its stack), or invalid when it is not grouped or sits
    // past the child limit.
    QModelIndex indexOfAllocation(AllocationId id) const;
    std::optional<AllocationId> allocationAt(const QModelIndex& index) const;
    std::optional<StackId> stackAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column,
                      const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    // internalId 0: a stack row; g + 1: a row below stack g.
    static constexpr quintptr kTopLevel = 0;
    int shownChildren(const Group& group) const;
    QVariant groupData(const Group& group, int column, int role) const;
    QVariant childData(const Group& group, int row, int column, int role) const;

    std::shared_ptr<const AllocationTable> table_;
    std::shared_ptr<const StackCatalog> stacks_;
    std::vector<Group> groups_;
    std::unordered_map<StackId, int> groupOfStack_;
    int childLimit_ = kDefaultChildLimit;
    bool shortenTemplateArguments_ = false;
};

}  // namespace poolscope
