#pragma once

#include <QFont>
#include <QSortFilterProxyModel>
#include <QString>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/CallTree.h"

namespace poolscope {

class CallTreeModel;

// A call tree (CallTreeModel) sorted by a column and narrowed to a search: the frames whose
// label (function, file and line) holds the text, case-insensitively, with the frames above
// them, so that each is reached as it was called, and everything below them, so that a matching
// frame still expands to its callers (bottom-up) or callees (top-down). The tree is searched
// once per text or tree, so each row's filter is a lookup: a hundred thousand stacks stay quick
// to search, and the tree's rows are still made only as a view asks for them.
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
    void indexTree();
    void indexNode(const CallTree& node);
    void findMatches();
    bool markMatches(const CallTree& node, std::size_t& order);
    bool flagged(const CallTree* node, const std::vector<char>& flags) const;

    QString search_;
    std::string needle_;  // search_ in UTF-8, ASCII letters in lower case
    // The tree's frames in one walk's order (each node before its children), made on the first
    // search of a tree: each frame's number, and its label among the tree's distinct labels,
    // folded as the needle. A search tests each distinct label once, then walks the numbers;
    // a row's filter is one lookup.
    std::unordered_map<const CallTree*, std::uint32_t> orderOf_;
    std::vector<std::uint32_t> labelOf_;
    std::vector<std::string> foldedLabels_;
    std::vector<char> labelMatches_;
    std::vector<char> matches_;       // by frame number: the frame holds the text
    std::vector<char> aboveMatches_;  // by frame number: a frame below it holds the text
    std::size_t matchCount_ = 0;
    QFont bold_;
};

}  // namespace poolscope
