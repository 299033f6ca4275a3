#include "models/LeakFilterProxyModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace poolscope {

namespace {

constexpr MemoryTier kTiers[] = {MemoryTier::Small, MemoryTier::Pooled, MemoryTier::Unpooled,
                                 MemoryTier::Heap, MemoryTier::Managed};

}  // namespace

LeakFilterProxyModel::LeakFilterProxyModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(LeakTableModel::AllocationIdRole);
    tierMatches_.fill(true);
}

void LeakFilterProxyModel::setSourceModel(QAbstractItemModel* sourceModel) {
    auto* leakModel = qobject_cast<LeakTableModel*>(sourceModel);
    if (sourceModel != nullptr && leakModel == nullptr) {
        throw std::invalid_argument("LeakFilterProxyModel shows a LeakTableModel only");
    }
    leakModel_ = leakModel;
    forgetNameCaches();
    rankedTable_ = nullptr;
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void LeakFilterProxyModel::forgetNameCaches() {
    cachedCatalog_ = leakModel_ != nullptr ? leakModel_->stacks().get() : nullptr;
    stackFlags_.clear();
    tagMatches_.assign(std::size_t{1} << 16, -1);
}

void LeakFilterProxyModel::refilter() {
    forgetNameCaches();
    refilterAll();
}

void LeakFilterProxyModel::refilterAll() {
    // invalidateFilter() inserts the rows that come back one by one into the sorted mapping,
    // which is quadratic when a filter is cleared on a million rows; rebuilding the mapping
    // (filter, then one sort) is O(n log n).
    invalidate();
}

void LeakFilterProxyModel::setTextFilter(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed == text_) {
        return;
    }
    text_ = trimmed;
    for (const MemoryTier tier : kTiers) {
        tierMatches_[static_cast<std::size_t>(tier)] =
            LeakTableModel::tierText(tier).contains(text_, Qt::CaseInsensitive);
    }
    refilter();
}

void LeakFilterProxyModel::setMinimumBytes(std::uint64_t bytes) {
    if (bytes == minimumBytes_) {
        return;
    }
    minimumBytes_ = bytes;
    refilterAll();
}

void LeakFilterProxyModel::setTimeRange(double fromSeconds, double toSeconds,
                                        std::int64_t timeOriginNanoseconds) {
    if (toSeconds < fromSeconds) {
        std::swap(fromSeconds, toSeconds);
    }
    const auto at = [timeOriginNanoseconds](double seconds) {
        return timeOriginNanoseconds + static_cast<std::int64_t>(std::llround(seconds * 1e9));
    };
    timeRange_ = TimeRange{at(fromSeconds), at(toSeconds)};
    refilterAll();
}

void LeakFilterProxyModel::clearTimeRange() {
    if (!timeRange_) {
        return;
    }
    timeRange_.reset();
    refilterAll();
}

void LeakFilterProxyModel::setSuppressedSignatures(const QSet<QString>& signatures) {
    if (signatures == suppressed_) {
        return;
    }
    suppressed_ = signatures;
    refilter();
}

void LeakFilterProxyModel::setCheckpointMark(AllocationId mark) {
    if (mark == checkpointMark_) {
        return;
    }
    checkpointMark_ = mark;
    refilterAll();
}

std::uint8_t LeakFilterProxyModel::stackFlags(StackId stackId) const {
    const auto cached = stackFlags_.find(stackId);
    if (cached != stackFlags_.end()) {
        return cached->second;
    }
    std::uint8_t flags = Known;
    const std::vector<StackFrameText>* frames =
        leakModel_->stacks() ? leakModel_->stacks()->stack(stackId) : nullptr;
    if (!text_.isEmpty()) {
        // The top frame as shown, and every function of the stack: the function a leak hunter
        // types is often a caller of a shared helper that made the buffer.
        bool match = leakModel_->topFrameText(stackId).contains(text_, Qt::CaseInsensitive);
        for (std::size_t i = 0; !match && frames != nullptr && i < frames->size(); ++i) {
            match = (*frames)[i].function.contains(text_, Qt::CaseInsensitive);
        }
        flags |= match ? TextMatch : 0;
    }
    if (!suppressed_.isEmpty() && frames != nullptr &&
        suppressed_.contains(LeakTableModel::stackSignature(*frames))) {
        flags |= Suppressed;
    }
    stackFlags_.emplace(stackId, flags);
    return flags;
}

bool LeakFilterProxyModel::tagMatches(std::uint16_t tagId) const {
    std::int8_t& known = tagMatches_[tagId];
    if (known < 0) {
        known = leakModel_->tagText(tagId).contains(text_, Qt::CaseInsensitive) ? 1 : 0;
    }
    return known == 1;
}

bool LeakFilterProxyModel::acceptsSourceRow(int sourceRow) const {
    if (leakModel_ == nullptr || sourceRow < 0 || sourceRow >= leakModel_->rowCount()) {
        return false;
    }
    const LiveAllocation& row = leakModel_->allocationAt(sourceRow);
    if (row.id <= checkpointMark_ || row.bytes < minimumBytes_) {
        return false;
    }
    if (timeRange_ && (row.createdNanoseconds < timeRange_->fromNanoseconds ||
                       row.createdNanoseconds > timeRange_->toNanoseconds)) {
        return false;
    }
    if (text_.isEmpty() && suppressed_.isEmpty()) {
        return true;
    }
    if (cachedCatalog_ != leakModel_->stacks().get()) {
        const_cast<LeakFilterProxyModel*>(this)->forgetNameCaches();
    }
    const std::uint8_t flags = stackFlags(row.stackId);
    if ((flags & Suppressed) != 0) {
        return false;
    }
    return text_.isEmpty() || (flags & TextMatch) != 0 ||
           tierMatches_[static_cast<std::size_t>(row.tier) % tierMatches_.size()] ||
           tagMatches(row.tagId);
}

bool LeakFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    return !sourceParent.isValid() && acceptsSourceRow(sourceRow);
}

const std::vector<std::uint32_t>& LeakFilterProxyModel::textRanks(int column) const {
    const AllocationTable* table = leakModel_->table().get();
    const StackCatalog* catalog = leakModel_->stacks().get();
    if (table == rankedTable_ && catalog == rankedCatalog_ && column == rankedColumn_) {
        return ranks_;
    }
    const std::vector<LiveAllocation>& rows = table->rows;
    // The distinct names of the column, sorted once; each row then gets its name's rank.
    std::unordered_map<std::uint32_t, std::uint32_t> keyRank;
    const auto keyOf = [column](const LiveAllocation& row) -> std::uint32_t {
        switch (column) {
            case LeakTableModel::TierColumn:
                return static_cast<std::uint32_t>(row.tier) * 2u +
                       (row.releasedWithoutDispose ? 1u : 0u);
            case LeakTableModel::TagColumn:
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
            case LeakTableModel::TierColumn:
                name = LeakTableModel::tierText(static_cast<MemoryTier>(key / 2)) +
                       (key % 2 != 0 ? QStringLiteral(", released") : QString());
                break;
            case LeakTableModel::TagColumn:
                name = leakModel_->tagText(static_cast<std::uint16_t>(key));
                break;
            default:
                name = leakModel_->topFrameText(key);
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

bool LeakFilterProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (leakModel_ == nullptr) {
        return QSortFilterProxyModel::lessThan(left, right);
    }
    const int leftRow = left.row();
    const int rightRow = right.row();
    const LiveAllocation& a = leakModel_->allocationAt(leftRow);
    const LiveAllocation& b = leakModel_->allocationAt(rightRow);
    // Equal keys keep id order (the source order), so a sort is the same every time.
    switch (left.column()) {
        case LeakTableModel::IdColumn:
            return a.id < b.id;
        case LeakTableModel::SizeColumn:
            return a.bytes != b.bytes ? a.bytes < b.bytes : a.id < b.id;
        case LeakTableModel::ImageColumn: {
            const std::int64_t pixelsA = std::int64_t{a.imageWidth} * a.imageHeight;
            const std::int64_t pixelsB = std::int64_t{b.imageWidth} * b.imageHeight;
            if (pixelsA != pixelsB) {
                return pixelsA < pixelsB;
            }
            return a.pixelType != b.pixelType ? a.pixelType < b.pixelType : a.id < b.id;
        }
        case LeakTableModel::ThreadColumn:
            return a.threadId != b.threadId ? a.threadId < b.threadId : a.id < b.id;
        case LeakTableModel::AgeColumn:
            // A later creation is a smaller age.
            return a.createdNanoseconds != b.createdNanoseconds
                       ? a.createdNanoseconds > b.createdNanoseconds
                       : a.id < b.id;
        case LeakTableModel::TierColumn:
        case LeakTableModel::TagColumn:
        case LeakTableModel::TopFrameColumn: {
            const std::vector<std::uint32_t>& ranks = textRanks(left.column());
            const std::uint32_t rankA = ranks[static_cast<std::size_t>(leftRow)];
            const std::uint32_t rankB = ranks[static_cast<std::size_t>(rightRow)];
            return rankA != rankB ? rankA < rankB : a.id < b.id;
        }
        default:
            return a.id < b.id;
    }
}

}  // namespace poolscope
