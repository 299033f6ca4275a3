#pragma once

#include <QMainWindow>
#include <QString>

#include "session/EngineSession.h"
#include "session/PoolSnapshot.h"

class QCPGraph;
class QCustomPlot;
class QFormLayout;
class QLabel;
class QPushButton;

namespace poolscope {

// The live pool figures of one EngineSession: the numbers of its latest snapshot, a plot of
// rented and retained chunks over time, and the buttons that start and stop the workload.
// Knows the engine only through the session's snapshots.
class PoolFiguresWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit PoolFiguresWindow(EngineSession& session, QWidget* parent = nullptr);
    ~PoolFiguresWindow() override;

public slots:
    void showSnapshot(const poolscope::PoolSnapshot& snapshot);

private:
    QWidget* createFigurePanel();
    QWidget* createPlot();
    QLabel* addFigure(QFormLayout* form, const QString& name, const QString& objectName,
                      const QString& explanation);
    void showRunState(bool running);
    void showOutcome(const poolscope::WorkloadOutcome& outcome);
    void plotSnapshot(const poolscope::PoolSnapshot& snapshot);

    EngineSession& session_;

    QPushButton* startButton_ = nullptr;
    QPushButton* stopButton_ = nullptr;
    QLabel* runState_ = nullptr;

    QLabel* capacity_ = nullptr;
    QLabel* rented_ = nullptr;
    QLabel* retained_ = nullptr;
    QLabel* emptySlots_ = nullptr;
    QLabel* chunkSize_ = nullptr;
    QLabel* unpooledBytes_ = nullptr;
    QLabel* undisposed_ = nullptr;
    QLabel* eventsReceived_ = nullptr;
    QLabel* eventsDropped_ = nullptr;
    QLabel* chunkRents_ = nullptr;
    QLabel* chunkReturns_ = nullptr;
    QLabel* progress_ = nullptr;

    QCustomPlot* plot_ = nullptr;
    QCPGraph* rentedGraph_ = nullptr;
    QCPGraph* retainedGraph_ = nullptr;
    QCPGraph* capacityGraph_ = nullptr;
};

}  // namespace poolscope
