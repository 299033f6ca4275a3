#include "models/StackGroupModel.h"

#include <algorithm>
#include <utility>

#include "models/DisplayFormat.h"
#include "models/LeakTableModel.h"

namespace poolscope {

StackGroupModel::StackGroupModel(QObject* parent) : QAbstractItemModel(parent) {}

void StackGroupModel::setData(std::shared_ptr<const AllocationTable> table,
                              std::shared_ptr<const StackCatalog> stacks,
                              const std::function<bool(int)>& accept) {
    beginResetModel();
    table_ = std::move(table);
    stacks_ = std::move(stacks);
    groups_.clear();
    groupOfStack_.clear();
    if (table_) {
        std::unordered_map<StackId, std::size_t> slot;
        const std::vector<LiveAllocation>& rows = table_->rows;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (accept && !accept(static_cast<int>(i))) {
                continue;
            }
            const auto [it, inserted] = slot.try_emplace(rows[i].stackId, groups_.size());
            if (inserted) {
                groups_.push_back(Group{rows[i].stackId, 0, {}});
            }
            Group& group = groups_[it->second];
            group.bytes += rows[i].bytes;
            group.rows.push_back(static_cast<std::uint32_t>(i));
        }
        std::sort(groups_.begin(), groups_.end(), [](const Group& a, const Group& b) {
            if (a.bytes != b.bytes) {
                return a.bytes > b.bytes;
            }
            return a.rows.size() != b.rows.size() ? a.rows.size() > b.rows.size()
                                                  : a.stackId < b.stackId;
        });
        for (std::size_t g = 0; g < groups_.size(); ++g) {
            groupOfStack_.emplace(groups_[g].stackId, static_cast<int>(g));
        }
    }
    endResetModel();
}

void StackGroupModel::setChildLimit(int limit) {
    limit = std::max(limit, 1);
    if (limit == childLimit_) {
        return;
    }
    beginResetModel();
    childLimit_ = limit;
    endResetModel();
}

int StackGroupModel::shownChildren(const Group& group) const {
    const int count = static_cast<int>(group.rows.size());
    return count > childLimit_ ? childLimit_ + 1 : count;  // + the "+N more" row
}

QModelIndex StackGroupModel::indexOfAllocation(AllocationId id) const {
    if (!table_) {
        return {};
    }
    const LiveAllocation* row = table_->find(id);
    if (row == nullptr) {
        return {};
    }
    const auto group = groupOfStack_.find(row->stackId);
    if (group == groupOfStack_.end()) {
        return {};
    }
    const std::vector<std::uint32_t>& rows = groups_[static_cast<std::size_t>(group->second)].rows;
    const auto rowIndex = static_cast<std::uint32_t>(row - table_->rows.data());
    const auto it = std::lower_bound(rows.begin(), rows.end(), rowIndex);
    if (it == rows.end() || *it != rowIndex || it - rows.begin() >= childLimit_) {
        return {};
    }
    return createIndex(static_cast<int>(it - rows.begin()), 0,
                       static_cast<quintptr>(group->second) + 1);
}

std::optional<AllocationId> StackGroupModel::allocationAt(const QModelIndex& index) const {
    if (!index.isValid() || index.internalId() == kTopLevel || index.model() != this) {
        return std::nullopt;
    }
    const Group& group = groups_[index.internalId() - 1];
    if (index.row() >= childLimit_) {
        return std::nullopt;
    }
    return table_->rows[group.rows[static_cast<std::size_t>(index.row())]].id;
}

std::optional<StackId> StackGroupModel::stackAt(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this) {
        return std::nullopt;
    }
    if (index.internalId() == kTopLevel) {
        return groups_[static_cast<std::size_t>(index.row())].stackId;
    }
    return groups_[index.internalId() - 1].stackId;
}

QModelIndex StackGroupModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) {
        return {};
    }
    if (!parent.isValid()) {
        return createIndex(row, column, kTopLevel);
    }
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex StackGroupModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kTopLevel) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int StackGroupModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(groups_.size());
    }
    if (parent.internalId() != kTopLevel || parent.column() != 0) {
        return 0;
    }
    return shownChildren(groups_[static_cast<std::size_t>(parent.row())]);
}

int StackGroupModel::columnCount(const QModelIndex& /*parent*/) const {
    return ColumnCount;
}

void StackGroupModel::setShortenTemplateArguments(bool shorten) {
    if (shorten == shortenTemplateArguments_) {
        return;
    }
    shortenTemplateArguments_ = shorten;
    if (!groups_.empty()) {
        emit dataChanged(index(0, NameColumn),
                         index(static_cast<int>(groups_.size()) - 1, NameColumn));
    }
}

QString StackGroupModel::functionText(const Frame& frame) const {
    QString text =
        frame.function.empty()
            ? QStringLiteral("0x%1").arg(frame.address, 0, 16)
            : QString::fromStdString(shortenTemplateArguments_
                                         ? poolscope::shortenTemplateArguments(frame.function)
                                         : frame.function);
    if (frame.inlined) {
        text += tr(" [inlined]");
    }
    return text;
}

QVariant StackGroupModel::groupData(const Group& group, int column, int role) const {
    switch (role) {
        case Qt::DisplayRole:
            switch (column) {
                case NameColumn: {
                    if (group.stackId == 0) {
                        return tr("(no stack captured)");
                    }
                    const std::vector<Frame>* frames =
                        stacks_ ? stacks_->stack(group.stackId) : nullptr;
                    if (frames == nullptr || frames->empty()) {
                        return tr("stack %1").arg(group.stackId);
                    }
                    // Stacks often share a helper as their top frame; its caller tells them
                    // apart.
                    Frame top = frames->front();
                    if (shortenTemplateArguments_) {
                        top.function = poolscope::shortenTemplateArguments(top.function);
                    }
                    QString name = LeakTableModel::shortFrameText(top);
                    if (top.inlined) {
                        name += tr(" [inlined]");
                    }
                    if (frames->size() > 1 && !(*frames)[1].function.empty()) {
                        const std::string& caller = (*frames)[1].function;
                        name += QStringLiteral("  \u2190  ") +
                                LeakTableModel::functionWithoutParameters(QString::fromStdString(
                                    shortenTemplateArguments_
                                        ? poolscope::shortenTemplateArguments(caller)
                                        : caller));
                    }
                    return name;
                }
                case CountColumn:
                    return QString::number(group.rows.size());
                case BytesColumn:
                    return DisplayFormat::bytes(group.bytes);
                default:
                    return {};
            }
        case Qt::ToolTipRole: {
            const std::vector<Frame>* frames = stacks_ ? stacks_->stack(group.stackId) : nullptr;
            if (frames == nullptr) {
                return {};
            }
            QStringList lines;
            for (const Frame& frame : *frames) {
                lines.append(QString::fromStdString(frame.toString()));
            }
            return lines.join(QLatin1Char('\n'));
        }
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(
                (column == NameColumn ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter));
        case StackIdRole:
            return QVariant::fromValue<quint32>(group.stackId);
        case BytesRole:
            return QVariant::fromValue<quint64>(group.bytes);
        case CountRole:
            return QVariant::fromValue<qint64>(static_cast<qint64>(group.rows.size()));
        case MoreRowRole:
            return false;
        default:
            return {};
    }
}

QVariant StackGroupModel::childData(const Group& group, int row, int column, int role) const {
    if (row >= childLimit_) {
        const auto hidden = static_cast<qint64>(group.rows.size()) - childLimit_;
        if (role == MoreRowRole) {
            return true;
        }
        if (role == Qt::DisplayRole && column == NameColumn) {
            return tr("+%1 more").arg(hidden);
        }
        return {};
    }
    const LiveAllocation& allocation = table_->rows[group.rows[static_cast<std::size_t>(row)]];
    switch (role) {
        case Qt::DisplayRole:
            switch (column) {
                case NameColumn: {
                    QStringList parts{tr("#%1").arg(allocation.id),
                                      DisplayFormat::tierName(allocation.tier)};
                    const QString image = LeakTableModel::imageText(allocation);
                    if (!image.isEmpty()) {
                        parts.append(image);
                    }
                    const QString tag = stacks_ && allocation.tagId != 0
                                            ? stacks_->tagName(allocation.tagId)
                                            : QString();
                    if (!tag.isEmpty()) {
                        parts.append(tag);
                    }
                    return parts.join(QStringLiteral("  ·  "));
                }
                case BytesColumn:
                    return DisplayFormat::bytes(allocation.bytes);
                default:
                    return {};
            }
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::Alignment(
                (column == NameColumn ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter));
        case AllocationIdRole:
            return QVariant::fromValue<quint64>(allocation.id);
        case StackIdRole:
            return QVariant::fromValue<quint32>(allocation.stackId);
        case BytesRole:
            return QVariant::fromValue<quint64>(allocation.bytes);
        case MoreRowRole:
            return false;
        default:
            return {};
    }
}

QVariant StackGroupModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    if (index.internalId() == kTopLevel) {
        return groupData(groups_[static_cast<std::size_t>(index.row())], index.column(), role);
    }
    return childData(groups_[index.internalId() - 1], index.row(), index.column(), role);
}

QVariant StackGroupModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractItemModel::headerData(section, orientation, role);
    }
    switch (section) {
        case NameColumn:
            return tr("Stack / allocation");
        case CountColumn:
            return tr("Count");
        case BytesColumn:
            return tr("Bytes");
        default:
            return {};
    }
}

}  // namespace poolscope
