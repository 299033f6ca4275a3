#pragma once

#include <QWidget>

#include "session/LayoutCalculation.h"

class QLabel;
class QPushButton;
class QTableView;
class QTreeView;

namespace poolscope {

class LayoutComparisonModel;
class RunResultsModel;
struct RecordedRunResults;
struct RunOutcome;
struct ScenarioRunReport;

// What the run on screen came to, as `poolscope run` prints it: the scenario's figures, the
// pool, the images processed and failed with each error, the managed heap, the diagnostics and
// the leaks' stacks. contiguous-vs-discontiguous adds its images one per row (a click shows
// the image in the layout view); a run that wrote files offers to open their folder. An opened
// recording shows the results its run kept in it, row for row as the run showed them.
class ResultsView : public QWidget {
    Q_OBJECT

public:
    explicit ResultsView(QWidget* parent = nullptr);

    // The report of a run that ended.
    void showRun(const RunOutcome& outcome);
    void showReport(const ScenarioRunReport& report);
    void showRunning(const QString& scenario);
    // An opened recording's results, as its run showed them; or why it has none, or why they
    // cannot be read.
    void showRecording(const RecordedRunResults& results);

    RunResultsModel* resultsModel() const { return results_; }
    LayoutComparisonModel* comparisonModel() const { return comparisons_; }
    // The line above the results: the scenario, or why there are none.
    QString headline() const;
    bool openFolderOffered() const;
    // Offered but disabled, with a tooltip saying so, once the folder is gone.
    bool openFolderEnabled() const;
    QString openFolderToolTip() const;

public slots:
    // Shows a row of the per-image table in the layout view.
    void showImage(int row);

signals:
    void imageLayoutRequested(const poolscope::ImageLayoutRequest& request);

private:
    void showOnlyMessage(const QString& message);
    void offerOutputFolder();
    void openOutputFolder();

    RunResultsModel* results_;
    LayoutComparisonModel* comparisons_;
    QLabel* headline_;
    QTreeView* tree_;
    QLabel* perImageTitle_;
    QTableView* perImage_;
    QPushButton* openFolder_;
};

}  // namespace poolscope
