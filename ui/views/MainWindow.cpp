#include "views/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QStyle>

#include <algorithm>

#include "session/EngineSession.h"
#include "session/ProcessSampling.h"
#include "views/AllocatorOptionsBar.h"
#include "views/AnalysesView.h"
#include "views/AttachActions.h"
#include "views/DockArrangement.h"
#include "views/GcHeapView.h"
#include "views/GcVsPoolView.h"
#include "views/LaunchActions.h"
#include "views/LayoutView.h"
#include "views/LeakView.h"
#include "views/PoolMapView.h"
#include "views/ProcessLanesView.h"
#include "views/ResourcesView.h"
#include "views/ResultsView.h"
#include "views/RunToolBar.h"
#include "views/SessionStatusBar.h"
#include "views/ThemeMenu.h"
#include "views/TimelineView.h"
#include "views/WhatIfView.h"

namespace poolscope {

namespace {

constexpr int kFrameMilliseconds = 33;

// The layout view's calculator and bands need about 240 px of height: below that its dock
// scrolls, so the tabs it shares over the leak table never hold that table to a floor.
QWidget* scrollingBelowItsMinimum(QWidget* view) {
    auto* scroll = new QScrollArea;
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(view);
    return scroll;
}

// The view a dock shows, inside the scroll area that may hold it.
QWidget* viewOf(const QDockWidget* dock) {
    auto* scroll = qobject_cast<QScrollArea*>(dock->widget());
    return scroll != nullptr ? scroll->widget() : dock->widget();
}

}  // namespace

void MainWindow::applySavedTheme() {
    ThemeMenu::applySaved();
}

QStringList MainWindow::viewNames() {
    return {QStringLiteral("main"),     QStringLiteral("pool"),    QStringLiteral("timeline"),
            QStringLiteral("layout"),   QStringLiteral("leaks"),   QStringLiteral("gc"),
            QStringLiteral("results"),  QStringLiteral("compare"), QStringLiteral("resources"),
            QStringLiteral("analyses"), QStringLiteral("whatif")};
}

MainWindow::MainWindow(EngineSession& session, QWidget* parent)
    : QMainWindow(parent), session_(session) {
    setObjectName(QStringLiteral("PoolScopeMainWindow"));
    setWindowTitle(QStringLiteral("PoolScope"));
    setWindowIcon(QIcon(QStringLiteral(":/poolscope/poolscope.png")));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    buildActions();
    runBar_ = new RunToolBar(session_, this);
    addToolBar(runBar_);
    allocatorBar_ = new AllocatorOptionsBar(this);
    addToolBar(allocatorBar_);
    connect(runBar_, &RunToolBar::startRequested, this, [this](bool holdAtFirstCheckpoint) {
        if (holdAtFirstCheckpoint) {
            startRunHeldAt(0);
        } else {
            startRun();
        }
    });
    connect(runBar_, &RunToolBar::controlsChanged, this, &MainWindow::updateControls);
    connect(runBar_, &RunToolBar::scenarioChosen, this, &MainWindow::arrangeForScenario);
    buildDocks();
    buildMenus();
    statusBar_ = new SessionStatusBar(this);
    setStatusBar(statusBar_);
    restoreSettings();

    connect(&session_, &EngineSession::snapshotPublished, this, &MainWindow::onSnapshot);
    connect(&session_, &EngineSession::runningChanged, this, &MainWindow::updateControls);
    connect(&session_, &EngineSession::runningChanged, this, [this](bool running) {
        if (running) {
            results_->showRunning(QString::fromStdString(session_.scenarioName()));
            compare_->clear();
        }
    });
    connect(&session_, &EngineSession::runFinished, this, &MainWindow::onRunFinished);
    connect(&session_, &EngineSession::recordingOpened, this, [this](const QString& path) {
        clearViews();
        analyses_->showRecording(path);
        // The picker names the scenario the file was made by, so Run repeats that run.
        const RecordedScenario& recorded = session_.recordedScenario();
        const bool known = !recorded.name.empty() &&
                           session_.trySetScenario(recorded.name, recorded.parameters).isEmpty();
        if (known) {
            runBar_->selectScenario(recorded.name, recorded.parameters);
        }
        setWindowTitle(
            known ? QStringLiteral("PoolScope — %1 (%2)")
                        .arg(QFileInfo(path).fileName(), QString::fromStdString(recorded.name))
                  : QStringLiteral("PoolScope — %1").arg(QFileInfo(path).fileName()));
        if (const std::shared_ptr<const RecordedRunResults>& recorded =
                session_.recordedResults()) {
            results_->showRecording(*recorded);
        }
        compare_->clear();
        statusBar_->setState(tr("Recording"));
        updateControls();
    });
    connect(&session_, &EngineSession::recordingFailed, this,
            [this](const QString& path, const QString& error) {
                statusBar_->setState(tr("Could not open %1").arg(QFileInfo(path).fileName()));
                if (isVisible() && QApplication::platformName() != QLatin1String("offscreen")) {
                    QMessageBox::warning(this, tr("Open recording"), error);
                }
            });
    connect(&session_, &EngineSession::runRecordingReady, this, &MainWindow::updateControls);
    connect(&session_, &EngineSession::runRecordingReady, this,
            [this](const QString& path, const QString& error) {
                if (error.isEmpty()) {
                    analyses_->showRecording(path);
                }
            });
    // Stop ends a launched program while it runs.
    connect(&session_, &EngineSession::attached, this, &MainWindow::updateControls);
    connect(&session_, &EngineSession::linkEnded, this, &MainWindow::updateControls);
    connectWhatIf();
    frameTimer_.setInterval(kFrameMilliseconds);
    connect(&frameTimer_, &QTimer::timeout, this, &MainWindow::presentLatest);
    updateControls();
}

MainWindow::~MainWindow() = default;

// After the window's own handlers of the same signals, which clear every view first.
void MainWindow::connectWhatIf() {
    whatIf_->setAllocatorOptions(allocatorBar_->options());
    connect(allocatorBar_, &AllocatorOptionsBar::optionsChanged, this,
            [this] { whatIf_->setAllocatorOptions(allocatorBar_->options()); });
    connect(&session_, &EngineSession::recordingOpened, whatIf_, &WhatIfView::showRecording);
    connect(&session_, &EngineSession::runRecordingReady, this,
            [this](const QString& path, const QString& error) {
                if (error.isEmpty()) {
                    whatIf_->showRecording(path);
                }
            });
}

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
    saveAction_ = new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton),
                              tr("&Save Run as Recording…"), this);
    saveAction_->setShortcut(QKeySequence::Save);
    connect(saveAction_, &QAction::triggered, this, &MainWindow::saveRecording);
    liveAction_ = new QAction(tr("Back to &Live Engine"), this);
    connect(liveAction_, &QAction::triggered, this, [this] {
        session_.showLive();
        clearViews();
        setWindowTitle(QStringLiteral("PoolScope"));
        statusBar_->setState(tr("Live"));
        updateControls();
    });
    attach_ = new AttachActions(session_, this);
    connect(attach_, &AttachActions::stateChanged, this,
            [this](const QString& text) { statusBar_->setState(text); });
    connect(attach_, &AttachActions::attached, this, [this](const QString& program) {
        timeline_->clear();
        timeline_->showLanes(false);
        setWindowTitle(QStringLiteral("PoolScope — %1").arg(program));
    });
    launch_ = new LaunchActions(session_, this);
    connect(launch_, &LaunchActions::stateChanged, this,
            [this](const QString& text) { statusBar_->setState(text); });
    connect(launch_, &LaunchActions::launched, this, [this](const QString& program) {
        clearViews();
        setWindowTitle(QStringLiteral("PoolScope — %1").arg(program));
        showView(QStringLiteral("leaks"));
    });
    // Queued: the Launch dialog closes first.
    connect(launch_, &LaunchActions::attachRequested, attach_, &AttachActions::chooseProgram,
            Qt::QueuedConnection);
}

void MainWindow::buildDocks() {
    poolMap_ = new PoolMapView(this);
    timeline_ = new TimelineView(this);
    layout_ = new LayoutView(this);
    leaks_ = new LeakView(this);
    gcHeap_ = new GcHeapView(this);
    results_ = new ResultsView(this);
    compare_ = new GcVsPoolView(this);
    resources_ = new ResourcesView(this);
    analyses_ = new AnalysesView(this);
    whatIf_ = new WhatIfView(this);

    resultsDock_ =
        addViewDock(results_, tr("Results"), QStringLiteral("results"), Qt::RightDockWidgetArea);
    addViewDock(compare_, tr("GC vs pool"), QStringLiteral("compare"), Qt::RightDockWidgetArea);
    addViewDock(poolMap_, tr("Pool map"), QStringLiteral("pool"), Qt::LeftDockWidgetArea);
    addViewDock(timeline_, tr("Timeline"), QStringLiteral("timeline"), Qt::LeftDockWidgetArea);
    addViewDock(scrollingBelowItsMinimum(layout_), tr("Layout"), QStringLiteral("layout"),
                Qt::RightDockWidgetArea);
    addViewDock(gcHeap_, tr("GC heap"), QStringLiteral("gc"), Qt::RightDockWidgetArea);
    addViewDock(leaks_, tr("Leaks"), QStringLiteral("leaks"), Qt::RightDockWidgetArea);
    addViewDock(resources_, tr("Resources"), QStringLiteral("resources"), Qt::RightDockWidgetArea);
    QDockWidget* analysesDock = addViewDock(analyses_, analyses_->windowTitle(),
                                            QStringLiteral("analyses"), Qt::RightDockWidgetArea);
    // The dock's title says which time range the analyses show.
    connect(analyses_, &QWidget::windowTitleChanged, analysesDock, &QDockWidget::setWindowTitle);
    // A plot over two tables needs more height than the window's smallest size leaves the
    // column it shares: there it scrolls, asking the column for no height of its own.
    QWidget* whatIfScroll = scrollingBelowItsMinimum(whatIf_);
    whatIfScroll->setMinimumHeight(1);
    addViewDock(whatIfScroll, tr("What if pooled"), QStringLiteral("whatif"),
                Qt::RightDockWidgetArea);
    arrangement_ = new DockArrangement(*this, docks_);

    connect(poolMap_, &PoolMapView::allocationSelected, this, &MainWindow::selectAllocation);
    connect(leaks_, &LeakView::allocationSelected, this, &MainWindow::selectAllocation);
    connect(leaks_, &LeakView::checkpointRequested, &session_, &EngineSession::addCheckpoint);
    connect(timeline_, &TimelineView::timeRangeSelected, leaks_, &LeakView::setTimeRange);
    connect(timeline_, &TimelineView::timeRangeCleared, leaks_, &LeakView::clearTimeRange);
    connect(timeline_, &TimelineView::timeRangeSelected, analyses_, &AnalysesView::setTimeRange);
    connect(timeline_, &TimelineView::timeRangeCleared, analyses_, &AnalysesView::clearTimeRange);
    // A process sampled from /proc has no pool to stack: its own lanes take the timeline's place.
    auto* processLanes = new ProcessLanesView(timeline_);
    timeline_->addLanes(processLanes);
    connect(&attach_->processSampling(), &ProcessSampling::samplesArrived, processLanes,
            &ProcessLanesView::appendSamples);
    connect(attach_, &AttachActions::samplingStarted, this,
            [this, processLanes](const QString& process) {
                clearViews();
                processLanes->clear();
                processLanes->setTitle(
                    tr("%1 sampled from /proc: memory and descriptors, no stacks").arg(process));
                timeline_->showLanes(true);
                setWindowTitle(QStringLiteral("PoolScope — %1").arg(process));
            });
    connect(gcHeap_, &GcHeapView::collectRequested, &session_, &EngineSession::requestCollection);
    connect(gcHeap_, &GcHeapView::stepLessonRequested, runBar_->stepAction(), &QAction::trigger);
    connect(results_, &ResultsView::imageLayoutRequested, layout_, &LayoutView::showCalculation);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton),
                                    tr("&Open Recording…"), this, &MainWindow::openRecording);
    open->setShortcut(QKeySequence::Open);
    file->addAction(launch_->launchAction());
    file->addAction(attach_->attachAction());
    file->addAction(attach_->detachAction());
    file->addAction(saveAction_);
    file->addAction(liveAction_);
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Timeline as PNG or PDF…"), this, &MainWindow::exportTimeline);
    exportMenu->addAction(tr("Leak table as CSV…"), this, &MainWindow::exportLeaks);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addActions({runBar_->runAction(), runBar_->pauseAction(), runBar_->stepAction(),
                     runBar_->stopAction()});
    run->addSeparator();
    run->addAction(runBar_->parametersAction());
    run->addAction(runBar_->checkpointAction());

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (const auto& [name, dock] : docks_) {
        view->addAction(dock->toggleViewAction());
    }
    view->addSeparator();
    QAction* reset = view->addAction(tr("&Reset Layout"), arrangement_, &DockArrangement::reset);
    reset->setObjectName(QStringLiteral("resetLayoutAction"));
    view->addMenu(new ThemeMenu(view));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About PoolScope"), this, [this] {
        QMessageBox::about(
            this, tr("About PoolScope"),
            tr("<b>PoolScope %1</b><br>Shows what a pooled image allocator and a generational "
               "garbage collector do with memory, live.")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::restoreSettings() {
    QSettings settings;
    resize(settings.value(QStringLiteral("window/size"), QSize(1500, 940)).toSize());
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    allocatorBar_->restoreSettings(settings);
    runBar_->restoreSettings(settings);
    arrangeForScenario(runBar_->scenarioName());
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    // A window cut down to one view for a picture is not the person's arrangement.
    if (!focusedOnOneView_) {
        arrangement_->save(settings);
    }
    allocatorBar_->saveSettings(settings);
    runBar_->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::startRun() {
    const ScenarioCatalogue::Entry* entry =
        EngineSession::catalogue().find(runBar_->scenarioName());
    // A lesson opens on its first checkpoint with its words and picture shown, whatever the
    // speed: the teacher starts it.
    const bool teaching = entry != nullptr && entry->kind == ScenarioKind::Teaching;
    startRunWith(teaching ? std::optional<std::uint64_t>(0) : std::nullopt, true);
}

void MainWindow::startRunHeldAt(std::uint64_t checkpoint) {
    startRunWith(checkpoint, true);
}

void MainWindow::startRunToTheEnd() {
    startRunWith(std::nullopt, false);
}

void MainWindow::startRunWith(std::optional<std::uint64_t> holdAt, bool paced) {
    session_.setAllocatorOptions(allocatorBar_->options());
    timeline_->clear();
    const double rate = paced ? runBar_->stepsPerSecond() : 0.0;
    session_.setAutoStepRate(rate);
    session_.setStepMode(rate > 0.0);
    if (holdAt) {
        session_.holdNextRunAtCheckpoint(*holdAt);
    }
    if (!session_.start()) {
        return;
    }
    if (!holdAt && rate > 0.0) {
        session_.resume();
    }
    updateControls();
    setWindowTitle(QStringLiteral("PoolScope — %1").arg(runBar_->scenarioName()));
}

void MainWindow::setAllocatorOptions(const SessionAllocatorOptions& options) {
    allocatorBar_->setOptions(options);
    session_.setAllocatorOptions(options);
}

void MainWindow::selectScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    runBar_->selectScenario(name, parameters);
}

void MainWindow::arrangeForScenario(const QString& name) {
    const ScenarioCatalogue::Entry* entry = EngineSession::catalogue().find(name);
    arrangement_->arrangeFor(entry != nullptr ? entry->kind : ScenarioKind::PoolBehaviour);
    // gc-vs-pool is a lesson whose picture is the side-by-side panes, not the heap alone.
    if (entry != nullptr && entry->comparesHeapWithPool) {
        for (const auto& [viewName, dock] : docks_) {
            if (viewName == QLatin1String("compare")) {
                dock->raise();
            }
        }
    }
}

void MainWindow::updateControls() {
    const bool running = session_.isRunning();
    runBar_->updateControls();
    allocatorBar_->setEditable(!running);
    saveAction_->setEnabled(!running && !session_.lastRunRecording().isEmpty());
    liveAction_->setEnabled(session_.showsRecording());
    attach_->updateControls();
    gcHeap_->setLessonControlsEnabled(running);
}

void MainWindow::onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    // The timeline appends every snapshot's samples; the rest show only the newest.
    timeline_->setSnapshot(snapshot);
    compare_->addSnapshot(snapshot);
    pending_ = snapshot;
    if (!frameTimer_.isActive()) {
        frameTimer_.start();
    }
}

void MainWindow::presentLatest() {
    if (!pending_) {
        frameTimer_.stop();  // nothing new: an idle window does not wake up
        return;
    }
    const std::shared_ptr<const SessionSnapshot> snapshot = std::exchange(pending_, nullptr);
    poolMap_->setSnapshot(snapshot);
    layout_->setSnapshot(snapshot);
    leaks_->setSnapshot(snapshot);
    resources_->setSnapshot(snapshot);
    analyses_->setTimeOrigin(snapshot->timeOriginNanoseconds);
    if (snapshot->gcHeap) {
        gcHeap_->setSnapshot(snapshot->gcHeap);
    }
    if (!snapshot->phase.isEmpty() || !snapshot->explanation.isEmpty()) {
        gcHeap_->setLesson(snapshot->phase, snapshot->explanation);
    }

    statusBar_->showSnapshot(*snapshot);
}

void MainWindow::clearViews() {
    pending_.reset();
    auto empty = std::make_shared<SessionSnapshot>();
    empty->allocations = std::make_shared<const AllocationTable>();
    empty->stacks = std::make_shared<const StackCatalog>();
    selectAllocation(0);
    leaks_->showAllAllocations();
    poolMap_->setSnapshot(empty);
    layout_->setSnapshot(empty);
    leaks_->setSnapshot(empty);
    resources_->setSnapshot(empty);
    analyses_->clear();
    whatIf_->clear();
    gcHeap_->setSnapshot(nullptr);
    gcHeap_->setLesson({}, {});
    timeline_->clear();
    timeline_->showLanes(false);
    statusBar_->showSnapshot(*empty);
}

QString MainWindow::statusText() const {
    return statusBar_->text();
}

void MainWindow::onRunFinished(const RunOutcome& outcome) {
    results_->showRun(outcome);
    compare_->showRun(outcome);
    // The results come forward when a run ends, unless the leak table is what it is about.
    const ScenarioCatalogue::Entry* entry =
        EngineSession::catalogue().find(QString::fromStdString(outcome.scenario));
    if ((entry == nullptr || entry->kind != ScenarioKind::LeakHunting) &&
        resultsDock_->toggleViewAction()->isChecked()) {
        resultsDock_->raise();
    }
    if (!outcome.error.isEmpty()) {
        statusBar_->setState(tr("Failed: %1").arg(outcome.error));
    } else {
        statusBar_->setState(outcome.cancelled
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
        tr("PoolScope recordings (*.psrec *.poolscope *.recording *.sqlite *.db);;All files (*)"));
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
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save run as recording"), QStringLiteral("run.psrec"),
                                     tr("PoolScope recordings (*.psrec *.poolscope)"));
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
    focusedOnOneView_ = true;
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

bool MainWindow::viewIsComputing(const QString& name) const {
    return (name == QLatin1String("analyses") && analyses_->analysis().busy()) ||
           (name == QLatin1String("whatif") && whatIf_->analysis().busy());
}

QImage MainWindow::grabView(const QString& name) {
    if (name == QLatin1String("main")) {
        return grab().toImage();
    }
    for (const auto& [viewName, dock] : docks_) {
        if (viewName == name) {
            return viewOf(dock)->grab().toImage();
        }
    }
    return {};
}

}  // namespace poolscope
