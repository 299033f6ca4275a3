#include "views/PoolFiguresWindow.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include <qcustomplot.h>

namespace poolscope {

namespace {

// The plot keeps this much history; older points are dropped so a session can run for days.
constexpr double kPlotHistorySeconds = 120.0;
constexpr double kMinimumPlotSpanSeconds = 2.0;

QString formatCount(std::uint64_t value) {
    return QLocale().toString(qulonglong{value});
}
QString formatCount(std::int64_t value) {
    return QLocale().toString(qlonglong{value});
}
QString formatCount(int value) {
    return QLocale().toString(value);
}

QString formatBytes(std::uint64_t bytes) {
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

QString formatSeconds(std::chrono::nanoseconds elapsed) {
    return QLocale().toString(std::chrono::duration<double>(elapsed).count(), 'f', 2);
}

}  // namespace

PoolFiguresWindow::PoolFiguresWindow(EngineSession& session, QWidget* parent)
    : QMainWindow(parent), session_(session) {
    setWindowTitle(tr("PoolScope — pool figures"));

    startButton_ = new QPushButton(tr("&Start workload"));
    startButton_->setToolTip(tr("Runs the default image workload against the session's pool"));
    stopButton_ = new QPushButton(tr("S&top"));
    stopButton_->setToolTip(tr("Stops the workload after its current iteration"));
    runState_ = new QLabel;
    runState_->setObjectName(QStringLiteral("runStateValue"));
    runState_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    runState_->setWordWrap(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(startButton_);
    controls->addWidget(stopButton_);
    controls->addSpacing(12);
    controls->addWidget(runState_, 1);

    auto* body = new QHBoxLayout;
    body->addWidget(createFigurePanel());
    body->addWidget(createPlot(), 1);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->addLayout(controls);
    layout->addLayout(body, 1);
    setCentralWidget(central);
    setMinimumSize(900, 520);
    resize(1100, 620);

    connect(startButton_, &QPushButton::clicked, &session_, &EngineSession::start);
    connect(stopButton_, &QPushButton::clicked, &session_, &EngineSession::stop);
    connect(&session_, &EngineSession::snapshotPublished, this, &PoolFiguresWindow::showSnapshot);
    connect(&session_, &EngineSession::runningChanged, this, &PoolFiguresWindow::showRunState);
    connect(&session_, &EngineSession::workloadFinished, this, &PoolFiguresWindow::showOutcome);

    showRunState(session_.isRunning());
    runState_->setText(tr("Ready. Start runs the default image workload: %1 iterations.")
                           .arg(formatCount(session_.workloadOptions().iterations)));
    showSnapshot(session_.latestSnapshot());
}

PoolFiguresWindow::~PoolFiguresWindow() = default;

QLabel* PoolFiguresWindow::addFigure(QFormLayout* form, const QString& name,
                                     const QString& objectName, const QString& explanation) {
    auto* value = new QLabel;
    value->setObjectName(objectName);
    value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Room for the widest figure, so the column does not jump while numbers grow.
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("0,000,000,000")));
    auto* label = new QLabel(name);
    label->setToolTip(explanation);
    value->setToolTip(explanation);
    form->addRow(label, value);
    return value;
}

QWidget* PoolFiguresWindow::createFigurePanel() {
    auto* pool = new QGroupBox(tr("Chunk pool"));
    auto* poolForm = new QFormLayout(pool);
    capacity_ = addFigure(poolForm, tr("Capacity (chunks):"), QStringLiteral("capacityValue"),
                          tr("Slots in the pool: rented plus retained plus empty"));
    rented_ = addFigure(poolForm, tr("Rented:"), QStringLiteral("rentedValue"),
                        tr("Chunks handed out and not yet returned"));
    retained_ = addFigure(poolForm, tr("Retained:"), QStringLiteral("retainedValue"),
                          tr("Returned chunks the pool keeps for reuse"));
    emptySlots_ = addFigure(poolForm, tr("Empty slots:"), QStringLiteral("emptySlotsValue"),
                            tr("Slots without memory; mapped on first rent"));
    chunkSize_ = addFigure(poolForm, tr("Chunk size:"), QStringLiteral("chunkSizeValue"),
                           tr("Every pool chunk has this size"));

    auto* outside = new QGroupBox(tr("Outside the pool"));
    auto* outsideForm = new QFormLayout(outside);
    unpooledBytes_ =
        addFigure(outsideForm, tr("Unpooled bytes live:"), QStringLiteral("unpooledBytesValue"),
                  tr("Exact-size memory for requests the pool could not serve"));
    undisposed_ =
        addFigure(outsideForm, tr("Undisposed allocations:"), QStringLiteral("undisposedValue"),
                  tr("Allocations in this process whose owner has not disposed them"));

    auto* events = new QGroupBox(tr("Event stream"));
    auto* eventsForm = new QFormLayout(events);
    eventsReceived_ =
        addFigure(eventsForm, tr("Events received:"), QStringLiteral("eventsReceivedValue"),
                  tr("Allocator events this session has drained"));
    eventsDropped_ =
        addFigure(eventsForm, tr("Events dropped:"), QStringLiteral("eventsDroppedValue"),
                  tr("Events lost because the session fell behind; never hidden"));
    chunkRents_ = addFigure(eventsForm, tr("Chunk rents:"), QStringLiteral("chunkRentsValue"),
                            tr("Pool chunks handed out, one per chunk of a group"));
    chunkReturns_ = addFigure(eventsForm, tr("Chunk returns:"), QStringLiteral("chunkReturnsValue"),
                              tr("Pool chunks given back for reuse"));

    auto* workload = new QGroupBox(tr("Workload"));
    auto* workloadForm = new QFormLayout(workload);
    progress_ = addFigure(workloadForm, tr("Iterations:"), QStringLiteral("progressValue"),
                          tr("Iterations of the default workload done so far"));

    auto* panel = new QWidget;
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(pool);
    column->addWidget(outside);
    column->addWidget(events);
    column->addWidget(workload);
    column->addStretch(1);
    return panel;
}

QWidget* PoolFiguresWindow::createPlot() {
    plot_ = new QCustomPlot;
    plot_->setObjectName(QStringLiteral("chunkPlot"));
    plot_->setMinimumSize(420, 300);
    plot_->xAxis->setLabel(tr("Seconds since the session started"));
    plot_->yAxis->setLabel(tr("Pool chunks"));

    rentedGraph_ = plot_->addGraph();
    rentedGraph_->setName(tr("Rented"));
    rentedGraph_->setPen(QPen(QColor(31, 119, 180), 2));
    rentedGraph_->setBrush(QColor(31, 119, 180, 50));

    retainedGraph_ = plot_->addGraph();
    retainedGraph_->setName(tr("Retained"));
    retainedGraph_->setPen(QPen(QColor(230, 126, 34), 2));

    capacityGraph_ = plot_->addGraph();
    capacityGraph_->setName(tr("Capacity"));
    capacityGraph_->setPen(QPen(Qt::darkGray, 1.5, Qt::DashLine));

    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot_->xAxis->setRange(0, kMinimumPlotSpanSeconds);
    plot_->yAxis->setRange(0, 1);
    return plot_;
}

void PoolFiguresWindow::showSnapshot(const PoolSnapshot& snapshot) {
    capacity_->setText(formatCount(snapshot.capacityChunks));
    rented_->setText(formatCount(snapshot.rentedChunks));
    retained_->setText(formatCount(snapshot.retainedChunks));
    emptySlots_->setText(formatCount(snapshot.emptySlots));
    chunkSize_->setText(formatBytes(static_cast<std::uint64_t>(snapshot.chunkBytes)));
    unpooledBytes_->setText(formatBytes(snapshot.unpooledBytesLive));
    undisposed_->setText(formatCount(snapshot.undisposedAllocations));
    eventsReceived_->setText(formatCount(snapshot.eventsReceived));
    eventsDropped_->setText(formatCount(snapshot.eventsDropped));
    chunkRents_->setText(formatCount(snapshot.totalChunkRents));
    chunkReturns_->setText(formatCount(snapshot.totalChunkReturns));
    progress_->setText(tr("%1 of %2")
                           .arg(formatCount(snapshot.iterationsCompleted),
                                formatCount(snapshot.iterationsPlanned)));
    if (snapshot.workloadRunning) {
        runState_->setText(tr("Running: iteration %1 of %2")
                               .arg(formatCount(snapshot.iterationsCompleted),
                                    formatCount(snapshot.iterationsPlanned)));
    }
    plotSnapshot(snapshot);
}

void PoolFiguresWindow::plotSnapshot(const PoolSnapshot& snapshot) {
    const double now = snapshot.secondsSinceStart;
    rentedGraph_->addData(now, snapshot.rentedChunks);
    retainedGraph_->addData(now, snapshot.retainedChunks);
    capacityGraph_->addData(now, snapshot.capacityChunks);
    const double oldest = now - kPlotHistorySeconds;
    for (QCPGraph* graph : {rentedGraph_, retainedGraph_, capacityGraph_}) {
        graph->data()->removeBefore(oldest);
    }
    const double left = std::max(0.0, oldest);
    plot_->xAxis->setRange(left, std::max(now, left + kMinimumPlotSpanSeconds));
    // Headroom above the capacity line keeps it clear of the legend.
    plot_->yAxis->setRange(0, std::max(1.0, snapshot.capacityChunks * 1.3));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void PoolFiguresWindow::showRunState(bool running) {
    startButton_->setEnabled(!running);
    stopButton_->setEnabled(running);
    if (running) {
        runState_->setText(tr("Running…"));
    }
}

void PoolFiguresWindow::showOutcome(const WorkloadOutcome& outcome) {
    const WorkloadSummary& summary = outcome.summary;
    if (!outcome.error.isEmpty()) {
        runState_->setText(tr("The workload failed: %1").arg(outcome.error));
    } else if (summary.cancelled) {
        runState_->setText(tr("Stopped after %1 of %2 iterations.")
                               .arg(formatCount(summary.iterationsCompleted),
                                    formatCount(summary.iterationsPlanned)));
    } else {
        runState_->setText(
            tr("Finished %1 iterations in %2 s: %3 allocations, %4, %5 unpooled, peak %6 chunks "
               "rented.")
                .arg(formatCount(summary.iterationsCompleted), formatSeconds(summary.elapsed),
                     formatCount(summary.allocations), formatBytes(summary.bytesAllocated),
                     formatCount(summary.unpooledAllocations),
                     formatCount(summary.peakRentedChunks)));
    }
}

}  // namespace poolscope
