#include "CallTreePage.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>

#include <QFontMetrics>

#include <algorithm>
#include <cstdint>

#include "models/CallTreeModel.h"
#include "models/CallTreeSearchProxy.h"
#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

// Room either side of a figure and for the header's sort arrow, in the style's margins' scale.
constexpr int kCellPadding = 6;

}  // namespace

void CallTreePage::TreeView::holdLayout() {
    scheduleDelayedItemsLayout();
}

void CallTreePage::TreeView::layOutNow() {
    executeDelayedItemsLayout();
}

CallTreePage::CallTreePage(const QString& explanation, QWidget* parent) : QWidget(parent) {
    auto* note = new QLabel(explanation, this);
    note->setWordWrap(true);
    model_ = new CallTreeModel(this);
    sorted_ = new CallTreeSearchProxy(this);
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(CallTreeModel::kSortRole);
    view_ = new TreeView(this);
    view_->setModel(sorted_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(CallTreeModel::Bytes, Qt::DescendingOrder);
    view_->setUniformRowHeights(true);
    view_->setAlternatingRowColors(true);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // A frame's text ends in its file and line, which tell apart frames of one function.
    view_->setTextElideMode(Qt::ElideMiddle);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView* header = view_->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(CallTreeModel::Frame, QHeaderView::Stretch);
    // The figure columns as wide as their widest figure, measured once: fitting them to the
    // rows' contents would measure a thousand rows' text at every layout, and a search that
    // opens many rows of a hundred thousand stacks lays the tree out again.
    const QFontMetrics metrics(view_->font());
    const int widestFigure =
        std::max(metrics.horizontalAdvance(DisplayFormat::count(9'999'999'999)),
                 metrics.horizontalAdvance(DisplayFormat::bytes(std::uint64_t{999} << 30)));
    for (int column = CallTreeModel::Allocations; column < CallTreeModel::ColumnCount; ++column) {
        const QString title = model_->headerData(column, Qt::Horizontal).toString();
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        header->resizeSection(
            column, std::max(widestFigure, metrics.horizontalAdvance(title)) + 4 * kCellPadding);
    }

    flameGraph_ = new QAction(tr("Show in &Flame Graph"), this);
    connect(flameGraph_, &QAction::triggered, this, [this] {
        if (view_->currentIndex().isValid()) {
            emit flameGraphRequested();
        }
    });
    connect(view_, &QWidget::customContextMenuRequested, this, &CallTreePage::showMenu);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(note);
    layout->addWidget(view_, 1);
}

QSortFilterProxyModel* CallTreePage::sorted() const {
    return sorted_;
}

void CallTreePage::setTree(std::shared_ptr<const CallTree> tree,
                           std::shared_ptr<const CallTreeSearchIndex> searchIndex) {
    model_->setTree(std::move(tree), std::move(searchIndex));
    if (!sorted_->search().isEmpty()) {
        openMatches();
    }
}

bool CallTreePage::selectPath(const QStringList& frames, int selectedLength) {
    const QModelIndex end = sorted_->mapFromSource(model_->indexOfPath(frames));
    if (!end.isValid()) {
        return false;
    }
    QModelIndex selected = end;
    if (selectedLength > 0) {
        for (auto depth = frames.size(); depth > selectedLength; --depth) {
            selected = selected.parent();
        }
    }
    // The whole path open, so that the stack's frames read from the selected one on.
    for (QModelIndex above = end.parent(); above.isValid(); above = above.parent()) {
        view_->expand(above);
    }
    view_->setCurrentIndex(selected);
    view_->scrollTo(selected, QAbstractItemView::PositionAtCenter);
    return true;
}

void CallTreePage::setSearch(const QString& text) {
    if (text == sorted_->search()) {
        return;
    }
    sorted_->setSearch(text);
    if (text.isEmpty()) {
        // The rows opened before the search are open again; the selected one stays in view.
        if (view_->currentIndex().isValid()) {
            view_->scrollTo(view_->currentIndex(), QAbstractItemView::PositionAtCenter);
        }
        return;
    }
    openMatches();
}

void CallTreePage::openMatches() {
    // Opened one by one, each row would lay the tree out again and fit the figure columns to a
    // thousand rows' text: the rows are opened under one layout, made after the last.
    view_->collapseAll();
    view_->holdLayout();
    for (const QModelIndex& row : sorted_->rowsLeadingToMatches(kMostRowsOpenedBySearch)) {
        view_->expand(row);
    }
    view_->layOutNow();
}

const CallTree* CallTreePage::selectedNode() const {
    return model_->node(sorted_->mapToSource(view_->currentIndex()));
}

std::vector<const CallTree*> CallTreePage::selectedPath() const {
    std::vector<const CallTree*> path;
    for (QModelIndex at = sorted_->mapToSource(view_->currentIndex()); at.isValid();
         at = at.parent()) {
        path.push_back(model_->node(at));
    }
    std::reverse(path.begin(), path.end());
    return path;
}

void CallTreePage::showMenu(const QPoint& position) {
    const QModelIndex index = view_->indexAt(position);
    if (!index.isValid()) {
        return;
    }
    view_->setCurrentIndex(index);
    QMenu menu(this);
    menu.addAction(flameGraph_);
    menu.exec(view_->viewport()->mapToGlobal(position));
}

}  // namespace poolscope
