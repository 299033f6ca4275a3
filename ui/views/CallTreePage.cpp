#include "CallTreePage.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/CallTreeModel.h"

namespace poolscope {

CallTreePage::CallTreePage(const QString& explanation, QWidget* parent) : QWidget(parent) {
    auto* note = new QLabel(explanation, this);
    note->setWordWrap(true);
    model_ = new CallTreeModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(CallTreeModel::kSortRole);
    view_ = new QTreeView(this);
    view_->setModel(sorted_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(CallTreeModel::Bytes, Qt::DescendingOrder);
    view_->setUniformRowHeights(true);
    view_->setAlternatingRowColors(true);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // A frame's text ends in its file and line, which tell apart frames of one function.
    view_->setTextElideMode(Qt::ElideMiddle);
    QHeaderView* header = view_->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(CallTreeModel::Frame, QHeaderView::Stretch);
    for (int column = CallTreeModel::Allocations; column < CallTreeModel::ColumnCount; ++column) {
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    }

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(note);
    layout->addWidget(view_, 1);
}

void CallTreePage::setTree(std::shared_ptr<const CallTree> tree) {
    model_->setTree(std::move(tree));
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

const CallTree* CallTreePage::selectedNode() const {
    return model_->node(sorted_->mapToSource(view_->currentIndex()));
}

}  // namespace poolscope
