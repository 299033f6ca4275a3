#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

#include "session/EngineSession.h"
#include "session/WhatIfAnalysis.h"

class QCPGraph;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace poolscope {

class WhatIfFiguresModel;
class WhatIfSiteModel;

// "What if it were pooled" for the recording on screen: memory held over time as it was and
// as the pool would have held it, on one time axis; the figures of both side by side with
// their difference; and the call sites that would gain most. Replayed off the GUI thread with
// the window's allocator options, again whenever they change.
class WhatIfView : public QWidget {
    Q_OBJECT

public:
    enum class Side { Actual, Pooled };

    explicit WhatIfView(QWidget* parent = nullptr);

    void showRecording(const QString& recordingPath);
    // The pool the replay uses; a recording on show is replayed again with it.
    void setAllocatorOptions(const SessionAllocatorOptions& options);
    void clear();

    WhatIfAnalysis& analysis() { return analysis_; }
    const WhatIfReplay::Options& options() const { return options_; }
    // The result on show; null before one arrived and after clear().
    const std::shared_ptr<const WhatIfAnalysisResult>& result() const { return result_; }
    WhatIfFiguresModel* figures() const { return figures_; }
    WhatIfSiteModel* sites() const { return sites_; }
    QSortFilterProxyModel* sortedSites() const { return sorted_; }
    QProgressBar* busyIndicator() const { return busy_; }
    // The words shown instead of the plot and tables; empty while they are shown.
    QString message() const;
    bool showsComparison() const;
    // One side's plotted points: seconds since the first event, MiB held.
    std::vector<QPointF> plotted(Side side) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void request();
    void showResult(const std::shared_ptr<const WhatIfAnalysisResult>& result);
    void showMessage(const QString& text);
    void plot(const WhatIfAnalysisResult& result);
    void applyPalette();

    WhatIfAnalysis analysis_;
    WhatIfReplay::Options options_;
    QString recordingPath_;
    std::shared_ptr<const WhatIfAnalysisResult> result_;

    QLabel* title_ = nullptr;
    QProgressBar* busy_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLabel* message_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPGraph* actualGraph_ = nullptr;
    QCPGraph* pooledGraph_ = nullptr;
    WhatIfFiguresModel* figures_ = nullptr;
    QTableView* figuresTable_ = nullptr;
    WhatIfSiteModel* sites_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* sitesTable_ = nullptr;
};

}  // namespace poolscope
