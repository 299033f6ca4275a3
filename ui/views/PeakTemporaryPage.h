#pragma once

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

#include "session/RecordingAnalysis.h"
#include "views/CallSitesPage.h"

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace poolscope {

class PeakConsumerModel;
class TemporaryAllocationModel;

// Who held the memory at the moment of the peak, and which call sites made temporary
// allocations (freed right after being made), each as a sortable table under a line that sums
// it up. Double-clicking a row asks for its site to be shown in the call trees; its context
// actions, in either tree or the flame graph.
class PeakTemporaryPage : public QWidget {
    Q_OBJECT

public:
    explicit PeakTemporaryPage(QWidget* parent = nullptr);

    // Times are written in seconds from `timeOriginNanoseconds`, as the timeline's.
    void setResult(std::shared_ptr<const RecordingAnalysisResult> result,
                   std::int64_t timeOriginNanoseconds);
    void clear();
    // Keeps the rows whose call site holds the text.
    void setSearch(const QString& text);

    PeakConsumerModel* peakConsumers() const { return peak_; }
    TemporaryAllocationModel* temporary() const { return temporary_; }
    QSortFilterProxyModel* sortedPeakConsumers() const { return sortedPeak_; }
    QSortFilterProxyModel* sortedTemporary() const { return sortedTemporary_; }
    QString peakSummary() const;
    QString temporarySummary() const;
    QTableView* peakTable() const { return peakTable_; }
    QTableView* temporaryTable() const { return temporaryTable_; }
    // The context actions, for the current row of `table` (either of the two): bottom-up,
    // top-down, flame graph.
    QList<QAction*> siteActions(QTableView* table) const;

signals:
    // The frames of the chosen row's site, innermost first, and where to show it first.
    void siteChosen(const QStringList& innermostFirst,
                    poolscope::CallSitesPage::Destination destination);

private:
    void addSiteActions(QTableView* table);
    QTableView* tableOf(QSortFilterProxyModel* sorted, int stretchedColumn, int sortColumn);
    const CallSiteModel::Row& rowAt(const QModelIndex& sortedIndex) const;

    PeakConsumerModel* peak_ = nullptr;
    TemporaryAllocationModel* temporary_ = nullptr;
    QSortFilterProxyModel* sortedPeak_ = nullptr;
    QSortFilterProxyModel* sortedTemporary_ = nullptr;
    QLabel* peakSummary_ = nullptr;
    QLabel* temporarySummary_ = nullptr;
    QTableView* peakTable_ = nullptr;
    QTableView* temporaryTable_ = nullptr;
};

}  // namespace poolscope
