#pragma once

#include <QSet>
#include <QSortFilterProxyModel>
#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/LeakTableModel.h"

namespace poolscope {

// Sorts and filters a LeakTableModel on the rows' raw values, never on display strings: a
// million rows sort and filter without one QString or QVariant per comparison. Text columns
// (tier, tag, top frame) sort by a rank per distinct name, made once per table.
class LeakFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit LeakFilterProxyModel(QObject* parent = nullptr);

    // Must be a LeakTableModel.
    void setSourceModel(QAbstractItemModel* sourceModel) override;
    LeakTableModel* leakModel() const { return leakModel_; }

    // Case-insensitive substring of the tag, the top frame (or any function of the stack) or
    // the tier; empty: every row.
    void setTextFilter(const QString& text);
    QString textFilter() const { return text_; }

    void setMinimumBytes(std::uint64_t bytes);
    std::uint64_t minimumBytes() const { return minimumBytes_; }

    // Rows created between two timeline seconds (inclusive); seconds count from
    // `timeOriginNanoseconds` on the engine clock, as in SessionSnapshot.
    void setTimeRange(double fromSeconds, double toSeconds, std::int64_t timeOriginNanoseconds);
    void clearTimeRange();
    bool hasTimeRange() const { return timeRange_.has_value(); }

    // Hides rows whose stack has one of these signatures (LeakTableModel::stackSignature).
    void setSuppressedSignatures(const QSet<QString>& signatures);
    const QSet<QString>& suppressedSignatures() const { return suppressed_; }

    // Only rows with an id above the mark: what was allocated since a checkpoint. 0: every row.
    void setCheckpointMark(AllocationId mark);
    AllocationId checkpointMark() const { return checkpointMark_; }

    // Sorting is the source's (LeakTableModel::sortRows): see sort() in the .cpp.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // The filter test of one source row, for views that show the same rows another way.
    bool acceptsSourceRow(int sourceRow) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    enum StackFlag : std::uint8_t { Known = 1, TextMatch = 2, Suppressed = 4 };

    std::uint8_t stackFlags(StackId stackId) const;
    bool tagMatches(std::uint16_t tagId) const;
    void forgetNameCaches();
    void refilter();
    void refilterAll();

    LeakTableModel* leakModel_ = nullptr;
    QString text_;
    std::uint64_t minimumBytes_ = 0;
    struct TimeRange {
        std::int64_t fromNanoseconds = 0;
        std::int64_t toNanoseconds = 0;
    };
    std::optional<TimeRange> timeRange_;
    QSet<QString> suppressed_;
    AllocationId checkpointMark_ = 0;

    // Name tests per stack and per tag, valid for one catalog and one filter.
    mutable const StackCatalog* cachedCatalog_ = nullptr;
    mutable std::unordered_map<StackId, std::uint8_t> stackFlags_;
    mutable std::vector<std::int8_t> tagMatches_;  // by tag id: -1 unknown, 0, 1
    std::array<bool, 8> tierMatches_{};
};

}  // namespace poolscope
