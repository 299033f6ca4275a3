#include "CallTreeSearchProxy.h"

#include <QFont>

#include <algorithm>

#include "models/CallTreeModel.h"
#include "models/CallTreeSearchIndex.h"

namespace poolscope {

void CallTreeSearchProxy::setSourceModel(QAbstractItemModel* source) {
    Q_ASSERT(source == nullptr || qobject_cast<CallTreeModel*>(source) != nullptr);
    if (QAbstractItemModel* old = sourceModel()) {
        disconnect(old, nullptr, this, nullptr);
    }
    if (source != nullptr) {
        // Connected before the proxy's own handlers, so that a new tree is searched before
        // the proxy filters its rows, and no row is looked up among the old tree's nodes.
        connect(source, &QAbstractItemModel::modelAboutToBeReset, this,
                &CallTreeSearchProxy::forgetTree);
        connect(source, &QAbstractItemModel::modelReset, this, &CallTreeSearchProxy::findMatches);
    }
    forgetTree();
    QSortFilterProxyModel::setSourceModel(source);
    findMatches();
}

CallTreeModel* CallTreeSearchProxy::tree() const {
    return static_cast<CallTreeModel*>(sourceModel());
}

void CallTreeSearchProxy::setSearch(const QString& text) {
    if (text == search_) {
        return;
    }
    search_ = text;
    // Made once a search, from the application's font as it is then: a view asks for every
    // row's font each time it measures the column.
    bold_ = QFont();
    bold_.setBold(true);
    needle_ = CallTreeSearchIndex::folded(text.toUtf8().toStdString());
    findMatches();
    invalidateRowsFilter();
}

void CallTreeSearchProxy::forgetTree() {
    index_.reset();
    matches_.clear();
    aboveMatches_.clear();
    matchCount_ = 0;
}

void CallTreeSearchProxy::findMatches() {
    matches_.clear();
    aboveMatches_.clear();
    matchCount_ = 0;
    if (needle_.empty() || tree() == nullptr || !tree()->tree()) {
        return;
    }
    if (!index_) {
        index_ = tree()->searchIndex() ? tree()->searchIndex()
                                       : std::make_shared<const CallTreeSearchIndex>(
                                             CallTreeSearchIndex::of(*tree()->tree()));
    }
    const std::vector<std::string>& labels = index_->foldedLabels();
    labelMatches_.assign(labels.size(), 0);
    for (std::size_t label = 0; label < labels.size(); ++label) {
        labelMatches_[label] = labels[label].find(needle_) != std::string::npos;
    }
    matches_.assign(index_->frames(), 0);
    aboveMatches_.assign(index_->frames(), 0);
    // The root is no row.
    for (const CallTree& top : tree()->tree()->children) {
        markMatches(top);
    }
}

bool CallTreeSearchProxy::markMatches(const CallTree& node) {
    bool below = false;
    for (const CallTree& child : node.children) {
        below = markMatches(child) || below;
    }
    const bool match = labelMatches_[index_->labelOf(node.order)] != 0;
    matches_[node.order] = match;
    aboveMatches_[node.order] = below;
    matchCount_ += match ? 1 : 0;
    return match || below;
}

bool CallTreeSearchProxy::flagged(const CallTree* node, const std::vector<char>& flags) const {
    return node != nullptr && node->order < flags.size() && flags[node->order] != 0;
}

bool CallTreeSearchProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    if (needle_.empty()) {
        return true;
    }
    const CallTree* node = tree()->node(tree()->index(sourceRow, 0, sourceParent));
    if (flagged(node, matches_) || flagged(node, aboveMatches_)) {
        return true;
    }
    // Below a match, every frame stays: the match's callers or callees.
    for (QModelIndex above = sourceParent; above.isValid(); above = above.parent()) {
        if (flagged(tree()->node(above), matches_)) {
            return true;
        }
    }
    return false;
}

const CallTree* CallTreeSearchProxy::nodeOf(const QModelIndex& proxyIndex) const {
    return tree() == nullptr ? nullptr : tree()->node(mapToSource(proxyIndex));
}

bool CallTreeSearchProxy::matches(const QModelIndex& proxyIndex) const {
    return flagged(nodeOf(proxyIndex), matches_);
}

bool CallTreeSearchProxy::leadsToMatch(const QModelIndex& proxyIndex) const {
    return flagged(nodeOf(proxyIndex), aboveMatches_);
}

std::vector<QModelIndex> CallTreeSearchProxy::rowsLeadingToMatches(int limit) const {
    std::vector<QModelIndex> rows;
    if (matchCount_ == 0) {
        return rows;
    }
    // Depth first in the order shown, so the first matches on screen are the ones opened.
    std::vector<QModelIndex> pending{QModelIndex()};
    while (!pending.empty() && static_cast<int>(rows.size()) < limit) {
        const QModelIndex parent = pending.back();
        pending.pop_back();
        for (int row = rowCount(parent) - 1; row >= 0; --row) {
            const QModelIndex child = index(row, 0, parent);
            if (leadsToMatch(child)) {
                pending.push_back(child);
            }
        }
        if (parent.isValid()) {
            rows.push_back(parent);
        }
    }
    return rows;
}

QVariant CallTreeSearchProxy::data(const QModelIndex& index, int role) const {
    if (role == Qt::FontRole && index.column() == CallTreeModel::Frame && matches(index)) {
        return bold_;
    }
    return QSortFilterProxyModel::data(index, role);
}

}  // namespace poolscope
