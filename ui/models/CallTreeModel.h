#pragma once

#include <QAbstractItemModel>
#include <QStringList>

#include <memory>
#include <unordered_map>
#include <vector>

#include "analysis/CallTree.h"

namespace poolscope {

class CallTreeSearchIndex;

// A recording's call tree (CallTree::bottomUp or topDown) as a tree of frames with the costs of
// every stack through each: bottom-up, a frame that allocated expands to its callers; top-down,
// an outermost frame expands to its callees. The columns are the call-site table's, numbers as
// text for display and as numbers under kSortRole. Rows are made as a view asks for them, so a
// tree of a hundred thousand stacks costs only what is expanded.
class CallTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { Frame, Allocations, Bytes, Temporary, LeakedBytes, PeakBytes, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole;

    using QAbstractItemModel::QAbstractItemModel;

    // Shows `tree` (its root stays hidden: its children are the top rows); none clears. Its
    // search index (CallTreeSearchIndex::of(*tree)), when it was made with the tree, spares a
    // search making it.
    void setTree(std::shared_ptr<const CallTree> tree,
                 std::shared_ptr<const CallTreeSearchIndex> searchIndex = {});
    const std::shared_ptr<const CallTree>& tree() const { return tree_; }
    const std::shared_ptr<const CallTreeSearchIndex>& searchIndex() const { return searchIndex_; }

    // The node a row shows; null for an invalid index.
    const CallTree* node(const QModelIndex& index) const;
    // The row reached from the top by following these frames (StackNames labels), one level
    // each; invalid when a frame is not found at its level.
    QModelIndex indexOfPath(const QStringList& frames) const;
    // The nodes along the same walk, from the top row down; empty when a frame is not found.
    static std::vector<const CallTree*> nodesOfPath(const CallTree& root,
                                                    const QStringList& frames);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Place {
        const CallTree* parent = nullptr;
        int row = 0;
    };
    const CallTree& nodeOrRoot(const QModelIndex& index) const;

    std::shared_ptr<const CallTree> tree_;
    std::shared_ptr<const CallTreeSearchIndex> searchIndex_;
    // Where each node handed out in an index sits, filled as indexes are made: parent() of a
    // node needs its parent and row, which the tree itself does not keep.
    mutable std::unordered_map<const CallTree*, Place> places_;
};

}  // namespace poolscope
