#pragma once

#include <QStringList>
#include <QWidget>

#include <memory>

#include "analysis/CallTree.h"

class QLabel;
class QSortFilterProxyModel;
class QTreeView;

namespace poolscope {

class CallTreeModel;

// One call tree of the Analyses dock (bottom-up or top-down) as a sortable tree of frames with
// their costs.
class CallTreePage : public QWidget {
    Q_OBJECT

public:
    // `explanation`: one line above the tree saying how it reads.
    explicit CallTreePage(const QString& explanation, QWidget* parent = nullptr);

    void setTree(std::shared_ptr<const CallTree> tree);
    // Expands the tree down the frames (StackNames labels, from the top row) and selects the
    // `selectedLength`-th of them (the last one when -1); false when the tree has no such path.
    bool selectPath(const QStringList& frames, int selectedLength = -1);

    CallTreeModel* model() const { return model_; }
    QSortFilterProxyModel* sorted() const { return sorted_; }
    QTreeView* view() const { return view_; }
    // The selected row's node, or null.
    const CallTree* selectedNode() const;

private:
    CallTreeModel* model_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTreeView* view_ = nullptr;
};

}  // namespace poolscope
