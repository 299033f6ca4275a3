#include "views/MainWindow.h"

#include <QAction>

#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPalette>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>

#include <algorithm>

#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioRegistry.h"
#include "session/EngineSession.h"
#include "views/GcHeapView.h"
#include "views/LayoutView.h"
#include "views/LeakView.h"
#include "views/PoolMapView.h"
#include "views/ScenarioParametersDialog.h"
#include "views/Theme.h"
#include "views/TimelineView.h"

namespace poolscope {

namespace {

constexpr int kFrameMilliseconds = 33;

QString mebibytes(std::uint64_t bytes) {
    return QString::number(static_cast<double>(bytes) / 1048576.0, 'f', 1) + QStringLiteral(" MiB");
}

// Steps per second of each speed setting; 0 runs freely.
struct SpeedSetting {
    const char* label;
    double stepsPerSecond;
};
constexpr SpeedSetting kSpeeds[] = {
    {"Full speed", 0.0}, {"10 steps/s", 10.0}, {"2 steps/s", 2.0},
    {"1 step/s", 1.0},   {"1 step/2 s", 0.5},
};

}  // namespace

void MainWindow::applySavedTheme() {
    Theme::apply(QSettings().value(QStringLiteral("theme"), QStringLiteral("system")).toString());
}

QStringList MainWindow::viewNames() {
    return {QStringLiteral("main"),   QStringLiteral("pool"),  QStringLiteral("timeline"),
            QStringLiteral("layout"), QStringLiteral("leaks"), QStringLiteral("gc")};
}

MainWindow::MainWindow(EngineSession& session, QWidget* parent)
    : QMainWindow(parent), session_(session) {
    setObjectName(QStringLiteral("PoolScopeMainWindow"));
    setWindowTitle(QStringLiteral("PoolScope"));
    setWindowIcon(QIcon(QStringLiteral(":/poolscope/poolscope.png")));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    buildActions();
    buildToolBar();
    buildDocks();
    buildMenus();
    buildStatusBar();
    restoreSettings();

    connect(&session_, &EngineSession::snapshotPublished, this, &MainWindow::onSnapshot);
    connect(&session_, &EngineSession::runningChanged, this, &MainWindow::updateControls);
    connect(&session_, &EngineSession::runFinished, this, &MainWindow::onRunFinished);
    connect(&session_, &EngineSession::recordingOpened, this, [this](const QString& path) {
        timeline_->clear();
        setWindowTitle(QStringLiteral("PoolScope — %1").arg(QFileInfo(path).fileName()));
        stateLabel_->setText(tr("Recording"));
        updateControls();
    });
    connect(&session_, &EngineSession::recordingFailed, this,
            [this](const QString& path, const QString& error) {
                stateLabel_->setText(tr("Could not open %1").arg(QFileInfo(path).fileName()));
                if (isVisible() && QApplication::platformName() != QLatin1String("offscreen")) {
                    QMessageBox::warning(this, tr("Open recording"), error);
                }
            });
    connect(&session_, &EngineSession::runRecordingReady, this, &MainWindow::updateControls);
    frameTimer_.setInterval(kFrameMilliseconds);
    connect(&frameTimer_, &QTimer::timeout, this, &MainWindow::presentLatest);
    frameTimer_.start();
    updateControls();
}

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::addViewDock(QWidget* view, const QString& title, const QString& name,
                                     Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name + QStringLiteral("Dock"));
    dock->setWidget(view);
    addDockWidget(area, dock);
    docks_.emplace_back(name, dock);
    return dock;
}

void MainWindow::buildActions() {
    runAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"), this);
    runAction_->setShortcut(Qt::Key_F5);
    runAction_->setToolTip(tr("Run the scenario (F5)"));
    connect(runAction_, &QAction::triggered, this, [this] {
        if (paused_) {
            paused_ = false;
            session_.resume();
            updateControls();
            return;
        }
        startRun();
    });
    pauseAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    pauseAction_->setShortcut(Qt::Key_F6);
    pauseAction_->setToolTip(tr("Pause at the next checkpoint (F6)"));
    connect(pauseAction_, &QAction::triggered, this, [this] {
        paused_ = true;
        session_.pause();
        updateControls();
    });
    stepAction_ =
        new QAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("S&tep"), this);
    stepAction_->setShortcut(Qt::Key_F10);
    stepAction_->setToolTip(tr("Go on to the next checkpoint, then hold (F10)"));
    connect(stepAction_, &QAction::triggered, this, [this] {
        session_.setStepMode(true);
        session_.step();
        paused_ = true;
        updateControls();
    });
    stopAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("St&op"), this);
    stopAction_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    stopAction_->setToolTip(tr("Stop the run (Shift+F5)"));
    connect(stopAction_, &QAction::triggered, this, [this] {
        paused_ = false;
        session_.stop();
    });
    parametersAction_ = new QAction(tr("P&arameters…"), this);
    parametersAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(parametersAction_, &QAction::triggered, this, &MainWindow::editParameters);
    checkpointAction_ = new QAction(tr("&Checkpoint"), this);
    checkpointAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    checkpointAction_->setToolTip(tr("Mark this moment on the timeline (Ctrl+K)"));
    connect(checkpointAction_, &QAction::triggered, this,
            [this] { session_.addCheckpoint(tr("checkpoint")); });
    saveAction_ = new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton),
                              tr("&Save Run as Recording…"), this);
    saveAction_->setShortcut(QKeySequence::Save);
    connect(saveAction_, &QAction::triggered, this, &MainWindow::saveRecording);
    liveAction_ = new QAction(tr("Back to &Live Engine"), this);
    connect(liveAction_, &QAction::triggered, this, [this] {
        session_.showLive();
        timeline_->clear();
        setWindowTitle(QStringLiteral("PoolScope"));
        stateLabel_->setText(tr("Live"));
        updateControls();
    });
}

void MainWindow::buildToolBar() {
    QToolBar* toolBar = addToolBar(tr("Run"));
    toolBar->setObjectName(QStringLiteral("RunToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    scenarioPicker_ = new QComboBox(toolBar);
    scenarioPicker_->setObjectName(QStringLiteral("scenarioPicker"));
    for (const std::string& name : ScenarioRegistry::builtIn().names()) {
        const QString label = QString::fromStdString(name);
        scenarioPicker_->addItem(label, label);
        scenarioPicker_->setItemData(
            scenarioPicker_->count() - 1,
            QString::fromStdString(ScenarioRegistry::builtIn().create(name)->description()),
            Qt::ToolTipRole);
    }
    connect(scenarioPicker_, &QComboBox::currentIndexChanged, this, [this] {
        parameters_.clear();
        const std::string name = scenarioPicker_->currentData().toString().toStdString();
        session_.setScenario(name, parameters_);
        arrangeForScenario(name);
    });
    toolBar->addWidget(new QLabel(tr(" Scenario "), toolBar));
    toolBar->addWidget(scenarioPicker_);
    toolBar->addAction(parametersAction_);
    toolBar->addSeparator();
    toolBar->addAction(runAction_);
    toolBar->addAction(pauseAction_);
    toolBar->addAction(stepAction_);
    toolBar->addAction(stopAction_);

    speed_ = new QComboBox(toolBar);
    speed_->setObjectName(QStringLiteral("speed"));
    for (const SpeedSetting& setting : kSpeeds) {
        speed_->addItem(tr(setting.label));
    }
    speed_->setToolTip(tr("How fast the scenario goes from checkpoint to checkpoint"));
    connect(speed_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (session_.isRunning()) {
            session_.setAutoStepRate(kSpeeds[std::max(index, 0)].stepsPerSecond);
        }
    });
    toolBar->addWidget(speed_);
    toolBar->addSeparator();

    QToolBar* allocatorBar = addToolBar(tr("Allocator"));
    allocatorBar->setObjectName(QStringLiteral("AllocatorToolBar"));
    allocatorKind_ = new QComboBox(allocatorBar);
    allocatorKind_->setObjectName(QStringLiteral("allocatorKind"));
    allocatorKind_->addItem(tr("Pool"));
    allocatorKind_->addItem(tr("GC-backed"));
    allocatorKind_->setToolTip(
        tr("Pixel memory from the chunk pool, or from managed arrays on the GC heap"));
    poolMegabytes_ = new QSpinBox(allocatorBar);
    poolMegabytes_->setObjectName(QStringLiteral("poolMegabytes"));
    poolMegabytes_->setRange(0, 1 << 20);
    poolMegabytes_->setSuffix(tr(" MB"));
    poolMegabytes_->setValue(static_cast<int>(EngineSession::kDefaultPoolSizeMegabytes));
    poolMegabytes_->setToolTip(tr("Maximum pool size (0: no pool, every chunk unpooled)"));
    trimSeconds_ = new QSpinBox(allocatorBar);
    trimSeconds_->setObjectName(QStringLiteral("trimSeconds"));
    trimSeconds_->setRange(0, 3600);
    trimSeconds_->setSpecialValueText(tr("scenario's trim"));
    trimSeconds_->setSuffix(tr(" s trim"));
    trimSeconds_->setToolTip(tr("Trim period of the pool (0: as the scenario sets it)"));
    allocatorBar->addWidget(new QLabel(tr(" Allocator "), allocatorBar));
    allocatorBar->addWidget(allocatorKind_);
    allocatorBar->addWidget(new QLabel(tr(" Max pool "), allocatorBar));
    allocatorBar->addWidget(poolMegabytes_);
    allocatorBar->addWidget(trimSeconds_);
    preferContiguous_ = new QCheckBox(tr("Prefer contiguous"), allocatorBar);
    preferContiguous_->setObjectName(QStringLiteral("preferContiguous"));
    preferContiguous_->setToolTip(
        tr("Images get one buffer each (preferContiguousImageBuffers) instead of 4 MiB chunks"));
    allocatorBar->addWidget(preferContiguous_);
}

void MainWindow::buildDocks() {
    poolMap_ = new PoolMapView(this);
    timeline_ = new TimelineView(this);
    layout_ = new LayoutView(this);
    leaks_ = new LeakView(this);
    gcHeap_ = new GcHeapView(this);

    QDockWidget* poolDock =
        addViewDock(poolMap_, tr("Pool map"), QStringLiteral("pool"), Qt::LeftDockWidgetArea);
    QDockWidget* timelineDock =
        addViewDock(timeline_, tr("Timeline"), QStringLiteral("timeline"), Qt::LeftDockWidgetArea);
    QDockWidget* layoutDock =
        addViewDock(layout_, tr("Layout"), QStringLiteral("layout"), Qt::RightDockWidgetArea);
    QDockWidget* gcDock =
        addViewDock(gcHeap_, tr("GC heap"), QStringLiteral("gc"), Qt::RightDockWidgetArea);
    QDockWidget* leaksDock =
        addViewDock(leaks_, tr("Leaks"), QStringLiteral("leaks"), Qt::RightDockWidgetArea);
    splitDockWidget(poolDock, timelineDock, Qt::Vertical);
    splitDockWidget(layoutDock, leaksDock, Qt::Vertical);
    tabifyDockWidget(layoutDock, gcDock);
    layoutDock->raise();

    connect(poolMap_, &PoolMapView::allocationSelected, this, &MainWindow::selectAllocation);
    connect(leaks_, &LeakView::allocationSelected, this, &MainWindow::selectAllocation);
    connect(leaks_, &LeakView::checkpointRequested, &session_, &EngineSession::addCheckpoint);
    connect(timeline_, &TimelineView::timeRangeSelected, leaks_, &LeakView::setTimeRange);
    connect(timeline_, &TimelineView::timeRangeCleared, leaks_, &LeakView::clearTimeRange);
    connect(gcHeap_, &GcHeapView::collectRequested, &session_, &EngineSession::requestCollection);
    connect(gcHeap_, &GcHeapView::stepLessonRequested, stepAction_, &QAction::trigger);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton),
                                    tr("&Open Recording…"), this, &MainWindow::openRecording);
    open->setShortcut(QKeySequence::Open);
    file->addAction(saveAction_);
    file->addAction(liveAction_);
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Timeline as PNG or PDF…"), this, &MainWindow::exportTimeline);
    exportMenu->addAction(tr("Leak table as CSV…"), this, &MainWindow::exportLeaks);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addActions({runAction_, pauseAction_, stepAction_, stopAction_});
    run->addSeparator();
    run->addAction(parametersAction_);
    run->addAction(checkpointAction_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (const auto& [name, dock] : docks_) {
        view->addAction(dock->toggleViewAction());
    }
    view->addSeparator();
    QMenu* theme = view->addMenu(tr("&Theme"));
    auto* themes = new QActionGroup(theme);
    const QString current =
        QSettings().value(QStringLiteral("theme"), QStringLiteral("system")).toString();
    for (const auto& [key, label] : {std::pair{QStringLiteral("system"), tr("Follow the system")},
                                     std::pair{QStringLiteral("light"), tr("Light")},
                                     std::pair{QStringLiteral("dark"), tr("Dark")}}) {
        QAction* action = theme->addAction(label);
        action->setCheckable(true);
        action->setChecked(key == current);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [key] {
            QSettings().setValue(QStringLiteral("theme"), key);
            Theme::apply(key);
        });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About PoolScope"), this, [this] {
        QMessageBox::about(
            this, tr("About PoolScope"),
            tr("<b>PoolScope %1</b><br>Shows what a pooled image allocator and a generational "
               "garbage collector do with memory, live.")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::buildStatusBar() {
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(180);
    progress_->setTextVisible(true);
    stateLabel_ = new QLabel(tr("Live"), this);
    eventsLabel_ = new QLabel(this);
    droppedLabel_ = new QLabel(this);
    symbolsLabel_ = new QLabel(this);
    undisposedLabel_ = new QLabel(this);
    bytesLabel_ = new QLabel(this);
    eventsLabel_->setToolTip(tr("Engine events handled per second"));
    droppedLabel_->setToolTip(tr("Events lost because the session fell behind"));
    symbolsLabel_->setToolTip(tr("Stack frames whose function could not be named"));
    undisposedLabel_->setToolTip(tr("Allocations whose owner has not called dispose"));
    bytesLabel_->setToolTip(tr("Pool bytes rented / retained, and bytes outside the pool"));
    statusBar()->addWidget(stateLabel_);
    statusBar()->addWidget(progress_);
    for (QLabel* label :
         {eventsLabel_, droppedLabel_, symbolsLabel_, undisposedLabel_, bytesLabel_}) {
        statusBar()->addPermanentWidget(label);
    }
}

void MainWindow::restoreSettings() {
    QSettings settings;
    resize(settings.value(QStringLiteral("window/size"), QSize(1500, 940)).toSize());
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    poolMegabytes_->setValue(settings
                                 .value(QStringLiteral("allocator/poolMegabytes"),
                                        static_cast<int>(EngineSession::kDefaultPoolSizeMegabytes))
                                 .toInt());
    trimSeconds_->setValue(settings.value(QStringLiteral("allocator/trimSeconds"), 0).toInt());
    allocatorKind_->setCurrentIndex(
        settings.value(QStringLiteral("allocator/gcBacked"), false).toBool() ? 1 : 0);
    preferContiguous_->setChecked(
        settings.value(QStringLiteral("allocator/preferContiguous"), false).toBool());
    speed_->setCurrentIndex(settings.value(QStringLiteral("run/speed"), 0).toInt());
    const int scenario = scenarioPicker_->findData(
        settings.value(QStringLiteral("run/scenario"), QStringLiteral("default")));
    const QSignalBlocker blocker(scenarioPicker_);
    scenarioPicker_->setCurrentIndex(std::max(scenario, 0));
    session_.setScenario(scenarioPicker_->currentData().toString().toStdString(), {});
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("allocator/poolMegabytes"), poolMegabytes_->value());
    settings.setValue(QStringLiteral("allocator/trimSeconds"), trimSeconds_->value());
    settings.setValue(QStringLiteral("allocator/gcBacked"), allocatorKind_->currentIndex() == 1);
    settings.setValue(QStringLiteral("allocator/preferContiguous"), preferContiguous_->isChecked());
    settings.setValue(QStringLiteral("run/speed"), speed_->currentIndex());
    settings.setValue(QStringLiteral("run/scenario"), scenarioPicker_->currentData());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::startRun() {
    applyAllocatorOptions();
    timeline_->clear();
    const double rate = kSpeeds[std::max(speed_->currentIndex(), 0)].stepsPerSecond;
    session_.setStepMode(rate > 0.0);
    if (session_.start() && rate > 0.0) {
        session_.setAutoStepRate(rate);
    }
    setWindowTitle(QStringLiteral("PoolScope — %1").arg(scenarioPicker_->currentText()));
}

void MainWindow::setAllocatorOptions(const SessionAllocatorOptions& options) {
    poolMegabytes_->setValue(static_cast<int>(options.maximumPoolSizeMegabytes));
    trimSeconds_->setValue(options.trimPeriodMilliseconds ? *options.trimPeriodMilliseconds / 1000
                                                          : 0);
    allocatorKind_->setCurrentIndex(options.gcBacked ? 1 : 0);
    preferContiguous_->setChecked(options.preferContiguous);
    session_.setAllocatorOptions(options);
}

void MainWindow::applyAllocatorOptions() {
    SessionAllocatorOptions options;
    options.maximumPoolSizeMegabytes = poolMegabytes_->value();
    if (trimSeconds_->value() > 0) {
        options.trimPeriodMilliseconds = trimSeconds_->value() * 1000;
    }
    options.gcBacked = allocatorKind_->currentIndex() == 1;
    options.preferContiguous = preferContiguous_->isChecked();
    session_.setAllocatorOptions(options);
}

void MainWindow::selectScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    session_.setScenario(name, parameters);
    parameters_ = parameters;
    const QSignalBlocker blocker(scenarioPicker_);
    scenarioPicker_->setCurrentIndex(scenarioPicker_->findData(QString::fromStdString(name)));
    arrangeForScenario(name);
}

void MainWindow::arrangeForScenario(const std::string& name) {
    // The heap is what the GC scenarios are about; gc-vs-pool shows it beside the pool map.
    for (const auto& [viewName, dock] : docks_) {
        if (viewName == QLatin1String("gc") && name.rfind("gc-", 0) == 0) {
            dock->raise();
        }
        if (viewName == QLatin1String("layout") && name.rfind("gc-", 0) != 0) {
            dock->raise();
        }
    }
}

void MainWindow::editParameters() {
    const std::string name = scenarioPicker_->currentData().toString().toStdString();
    const std::vector<ScenarioParameter> declared =
        ScenarioRegistry::builtIn().create(name)->parameters();
    ScenarioParametersDialog dialog(scenarioPicker_->currentText(), declared, parameters_, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    try {
        session_.setScenario(name, dialog.values());
        parameters_ = dialog.values();
    } catch (const ScenarioError& error) {
        QMessageBox::warning(this, tr("Parameters"), QString::fromUtf8(error.what()));
    }
}

void MainWindow::updateControls() {
    const bool running = session_.isRunning();
    runAction_->setEnabled(!running || paused_);
    runAction_->setText(paused_ && running ? tr("&Resume") : tr("&Run"));
    pauseAction_->setEnabled(running && !paused_);
    stepAction_->setEnabled(running);
    stopAction_->setEnabled(running);
    scenarioPicker_->setEnabled(!running);
    parametersAction_->setEnabled(!running);
    allocatorKind_->setEnabled(!running);
    poolMegabytes_->setEnabled(!running);
    trimSeconds_->setEnabled(!running);
    preferContiguous_->setEnabled(!running);
    saveAction_->setEnabled(!running && !session_.lastRunRecording().isEmpty());
    liveAction_->setEnabled(session_.showsRecording());
    gcHeap_->setLessonControlsEnabled(running);
    if (!running) {
        paused_ = false;
    }
}

void MainWindow::onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    // The timeline appends every snapshot's samples; the rest show only the newest.
    timeline_->setSnapshot(snapshot);
    pending_ = snapshot;
}

void MainWindow::presentLatest() {
    if (!pending_) {
        return;
    }
    const std::shared_ptr<const SessionSnapshot> snapshot = std::exchange(pending_, nullptr);
    poolMap_->setSnapshot(snapshot);
    layout_->setSnapshot(snapshot);
    leaks_->setSnapshot(snapshot);
    if (snapshot->gcHeap) {
        gcHeap_->setSnapshot(snapshot->gcHeap);
    }
    if (!snapshot->phase.isEmpty() || !snapshot->explanation.isEmpty()) {
        gcHeap_->setLesson(snapshot->phase, snapshot->explanation);
    }

    const PoolSnapshot& pool = snapshot->pool;
    progress_->setVisible(pool.workloadRunning || pool.iterationsPlanned > 0);
    progress_->setRange(0, std::max(pool.iterationsPlanned, 1));
    progress_->setValue(std::min(pool.iterationsCompleted, std::max(pool.iterationsPlanned, 1)));
    progress_->setFormat(snapshot->fromRecording ? tr("read %p%") : tr("%v / %m"));
    eventsLabel_->setText(tr("%L1 events/s").arg(snapshot->eventsPerSecond, 0, 'f', 0));
    droppedLabel_->setText(tr("%L1 dropped").arg(pool.eventsDropped));
    symbolsLabel_->setText(
        tr("%L1 missing symbols").arg(snapshot->stacks ? snapshot->stacks->missingSymbols : 0));
    QStringList why;
    for (const ModuleSymbolStatus& status : snapshot->stacks
                                                ? snapshot->stacks->missingSymbolModules
                                                : std::vector<ModuleSymbolStatus>()) {
        why.append(tr("%1: %L2 unnamed, %L3 without source lines (%4)")
                       .arg(QString::fromStdString(status.module))
                       .arg(status.unnamedFrames)
                       .arg(status.framesWithoutSource)
                       .arg(QString::fromStdString(status.reason)));
    }
    symbolsLabel_->setToolTip(why.join(QLatin1Char('\n')));
    undisposedLabel_->setText(tr("%L1 undisposed").arg(pool.undisposedAllocations));
    const std::uint64_t chunkBytes = static_cast<std::uint64_t>(pool.chunkBytes);
    bytesLabel_->setText(
        tr("pool %1 rented / %2 retained · unpooled %3")
            .arg(mebibytes(static_cast<std::uint64_t>(pool.rentedChunks) * chunkBytes),
                 mebibytes(static_cast<std::uint64_t>(pool.retainedChunks) * chunkBytes),
                 mebibytes(pool.unpooledBytesLive)));
    if (pool.workloadRunning && !snapshot->fromRecording) {
        stateLabel_->setText(snapshot->phase.isEmpty() ? tr("Running") : snapshot->phase);
    }
}

QString MainWindow::statusText() const {
    return QStringList{stateLabel_->text(),   eventsLabel_->text(),     droppedLabel_->text(),
                       symbolsLabel_->text(), undisposedLabel_->text(), bytesLabel_->text()}
        .join(QStringLiteral(" | "));
}

void MainWindow::onRunFinished(const RunOutcome& outcome) {
    if (!outcome.error.isEmpty()) {
        stateLabel_->setText(tr("Failed: %1").arg(outcome.error));
    } else {
        stateLabel_->setText(outcome.cancelled
                                 ? tr("Stopped after %1 s").arg(outcome.seconds, 0, 'f', 1)
                                 : tr("Finished in %1 s").arg(outcome.seconds, 0, 'f', 1));
    }
    updateControls();
}

void MainWindow::selectAllocation(quint64 id) {
    poolMap_->setSelectedAllocation(id);
    layout_->setSelectedAllocation(id);
    leaks_->setSelectedAllocation(id);
}

void MainWindow::openRecording() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open recording"), QString(),
        tr("PoolScope recordings (*.poolscope *.recording *.sqlite *.db);;All files (*)"));
    if (!path.isEmpty()) {
        openRecordingFile(path);
    }
}

void MainWindow::openRecordingFile(const QString& path) {
    session_.openRecording(path);
}

void MainWindow::saveRecording() {
    const QString source = session_.lastRunRecording();
    if (source.isEmpty()) {
        return;
    }
    QString path = QFileDialog::getSaveFileName(this, tr("Save run as recording"),
                                                QStringLiteral("run.poolscope"),
                                                tr("PoolScope recordings (*.poolscope)"));
    if (path.isEmpty()) {
        return;
    }
    QFile::remove(path);
    if (!QFile::copy(source, path)) {
        QMessageBox::warning(this, tr("Save run as recording"),
                             tr("Could not write %1.").arg(path));
    }
}

void MainWindow::exportTimeline() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export timeline"), QStringLiteral("timeline.png"),
                                     tr("PNG image (*.png);;PDF (*.pdf)"));
    if (!path.isEmpty() && !timeline_->exportTo(path)) {
        QMessageBox::warning(this, tr("Export timeline"), tr("Could not write %1.").arg(path));
    }
}

void MainWindow::exportLeaks() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export leak table"), QStringLiteral("leaks.csv"), tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !leaks_->exportCsv(path, &error)) {
        QMessageBox::warning(this, tr("Export leak table"), error);
    }
}

void MainWindow::showView(const QString& name) {
    for (const auto& [viewName, dock] : docks_) {
        if (viewName == name) {
            dock->show();
            dock->raise();
        }
    }
}

void MainWindow::focusView(const QString& name) {
    if (name == QLatin1String("main")) {
        return;
    }
    for (const auto& [viewName, dock] : docks_) {
        dock->setVisible(viewName == name);
    }
}

bool MainWindow::selectSomethingToShow() {
    const std::shared_ptr<const SessionSnapshot> snapshot = session_.latestSnapshot();
    if (snapshot && snapshot->gcHeap) {
        // Only the first objects are tried: each path is a search of the whole snapshot.
        constexpr std::size_t kObjectsTried = 2000;
        std::size_t longest = 0;
        std::uintptr_t chosen = 0;
        const auto& objects = snapshot->gcHeap->objects;
        for (std::size_t i = 0; i < std::min(objects.size(), kObjectsTried); ++i) {
            const auto path = snapshot->gcHeap->retentionPathTo(objects[i].address);
            if (path && path->steps.size() > longest) {
                longest = path->steps.size();
                chosen = objects[i].address;
            }
        }
        if (chosen != 0) {
            presentLatest();
            gcHeap_->selectObject(chosen);
        }
    }
    if (!snapshot || !snapshot->allocations || snapshot->allocations->rows.empty()) {
        return false;
    }
    const auto& rows = snapshot->allocations->rows;
    const auto largest = std::max_element(
        rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
    presentLatest();
    selectAllocation(largest->id);
    return true;
}

QImage MainWindow::grabView(const QString& name) {
    if (name == QLatin1String("main")) {
        return grab().toImage();
    }
    for (const auto& [viewName, dock] : docks_) {
        if (viewName == name) {
            return dock->widget()->grab().toImage();
        }
    }
    return {};
}

}  // namespace poolscope
