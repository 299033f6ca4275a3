#pragma once

#include <QSet>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

#include "models/AllocationDiff.h"
#include "models/StackSuppressions.h"
#include "session/SessionSnapshot.h"

class QLabel;
class QStackedWidget;
class QTableView;
class QTreeView;

namespace poolscope {

class LeakFilterProxyModel;
class LeakTableModel;
class LeakToolBar;
class StackDetailPane;
class StackGroupModel;

// The leak hunter's page: the live (undisposed) allocations as a sortable, filterable table or
// grouped by stack, the selected allocation's symbolized stack below, checkpoints, snapshot
// diffs, stack suppressions that survive restarts, and CSV export.
class LeakView : public QWidget {
    Q_OBJECT

public:
    explicit LeakView(QWidget* parent = nullptr);
    ~LeakView() override;

    // Shows the snapshot's allocations; cheap when the snapshot or its table is unchanged.
    // While a diff is shown, the table stays on the diff until the diff is closed.
    void setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
    // Selects the allocation and scrolls to it, without emitting allocationSelected.
    void setSelectedAllocation(quint64 id);
    // Only allocations created between two timeline seconds.
    void setTimeRange(double fromSeconds, double toSeconds);
    void clearTimeRange();

    // Every visible row (filters applied, in the table's order), one CSV line each.
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    // Rows that pass the filters (the table's rows; the stack tree groups the same rows).
    int visibleRowCount() const;
    // The detail pane's stack as text, as the Copy button puts it on the clipboard.
    QString detailStackText() const;

    // The toolbar's actions, for keyboard shortcuts and for tests.
    void setFilterText(const QString& text);
    void setMinimumBytes(std::uint64_t bytes);
    void setGroupedByStack(bool grouped);
    bool isGroupedByStack() const;
    // Marks now: from here on only allocations newer than the mark show.
    void requestCheckpoint();
    void showAllAllocations();
    void takeSnapshotA();
    void takeSnapshotB();
    // Shows the allocations of snapshot B that snapshot A did not have; false when either is
    // missing.
    bool showDiff(bool on);
    bool isShowingDiff() const { return diff_.has_value(); }
    void suppressSelectedStack();
    void clearSuppressions();
    QSet<QString> suppressedStackSignatures() const;

    // QSettings key of the suppressed stacks' signatures.
    static QString suppressionsSettingsKey();

protected:
    void resizeEvent(QResizeEvent* event) override;

signals:
    void allocationSelected(quint64 id);
    void checkpointRequested(const QString& label);

private:
    void connectToolbar();
    void applyTable(std::shared_ptr<const AllocationTable> table,
                    std::shared_ptr<const StackCatalog> stacks, std::int64_t nowNanoseconds);
    void filtersChanged();
    void fitColumns();
    // The least share of the table's width the top frame keeps.
    static constexpr int kTopFrameSharePercent = 30;
    void refreshGroups();
    void updateStatus();
    void updateActions();
    void onCurrentChanged();
    void showDetail(std::optional<AllocationId> allocation, std::optional<StackId> stack);
    void selectAllocation(AllocationId id);
    std::optional<StackId> selectedStack() const;
    void suppressionsChanged();
    void onStatusLink(const QString& link);

    LeakTableModel* model_ = nullptr;
    LeakFilterProxyModel* proxy_ = nullptr;
    StackGroupModel* groups_ = nullptr;

    LeakToolBar* toolbar_ = nullptr;
    QLabel* status_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QTableView* table_ = nullptr;
    QTreeView* tree_ = nullptr;
    StackDetailPane* detail_ = nullptr;

    std::shared_ptr<const SessionSnapshot> snapshot_;
    std::shared_ptr<const SessionSnapshot> snapshotA_;
    std::shared_ptr<const SessionSnapshot> snapshotB_;
    std::optional<AllocationDiff> diff_;  // while the diff is shown
    std::int64_t timeOrigin_ = 0;
    std::optional<std::pair<double, double>> timeRange_;
    std::optional<AllocationId> checkpointMark_;
    QString checkpointLabel_;
    int checkpointCount_ = 0;
    StackSuppressions suppressions_;
    std::uint64_t tableBytes_ = 0;

    std::optional<AllocationId> selectedAllocation_;
    std::optional<StackId> selectedStackId_;
    bool selectingQuietly_ = false;
    // Columns fit their content until the reader resizes one.
    bool columnsSizedByHand_ = false;
    bool fittingColumns_ = false;
};

}  // namespace poolscope
