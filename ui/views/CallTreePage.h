#pragma once

#include <QStringList>
#include <QTreeView>
#include <QWidget>

#include <memory>
#include <vector>

#include "analysis/CallTree.h"

class QAction;
class QLabel;
class QSortFilterProxyModel;

namespace poolscope {

class CallTreeSearchIndex;

class CallTreeModel;
class CallTreeSearchProxy;

// One call tree of the Analyses dock (bottom-up or top-down) as a sortable tree of frames with
// their costs, narrowed by the dock's search. A row's context action asks for its frame to be
// shown in the flame graph.
class CallTreePage : public QWidget {
    Q_OBJECT

public:
    // At most this many rows are opened to show a search's matches: opening is the view's work
    // on the GUI thread, and a search that matches thousands of frames shows the first ones.
    static constexpr int kMostRowsOpenedBySearch = 400;

    // `explanation`: one line above the tree saying how it reads.
    explicit CallTreePage(const QString& explanation, QWidget* parent = nullptr);

    // `searchIndex`: the tree's, made with it off the GUI thread (see CallTreeModel::setTree).
    void setTree(std::shared_ptr<const CallTree> tree,
                 std::shared_ptr<const CallTreeSearchIndex> searchIndex = {});
    // Expands the tree down the frames (StackNames labels, from the top row) and selects the
    // `selectedLength`-th of them (the last one when -1); false when the tree has no such path.
    bool selectPath(const QStringList& frames, int selectedLength = -1);
    // Keeps the frames that hold the text, with the frames above and below them, and opens the
    // rows down to the first matches; empty shows every frame again.
    void setSearch(const QString& text);

    CallTreeModel* model() const { return model_; }
    QSortFilterProxyModel* sorted() const;
    CallTreeSearchProxy* searched() const { return sorted_; }
    QTreeView* view() const { return view_; }
    // The selected row's node, or null.
    const CallTree* selectedNode() const;
    // The selected row's node and those above it, from the top row down; empty when none.
    std::vector<const CallTree*> selectedPath() const;
    // "Show in Flame Graph", for the selected row.
    QAction* flameGraphAction() const { return flameGraph_; }

signals:
    // The flame graph action was taken on the selected row.
    void flameGraphRequested();

private:
    // The tree view, with its layout held while a search opens many rows at once.
    class TreeView : public QTreeView {
    public:
        using QTreeView::QTreeView;
        // Rows opened from now on are laid out together by layOutNow().
        void holdLayout();
        void layOutNow();
    };

    void showMenu(const QPoint& position);
    // Closes every row, then opens those down to the first matches of the search.
    void openMatches();

    CallTreeModel* model_ = nullptr;
    CallTreeSearchProxy* sorted_ = nullptr;
    TreeView* view_ = nullptr;
    QAction* flameGraph_ = nullptr;
};

}  // namespace poolscope
