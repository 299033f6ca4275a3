#include "models/LeakTableModel.h"

#include <QFont>
#include <QLocale>

#include <algorithm>
#include <utility>

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
    endResetModel();
}

int LeakTableModel::rowOfAllocation(AllocationId id) const {
    if (!table_) {
        return -1;
    }
    const LiveAllocation* row = table_->find(id);
    return row == nullptr ? -1 : static_cast<int>(row - table_->rows.data());
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

QString LeakTableModel::shortFrameText(const StackFrameText& frame) {
    QString text = frame.function.isEmpty() ? QStringLiteral("0x%1").arg(frame.address, 0, 16)
                                            : functionWithoutParameters(frame.function);
    if (!frame.file.isEmpty()) {
        const QString file = frame.file.section(QLatin1Char('/'), -1);
        text += QStringLiteral(" (%1:%2)").arg(file).arg(frame.line);
    } else if (!frame.module.isEmpty()) {
        text += QStringLiteral(" [%1]").arg(frame.module.section(QLatin1Char('/'), -1));
    }
    return text;
}

QString LeakTableModel::stackText(StackId stackId) const {
    const std::vector<StackFrameText>* frames = stacks_ ? stacks_->stack(stackId) : nullptr;
    if (frames == nullptr) {
        return {};
    }
    QStringList lines;
    for (const StackFrameText& frame : *frames) {
        lines.append(frame.toString());
    }
    return lines.join(QLatin1Char('\n'));
}

QString LeakTableModel::tagText(std::uint16_t tagId) const {
    return stacks_ && tagId != 0 ? stacks_->tagName(tagId) : QString();
}

QString LeakTableModel::tierText(MemoryTier tier) {
    return QString::fromLatin1(memoryTierName(tier));
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

QString LeakTableModel::bytesText(std::uint64_t bytes) {
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), bytes < 1024 ? 0 : 2,
                                       QLocale::DataSizeIecFormat);
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

QString LeakTableModel::stackSignature(const std::vector<StackFrameText>& frames) {
    QStringList names;
    names.reserve(static_cast<qsizetype>(frames.size()));
    for (const StackFrameText& frame : frames) {
        names.append(frame.function.isEmpty() ? QStringLiteral("?") : frame.function);
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
            return bytesText(row.bytes);
        case TierColumn:
            return row.releasedWithoutDispose ? tr("%1, released").arg(tierText(row.tier))
                                              : tierText(row.tier);
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
