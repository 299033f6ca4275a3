#pragma once

#include <QFont>
#include <QSortFilterProxyModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/CallTree.h"

namespace poolscope {

class CallTreeModel;
class CallTreeSearchIndex;

// A call tree (CallTreeModel) sorted by a column and narrowed to a search: the frames whose
// label (function, file and line) holds the text, case-insensitively, with the frames above
// them, so that each is reached as it was called, and everything below them, so that a matching
// frame still expands to its callers (bottom-up) or callees (top-down). The tree is searched
// once per text or tree, through its CallTreeSearchIndex (the model's, made with the tree off
// the GUI thread, or else made here on the first search), so each row's filter is a lookup: a
// hundred thousand stacks stay quick to search, and the tree's rows are still made only as a
// view asks for them.
class CallTreeSearchProxy : public QSortFilterProxyModel {
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    // Must be a CallTreeModel.
    void setSourceModel(QAbstractItemModel* source) override;

    // Empty shows every frame.
    void setSearch(const QString& text);
    QString search() const { return search_; }

    // Whether the row's own frame holds the search text.
    bool matches(const QModelIndex& proxyIndex) const;
    // Whether a matching frame lies below the row: the rows to open to show the matches.
    bool leadsToMatch(const QModelIndex& proxyIndex) const;
    // The rows that lead to a match, each after the one above it, at most `limit` of them.
    std::vector<QModelIndex> rowsLeadingToMatches(int limit) const;
    std::size_t matchCount() const { return matchCount_; }

    // Matching frames are bold.
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    CallTreeModel* tree() const;
    const CallTree* nodeOf(const QModelIndex& proxyIndex) const;
    void forgetTree();
    void findMatches();
    bool markMatches(const CallTree& node);
    bool flagged(const CallTree* node, const std::vector<char>& flags) const;

    QString search_;
    std::string needle_;  // search_ in UTF-8, folded as the index's labels
    // A search tests each distinct label once, then walks the tree's frames; a row's filter is
    // one lookup by its frame's CallTree::order.
    std::shared_ptr<const CallTreeSearchIndex> index_;
    std::vector<char> labelMatches_;
    std::vector<char> matches_;       // by frame order: the frame holds the text
    std::vector<char> aboveMatches_;  // by frame order: a frame below it holds the text
    std::size_t matchCount_ = 0;
    QFont bold_;
};

}  // namespace poolscope
