#include "models/LeakFilterProxyModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

constexpr MemoryTier kTiers[] = {MemoryTier::Small,  MemoryTier::Pooled,    MemoryTier::Unpooled,
                                 MemoryTier::Heap,   MemoryTier::Managed,   MemoryTier::NativeHeap,
                                 MemoryTier::Mapped, MemoryTier::Descriptor};

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
            DisplayFormat::tierName(tier).contains(text_, Qt::CaseInsensitive);
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
    const std::vector<Frame>* frames =
        leakModel_->stacks() ? leakModel_->stacks()->stack(stackId) : nullptr;
    if (!text_.isEmpty()) {
        // The top frame as shown, and every function of the stack: the function a leak hunter
        // types is often a caller of a shared helper that made the buffer.
        bool match = leakModel_->topFrameText(stackId).contains(text_, Qt::CaseInsensitive);
        for (std::size_t i = 0; !match && frames != nullptr && i < frames->size(); ++i) {
            match =
                QString::fromStdString((*frames)[i].function).contains(text_, Qt::CaseInsensitive);
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

void LeakFilterProxyModel::sort(int column, Qt::SortOrder order) {
    if (leakModel_ == nullptr) {
        QSortFilterProxyModel::sort(column, order);
        return;
    }
    // The source orders its rows (one std::sort of raw keys); this proxy keeps the source
    // order and only filters, which it redoes in one pass on the source's layoutChanged.
    QSortFilterProxyModel::sort(-1, order);
    leakModel_->sortRows(column, order);
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
            const std::vector<std::uint32_t>& ranks = leakModel_->textRanks(left.column());
            const std::uint32_t rankA =
                ranks[static_cast<std::size_t>(leakModel_->tableRow(leftRow))];
            const std::uint32_t rankB =
                ranks[static_cast<std::size_t>(leakModel_->tableRow(rightRow))];
            return rankA != rankB ? rankA < rankB : a.id < b.id;
        }
        default:
            return a.id < b.id;
    }
}

}  // namespace poolscope
