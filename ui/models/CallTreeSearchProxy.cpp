#include "CallTreeSearchProxy.h"

#include <QFont>

#include <algorithm>

#include "models/CallTreeModel.h"

namespace poolscope {

namespace {

char lowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Frame labels are UTF-8 and mostly ASCII (C++ names, paths): folding ASCII letters byte by
// byte matches what a person types without making a QString of every frame of the tree.
std::string folded(const std::string& text) {
    std::string result = text;
    std::transform(result.begin(), result.end(), result.begin(), lowerAscii);
    return result;
}

}  // namespace

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
    needle_ = folded(text.toUtf8().toStdString());
    findMatches();
    invalidateRowsFilter();
}

void CallTreeSearchProxy::forgetTree() {
    orderOf_.clear();
    labelOf_.clear();
    foldedLabels_.clear();
    matches_.clear();
    aboveMatches_.clear();
    matchCount_ = 0;
}

void CallTreeSearchProxy::indexTree() {
    std::unordered_map<std::string, std::uint32_t> distinct;
    const auto index = [&](const auto& self, const CallTree& node) -> void {
        orderOf_.emplace(&node, static_cast<std::uint32_t>(labelOf_.size()));
        const auto [found, added] =
            distinct.try_emplace(node.frame, static_cast<std::uint32_t>(foldedLabels_.size()));
        if (added) {
            foldedLabels_.push_back(folded(node.frame));
        }
        labelOf_.push_back(found->second);
        for (const CallTree& child : node.children) {
            self(self, child);
        }
    };
    index(index, *tree()->tree());
}

void CallTreeSearchProxy::findMatches() {
    matches_.clear();
    aboveMatches_.clear();
    matchCount_ = 0;
    if (needle_.empty() || tree() == nullptr || !tree()->tree()) {
        return;
    }
    if (orderOf_.empty()) {
        indexTree();
    }
    labelMatches_.assign(foldedLabels_.size(), 0);
    for (std::size_t label = 0; label < foldedLabels_.size(); ++label) {
        labelMatches_[label] = foldedLabels_[label].find(needle_) != std::string::npos;
    }
    matches_.assign(labelOf_.size(), 0);
    aboveMatches_.assign(labelOf_.size(), 0);
    std::size_t order = 0;
    const CallTree& root = *tree()->tree();
    ++order;  // the root is no row
    for (const CallTree& top : root.children) {
        markMatches(top, order);
    }
}

bool CallTreeSearchProxy::markMatches(const CallTree& node, std::size_t& order) {
    const std::size_t self = order++;
    bool below = false;
    for (const CallTree& child : node.children) {
        below = markMatches(child, order) || below;
    }
    const bool match = labelMatches_[labelOf_[self]] != 0;
    matches_[self] = match;
    aboveMatches_[self] = below;
    matchCount_ += match ? 1 : 0;
    return match || below;
}

bool CallTreeSearchProxy::flagged(const CallTree* node, const std::vector<char>& flags) const {
    if (node == nullptr || flags.empty()) {
        return false;
    }
    const auto found = orderOf_.find(node);
    return found != orderOf_.end() && flags[found->second] != 0;
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
