#include "models/LeakTableModel.h"

#include <QFont>

#include <algorithm>
#include <limits>
#include <utility>

#include "models/DisplayFormat.h"

namespace poolscope {

LeakTableModel::LeakTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LeakTableModel::setData(std::shared_ptr<const AllocationTable> table,
                             std::shared_ptr<const StackCatalog> stacks,
                             std::int64_t nowNanoseconds) {
    if (table == table_ && stacks == stacks_) {
        if (nowNanoseconds != now_) {
            now_ = nowNanoseconds;
            emit textChanged();
        }
        return;
    }
    if (table == table_) {
        // Only the catalog grew. A row's stack and tag are named before the row is first
        // published, so the rows' text stays; the views only repaint.
        stacks_ = std::move(stacks);
        topFrameTexts_.clear();
        now_ = nowNanoseconds;
        emit textChanged();
        return;
    }
    beginResetModel();
    table_ = std::move(table);
    if (stacks != stacks_) {
        stacks_ = std::move(stacks);
        topFrameTexts_.clear();
    }
    now_ = nowNanoseconds;
    computeOrder();
    endResetModel();
}

void LeakTableModel::sortRows(int column, Qt::SortOrder order) {
    if (column >= ColumnCount) {
        column = -1;
    }
    if (column == sortColumn_ && order == sortOrder_) {
        return;
    }
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> tableRows;
    tableRows.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex& index : before) {
        tableRows.push_back(tableRow(index.row()));
    }
    sortColumn_ = column;
    sortOrder_ = order;
    computeOrder();
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        after.append(index(modelRow(tableRows[static_cast<std::size_t>(i)]), before[i].column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void LeakTableModel::computeOrder() {
    order_.clear();
    inverse_.clear();
    if (sortColumn_ < 0 || !table_ || table_->rows.empty()) {
        return;
    }
    const std::vector<LiveAllocation>& rows = table_->rows;
    const std::vector<std::uint32_t>* ranks =
        sortColumn_ == TierColumn || sortColumn_ == TagColumn || sortColumn_ == TopFrameColumn
            ? &textRanks(sortColumn_)
            : nullptr;
    // (key, table row): the table row breaks ties, so equal keys stay in id order either way.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const LiveAllocation& row = rows[i];
        std::uint64_t key = 0;
        switch (sortColumn_) {
            case IdColumn:
                key = row.id;
                break;
            case SizeColumn:
                key = row.bytes;
                break;
            case ImageColumn:
                key = (static_cast<std::uint64_t>(std::max(row.imageWidth, 0)) *
                           static_cast<std::uint64_t>(std::max(row.imageHeight, 0))
                       << 8) |
                      static_cast<std::uint64_t>(row.pixelType);
                break;
            case ThreadColumn:
                key = row.threadId;
                break;
            case AgeColumn:
                // A later creation is a smaller age: invert the (sign-flipped) creation time.
                key = ~(static_cast<std::uint64_t>(row.createdNanoseconds) ^ (1ull << 63));
                break;
            default:
                key = (*ranks)[i];
                break;
        }
        keyed[i] = {key, static_cast<std::uint32_t>(i)};
    }
    if (sortOrder_ == Qt::AscendingOrder) {
        std::sort(keyed.begin(), keyed.end());
    } else {
        std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
    }
    order_.resize(rows.size());
    inverse_.resize(rows.size());
    for (std::size_t r = 0; r < keyed.size(); ++r) {
        order_[r] = keyed[r].second;
        inverse_[keyed[r].second] = static_cast<std::uint32_t>(r);
    }
}

const std::vector<std::uint32_t>& LeakTableModel::textRanks(int column) const {
    const AllocationTable* table = table_.get();
    const StackCatalog* catalog = stacks_.get();
    if (table == rankedTable_ && catalog == rankedCatalog_ && column == rankedColumn_) {
        return ranks_;
    }
    const std::vector<LiveAllocation>& rows = table->rows;
    // The distinct names of the column, sorted once; each row then gets its name's rank.
    std::unordered_map<std::uint32_t, std::uint32_t> keyRank;
    const auto keyOf = [column](const LiveAllocation& row) -> std::uint32_t {
        switch (column) {
            case TierColumn:
                return static_cast<std::uint32_t>(row.tier) * 2u +
                       (row.releasedWithoutDispose ? 1u : 0u);
            case TagColumn:
                return row.tagId;
            default:
                return row.stackId;
        }
    };
    for (const LiveAllocation& row : rows) {
        keyRank.emplace(keyOf(row), 0);
    }
    std::vector<std::pair<QString, std::uint32_t>> names;
    names.reserve(keyRank.size());
    for (const auto& [key, rank] : keyRank) {
        QString name;
        switch (column) {
            case TierColumn:
                name = DisplayFormat::tierName(static_cast<MemoryTier>(key / 2)) +
                       (key % 2 != 0 ? QStringLiteral(", released") : QString());
                break;
            case TagColumn:
                name = tagText(static_cast<std::uint16_t>(key));
                break;
            default:
                name = topFrameText(key);
                break;
        }
        names.emplace_back(std::move(name), key);
    }
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
        const int order = QString::compare(a.first, b.first, Qt::CaseInsensitive);
        return order != 0 ? order < 0 : a.second < b.second;
    });
    for (std::uint32_t rank = 0; rank < names.size(); ++rank) {
        keyRank[names[rank].second] = rank;
    }
    ranks_.resize(rows.size());
    std::uint32_t lastKey = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t lastRank = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::uint32_t key = keyOf(rows[i]);
        if (key != lastKey) {
            lastKey = key;
            lastRank = keyRank[key];
        }
        ranks_[i] = lastRank;
    }
    rankedTable_ = table;
    rankedCatalog_ = catalog;
    rankedColumn_ = column;
    return ranks_;
}

int LeakTableModel::rowOfAllocation(AllocationId id) const {
    if (!table_) {
        return -1;
    }
    const LiveAllocation* row = table_->find(id);
    return row == nullptr ? -1 : modelRow(static_cast<int>(row - table_->rows.data()));
}

QString LeakTableModel::topFrameText(StackId stackId) const {
    const auto cached = topFrameTexts_.find(stackId);
    if (cached != topFrameTexts_.end()) {
        return cached->second;
    }
    QString text;
    if (stackId == 0) {
        text = tr("(no stack captured)");
    } else if (!stacks_ || stacks_->stack(stackId) == nullptr) {
        text = tr("(stack %1, not yet symbolized)").arg(stackId);
    } else {
        text = shortFrameText(stacks_->topFrame(stackId));
    }
    topFrameTexts_.emplace(stackId, text);
    return text;
}

QString LeakTableModel::functionWithoutParameters(const QString& function) {
    // "ns::f(int, std::vector<int>) const" -> "ns::f": drop the last balanced "(...)" group
    // and what follows it, so that a table cell shows the name rather than the signature.
    qsizetype close = function.lastIndexOf(QLatin1Char(')'));
    if (close <= 0) {
        return function;
    }
    int depth = 0;
    for (qsizetype i = close; i >= 0; --i) {
        if (function[i] == QLatin1Char(')')) {
            ++depth;
        } else if (function[i] == QLatin1Char('(') && --depth == 0) {
            return i > 0 ? function.left(i) : function;
        }
    }
    return function;
}

QString LeakTableModel::shortFrameText(const Frame& frame) {
    QString text = frame.function.empty()
                       ? QStringLiteral("0x%1").arg(frame.address, 0, 16)
                       : functionWithoutParameters(QString::fromStdString(frame.function));
    if (!frame.file.empty()) {
        const QString file = QString::fromStdString(frame.file).section(QLatin1Char('/'), -1);
        text += QStringLiteral(" (%1:%2)").arg(file).arg(frame.line);
    } else if (!frame.module.empty()) {
        text += QStringLiteral(" [%1]").arg(
            QString::fromStdString(frame.module).section(QLatin1Char('/'), -1));
    }
    return text;
}

QString LeakTableModel::stackText(StackId stackId) const {
    const std::vector<Frame>* frames = stacks_ ? stacks_->stack(stackId) : nullptr;
    if (frames == nullptr) {
        return {};
    }
    QStringList lines;
    for (const Frame& frame : *frames) {
        lines.append(QString::fromStdString(frame.toString()));
    }
    return lines.join(QLatin1Char('\n'));
}

QString LeakTableModel::tagText(std::uint16_t tagId) const {
    return stacks_ && tagId != 0 ? stacks_->tagName(tagId) : QString();
}

QString LeakTableModel::imageText(const LiveAllocation& row) {
    if (row.imageWidth <= 0 || row.imageHeight <= 0) {
        return {};
    }
    const std::string_view pixel = pixelTypeName(row.pixelType);
    return QStringLiteral("%1x%2 %3")
        .arg(row.imageWidth)
        .arg(row.imageHeight)
        .arg(QLatin1StringView(pixel.data(), static_cast<qsizetype>(pixel.size())));
}

QString LeakTableModel::ageText(std::int64_t nanoseconds) {
    const double seconds = static_cast<double>(std::max<std::int64_t>(nanoseconds, 0)) / 1e9;
    if (seconds < 60.0) {
        return tr("%1 s").arg(seconds, 0, 'f', 1);
    }
    const auto whole = static_cast<qint64>(seconds);
    if (whole < 3600) {
        return tr("%1 min %2 s").arg(whole / 60).arg(whole % 60);
    }
    return tr("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60);
}

QString LeakTableModel::stackSignature(const std::vector<Frame>& frames) {
    QStringList names;
    names.reserve(static_cast<qsizetype>(frames.size()));
    for (const Frame& frame : frames) {
        names.append(frame.function.empty() ? QStringLiteral("?")
                                            : QString::fromStdString(frame.function));
    }
    return names.join(QLatin1Char('\n'));
}

QModelIndex LeakTableModel::index(int row, int column, const QModelIndex& parent) const {
    if (parent.isValid() || !table_ || row < 0 || column < 0 || column >= ColumnCount ||
        static_cast<std::size_t>(row) >= table_->rows.size()) {
        return {};
    }
    return createIndex(row, column);
}

int LeakTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !table_ ? 0 : static_cast<int>(table_->rows.size());
}

int LeakTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LeakTableModel::displayText(const LiveAllocation& row, int column) const {
    switch (column) {
        case IdColumn:
            return QString::number(row.id);
        case SizeColumn:
            return DisplayFormat::bytes(row.bytes);
        case TierColumn:
            return row.releasedWithoutDispose
                       ? tr("%1, released").arg(DisplayFormat::tierName(row.tier))
                       : DisplayFormat::tierName(row.tier);
        case ImageColumn:
            return imageText(row);
        case ThreadColumn:
            return QString::number(row.threadId);
        case AgeColumn:
            return ageText(now_ - row.createdNanoseconds);
        case TagColumn:
            return tagText(row.tagId);
        case TopFrameColumn:
            return topFrameText(row.stackId);
        default:
            return {};
    }
}

QVariant LeakTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const LiveAllocation& row = allocationAt(index.row());
    switch (role) {
        case Qt::DisplayRole:
            return displayText(row, index.column());
        case Qt::ToolTipRole:
            if (index.column() == TopFrameColumn) {
                return stackText(row.stackId);
            }
            if (index.column() == TagColumn) {
                return displayText(row, index.column());
            }
            if (row.releasedWithoutDispose) {
                return tr(
                    "Released without dispose: a finalizer gave the memory back, but its "
                    "owner never disposed it.");
            }
            return {};
        case Qt::TextAlignmentRole:
            switch (index.column()) {
                case IdColumn:
                case SizeColumn:
                case ThreadColumn:
                case AgeColumn:
                    return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
                default:
                    return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
            }
        case Qt::FontRole:
            if (row.releasedWithoutDispose) {
                QFont font;
                font.setItalic(true);
                return font;
            }
            return {};
        case AllocationIdRole:
            return QVariant::fromValue<quint64>(row.id);
        case BytesRole:
            return QVariant::fromValue<quint64>(row.bytes);
        case CreatedNanosecondsRole:
            return QVariant::fromValue<qint64>(row.createdNanoseconds);
        case StackIdRole:
            return QVariant::fromValue<quint32>(row.stackId);
        case ThreadIdRole:
            return QVariant::fromValue<quint32>(row.threadId);
        case TierRole:
            return static_cast<int>(row.tier);
        case TagIdRole:
            return static_cast<int>(row.tagId);
        case ReleasedWithoutDisposeRole:
            return row.releasedWithoutDispose;
        default:
            return {};
    }
}

QVariant LeakTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
        case IdColumn:
            return tr("Id");
        case SizeColumn:
            return tr("Size");
        case TierColumn:
            return tr("Tier");
        case ImageColumn:
            return tr("Image");
        case ThreadColumn:
            return tr("Thread");
        case AgeColumn:
            return tr("Age");
        case TagColumn:
            return tr("Tag");
        case TopFrameColumn:
            return tr("Top frame");
        default:
            return {};
    }
}

}  // namespace poolscope
