#pragma once

#include <QString>
#include <QWidget>

#include <memory>

#include "session/RecordingAnalysis.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

namespace poolscope {

class CallSiteModel;
class FlameGraphView;

// The analyses of the recording on screen: a flame graph of its call tree by the chosen cost
// and a sortable table of its call sites, computed off the GUI thread.
class AnalysesView : public QWidget {
    Q_OBJECT

public:
    explicit AnalysesView(QWidget* parent = nullptr);

    void showRecording(const QString& recordingPath);
    void clear();

    RecordingAnalysis& analysis() { return analysis_; }
    FlameGraphView* flameGraph() const { return flameGraph_; }
    CallSiteModel* callSites() const { return callSites_; }
    QSortFilterProxyModel* sortedCallSites() const { return sorted_; }
    QComboBox* costChooser() const { return cost_; }
    QLineEdit* searchBox() const { return search_; }
    QProgressBar* busyIndicator() const { return busy_; }

private:
    void showResult(const std::shared_ptr<const RecordingAnalysisResult>& result);

    RecordingAnalysis analysis_;
    QLabel* title_ = nullptr;
    QComboBox* cost_ = nullptr;
    QLineEdit* search_ = nullptr;
    QProgressBar* busy_ = nullptr;
    FlameGraphView* flameGraph_ = nullptr;
    CallSiteModel* callSites_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* table_ = nullptr;
};

}  // namespace poolscope
