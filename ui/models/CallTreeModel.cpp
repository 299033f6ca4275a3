#include "CallTreeModel.h"

#include "models/CallSiteModel.h"

namespace poolscope {

static_assert(int{CallTreeModel::Allocations} == int{CallSiteModel::Allocations} &&
                  int{CallTreeModel::PeakBytes} == int{CallSiteModel::PeakBytes},
              "the call trees show the call-site table's figure columns");

void CallTreeModel::setTree(std::shared_ptr<const CallTree> tree,
                            std::shared_ptr<const CallTreeSearchIndex> searchIndex) {
    beginResetModel();
    tree_ = std::move(tree);
    searchIndex_ = tree_ ? std::move(searchIndex) : nullptr;
    places_.clear();
    endResetModel();
}

const CallTree* CallTreeModel::node(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this) {
        return nullptr;
    }
    return static_cast<const CallTree*>(index.internalPointer());
}

const CallTree& CallTreeModel::nodeOrRoot(const QModelIndex& index) const {
    const CallTree* shown = node(index);
    return shown != nullptr ? *shown : *tree_;
}

std::vector<const CallTree*> CallTreeModel::nodesOfPath(const CallTree& root,
                                                        const QStringList& frames) {
    std::vector<const CallTree*> nodes;
    const CallTree* at = &root;
    for (const QString& frame : frames) {
        const std::string wanted = frame.toStdString();
        const CallTree* next = nullptr;
        for (const CallTree& child : at->children) {
            if (child.frame == wanted) {
                next = &child;
                break;
            }
        }
        if (next == nullptr) {
            return {};
        }
        nodes.push_back(next);
        at = next;
    }
    return nodes;
}

QModelIndex CallTreeModel::indexOfPath(const QStringList& frames) const {
    if (!tree_) {
        return {};
    }
    QModelIndex at;
    for (const CallTree* node : nodesOfPath(*tree_, frames)) {
        const CallTree& parent = nodeOrRoot(at);
        at = index(static_cast<int>(node - parent.children.data()), 0, at);
    }
    return frames.isEmpty() ? QModelIndex() : at;
}

QModelIndex CallTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (!tree_ || !hasIndex(row, column, parent)) {
        return {};
    }
    const CallTree& above = nodeOrRoot(parent);
    const CallTree* child = &above.children[static_cast<std::size_t>(row)];
    places_.try_emplace(child, Place{&above, row});
    return createIndex(row, column, child);
}

QModelIndex CallTreeModel::parent(const QModelIndex& child) const {
    const CallTree* shown = node(child);
    if (shown == nullptr) {
        return {};
    }
    const CallTree* above = places_.at(shown).parent;
    if (above == tree_.get()) {
        return {};
    }
    return createIndex(places_.at(above).row, 0, above);
}

int CallTreeModel::rowCount(const QModelIndex& parent) const {
    if (!tree_ || parent.column() > 0) {
        return 0;
    }
    return static_cast<int>(nodeOrRoot(parent).children.size());
}

int CallTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant CallTreeModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const CallTree& shown = *node(index);
    if (index.column() != Frame) {
        return CallSiteModel::figureData(shown.cost, index.column(), role);
    }
    switch (role) {
        case Qt::DisplayRole:
        case Qt::ToolTipRole:
        case kSortRole:
            return QString::fromStdString(shown.frame);
        default:
            return {};
    }
}

QVariant CallTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == Frame ? tr("Frame") : CallSiteModel::figureHeader(section);
}

}  // namespace poolscope
