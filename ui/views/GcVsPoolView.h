#pragma once

#include <QWidget>

#include <memory>

class QTableView;

namespace poolscope {

class GcVsPoolComparison;
class GcVsPoolPanes;
struct RunOutcome;
struct SessionSnapshot;

// gc-vs-pool side by side: the managed heap's pane beside the pool's on one time axis, and
// under them the comparison table (peak and end bytes, collections, time in collections, chunks
// rented and returned), which fills as the run goes and shows the run's own figures at its end.
class GcVsPoolView : public QWidget {
    Q_OBJECT

public:
    explicit GcVsPoolView(QWidget* parent = nullptr);

    // A new run starts: the panes and the table empty.
    void clear();
    // Every snapshot of the run, in order: the panes append its samples.
    void addSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
    // The run ended: the table shows its report's figures.
    void showRun(const RunOutcome& outcome);

    GcVsPoolComparison* comparison() const { return comparison_; }
    GcVsPoolPanes* panes() const { return panes_; }

private:
    GcVsPoolComparison* comparison_;
    GcVsPoolPanes* panes_;
    QTableView* table_;
};

}  // namespace poolscope
