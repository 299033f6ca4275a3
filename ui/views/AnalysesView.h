#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "session/RecordingAnalysis.h"
#include "views/CallSitesPage.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace poolscope {

class CallSiteModel;
class CallTreePage;
class FlameGraphView;
class PeakTemporaryPage;
class SizeHistogramView;

// The analyses of the recording on screen, computed off the GUI thread, as pages: a flame graph
// by the chosen cost, the call sites, the bottom-up and top-down call trees, the peak's
// consumers with the temporary allocations, and the requests' sizes. A time range of the
// timeline restricts them all to the allocations made in it; the title says which range is
// shown.
class AnalysesView : public QWidget {
    Q_OBJECT

public:
    // The pages, in their order; the last one shown is shown again next time.
    enum Tab { FlameGraphTab, CallSitesTab, BottomUpTab, TopDownTab, PeakTab, SizesTab };

    explicit AnalysesView(QWidget* parent = nullptr);

    void showRecording(const QString& recordingPath);
    void clear();
    // The timeline's range, in its seconds: the analyses are made again for the allocations
    // made in it; clearing it shows the whole run again.
    void setTimeRange(double fromSeconds, double toSeconds);
    void clearTimeRange();
    // Where the timeline's seconds count from, on the recording's clock (the snapshots'
    // timeOriginNanoseconds); without it they count from the recording's first event.
    void setTimeOrigin(std::int64_t timeOriginNanoseconds);
    // Shows the site at `row` of callSites() in both trees and the flame graph, and turns to
    // `destination`'s page.
    void showSite(int row, CallSitesPage::Destination destination);
    // The same for a site given by its frames (StackNames labels, innermost first).
    void showStack(const QStringList& innermostFirst, CallSitesPage::Destination destination);
    // Zooms the flame graph into the last frame of a path of one of the trees (from its top row
    // down; `bottomUp` says which tree), selects it in the top-down tree too, and turns to the
    // flame graph.
    void showInFlameGraph(const std::vector<const CallTree*>& path, bool bottomUp);

    std::optional<std::int64_t> timeOrigin() const { return timeOrigin_; }
    RecordingAnalysis& analysis() { return analysis_; }
    const std::shared_ptr<const RecordingAnalysisResult>& result() const { return result_; }
    QString title() const;
    QTabWidget* pages() const { return pages_; }
    FlameGraphView* flameGraph() const { return flameGraph_; }
    CallSiteModel* callSites() const { return callSites_; }
    QSortFilterProxyModel* sortedCallSites() const;
    CallSitesPage* callSitesPage() const { return callSitesPage_; }
    CallTreePage* bottomUp() const { return bottomUp_; }
    CallTreePage* topDown() const { return topDown_; }
    PeakTemporaryPage* peakAndTemporary() const { return peak_; }
    SizeHistogramView* sizes() const { return sizes_; }
    QComboBox* costChooser() const { return cost_; }
    QLineEdit* searchBox() const { return search_; }
    QProgressBar* busyIndicator() const { return busy_; }

private:
    void request();
    // Applies the search box's text to the call tree on screen, if one is.
    void searchShownTree();
    void showResult(const std::shared_ptr<const RecordingAnalysisResult>& result);
    void showNothing();
    std::int64_t originOf(const RecordingAnalysisResult& result) const;
    // The top-down frames (top row down) that show a bottom-up path's last frame.
    std::vector<const CallTree*> topDownPathOf(
        const std::vector<const CallTree*>& bottomUpPath) const;
    QString rangeText() const;
    void updateTitle();

    RecordingAnalysis analysis_;
    QString recordingPath_;
    std::optional<std::pair<double, double>> timeRange_;
    std::optional<std::int64_t> timeOrigin_;
    std::shared_ptr<const RecordingAnalysisResult> result_;
    QString status_;
    QLabel* title_ = nullptr;
    QComboBox* cost_ = nullptr;
    QLineEdit* search_ = nullptr;
    QProgressBar* busy_ = nullptr;
    QTabWidget* pages_ = nullptr;
    FlameGraphView* flameGraph_ = nullptr;
    CallSiteModel* callSites_ = nullptr;
    CallSitesPage* callSitesPage_ = nullptr;
    CallTreePage* bottomUp_ = nullptr;
    CallTreePage* topDown_ = nullptr;
    PeakTemporaryPage* peak_ = nullptr;
    SizeHistogramView* sizes_ = nullptr;
};

}  // namespace poolscope
