#pragma once

#include <QSet>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

#include "session/SessionSnapshot.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QStackedWidget;
class QTableView;
class QToolButton;
class QTreeView;
class QTreeWidget;

namespace poolscope {

class LeakFilterProxyModel;
class LeakTableModel;
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
    bool isShowingDiff() const { return diffShown_; }
    void suppressSelectedStack();
    void clearSuppressions();
    QSet<QString> suppressedStackSignatures() const;

    // QSettings key of the suppressed stacks' signatures.
    static QString suppressionsSettingsKey();

signals:
    void allocationSelected(quint64 id);
    void checkpointRequested(const QString& label);

private:
    void buildToolbar(class QToolBar* toolbar);
    QWidget* buildDetailPane();
    void applyTable(std::shared_ptr<const AllocationTable> table,
                    std::shared_ptr<const StackCatalog> stacks, std::int64_t nowNanoseconds);
    void filtersChanged();
    void refreshGroups();
    void updateStatus();
    void updateActions();
    void onCurrentChanged();
    void showDetail(std::optional<AllocationId> allocation, std::optional<StackId> stack);
    void selectAllocation(AllocationId id);
    std::optional<StackId> selectedStack() const;
    void saveSuppressions() const;
    void rebuildSuppressionsMenu();
    void copyStack();
    void onStatusLink(const QString& link);

    LeakTableModel* model_ = nullptr;
    LeakFilterProxyModel* proxy_ = nullptr;
    StackGroupModel* groups_ = nullptr;

    QLineEdit* filterEdit_ = nullptr;
    QComboBox* minimumSize_ = nullptr;
    QAction* groupAction_ = nullptr;
    QAction* checkpointAction_ = nullptr;
    QAction* showAllAction_ = nullptr;
    QAction* snapshotAAction_ = nullptr;
    QAction* snapshotBAction_ = nullptr;
    QAction* diffAction_ = nullptr;
    QAction* suppressAction_ = nullptr;
    QToolButton* suppressionsButton_ = nullptr;
    QMenu* suppressionsMenu_ = nullptr;
    QAction* exportAction_ = nullptr;
    QLabel* status_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QTableView* table_ = nullptr;
    QTreeView* tree_ = nullptr;
    QLabel* detailTitle_ = nullptr;
    QTreeWidget* frames_ = nullptr;
    QToolButton* copyButton_ = nullptr;

    std::shared_ptr<const SessionSnapshot> snapshot_;
    std::shared_ptr<const SessionSnapshot> snapshotA_;
    std::shared_ptr<const SessionSnapshot> snapshotB_;
    bool diffShown_ = false;
    std::uint64_t diffBytes_ = 0;
    std::size_t diffFreedCount_ = 0;
    std::int64_t timeOrigin_ = 0;
    std::optional<std::pair<double, double>> timeRange_;
    std::optional<AllocationId> checkpointMark_;
    QString checkpointLabel_;
    int checkpointCount_ = 0;
    QSet<QString> suppressed_;
    std::uint64_t tableBytes_ = 0;

    std::optional<AllocationId> selectedAllocation_;
    std::optional<StackId> selectedStackId_;
    bool selectingQuietly_ = false;
    QString detailText_;
};

}  // namespace poolscope
