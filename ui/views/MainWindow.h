#pragma once

#include <QMainWindow>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "session/EngineSession.h"
#include "session/SessionSnapshot.h"

class QAction;
class QDockWidget;

namespace poolscope {

class AllocatorOptionsBar;
class AnalysesView;
class AttachActions;
class DockArrangement;
class EngineSession;
class GcHeapView;
class GcVsPoolView;
class LaunchActions;
class LayoutView;
class LeakView;
class PoolMapView;
class ResourcesView;
class ResultsView;
class RunToolBar;
class SessionStatusBar;
class TimelineView;
class WhatIfView;
struct RunOutcome;

// PoolScope's window: the pool map, the timeline, the layout, the leak table and the managed
// heap as dockable views over one EngineSession, a toolbar to choose and drive a scenario and
// its allocator, and a status bar with the session's figures. Views get the session's
// snapshots; the timeline every one of them (it appends), the others the latest once per frame.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // The views by the names `--view` takes.
    static QStringList viewNames();
    // Fusion with the theme chosen in View > Theme: the system's (dark when its palette is),
    // light or dark. Call once the application exists.
    static void applySavedTheme();

    explicit MainWindow(EngineSession& session, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Sets the allocator controls of the toolbar; the next run uses them.
    void setAllocatorOptions(const SessionAllocatorOptions& options);
    // Chooses the scenario in the picker (and the session) with these parameters.
    void selectScenario(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& parameters);
    // The named view as it looks now; the whole window for "main". Null image for an unknown
    // name.
    QImage grabView(const QString& name);
    // Brings the named view's dock to the front.
    void showView(const QString& name);
    // Shows only the named view's dock, filling the window ("main": every dock, as laid out).
    void focusView(const QString& name);
    // Selects the largest live allocation in every view, so the layout and the leak table's
    // stack pane show something, and the managed object with the longest retention path in
    // the heap view; false when nothing is live.
    bool selectSomethingToShow();
    // The named view still works out what it will show, off the GUI thread.
    bool viewIsComputing(const QString& name) const;

    DockArrangement* dockArrangement() const { return arrangement_; }
    PoolMapView* poolMapView() const { return poolMap_; }
    TimelineView* timelineView() const { return timeline_; }
    LayoutView* layoutView() const { return layout_; }
    LeakView* leakView() const { return leaks_; }
    GcHeapView* gcHeapView() const { return gcHeap_; }
    ResultsView* resultsView() const { return results_; }
    GcVsPoolView* gcVsPoolView() const { return compare_; }
    ResourcesView* resourcesView() const { return resources_; }
    AnalysesView* analysesView() const { return analyses_; }
    WhatIfView* whatIfView() const { return whatIf_; }
    // File > Launch Program… and what the window says of a launched program.
    LaunchActions* launchActions() const { return launch_; }
    // The status bar's figures, as shown.
    QString statusText() const;

public slots:
    // Runs the chosen scenario with the toolbar's allocator and speed, as the Run button does;
    // a lesson is held at its first checkpoint.
    void startRun();
    // Runs it held at this checkpoint (0: the first, as Step before any run asks).
    void startRunHeldAt(std::uint64_t checkpoint);
    // Runs it freely to its end, whatever its kind and the speed: for a screenshot of a run.
    void startRunToTheEnd();
    void openRecording();
    void openRecordingFile(const QString& path);
    void saveRecording();
    void exportTimeline();
    void exportLeaks();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    // holdAt: step mode up to that checkpoint; paced: the toolbar's speed applies.
    void startRunWith(std::optional<std::uint64_t> holdAt, bool paced);
    void buildActions();
    void buildDocks();
    void buildMenus();
    void connectWhatIf();
    void restoreSettings();
    void saveSettings() const;
    void updateControls();
    void onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
    void presentLatest();
    // Every view shows nothing: the previous session's figures, selection and stack go before
    // another session's are shown.
    void clearViews();
    void onRunFinished(const RunOutcome& outcome);
    void selectAllocation(quint64 id);
    // Arranges the docks for the scenario's kind of task.
    void arrangeForScenario(const QString& name);
    QDockWidget* addViewDock(QWidget* view, const QString& title, const QString& name,
                             Qt::DockWidgetArea area);

    EngineSession& session_;

    PoolMapView* poolMap_ = nullptr;
    TimelineView* timeline_ = nullptr;
    LayoutView* layout_ = nullptr;
    LeakView* leaks_ = nullptr;
    GcHeapView* gcHeap_ = nullptr;
    ResultsView* results_ = nullptr;
    GcVsPoolView* compare_ = nullptr;
    ResourcesView* resources_ = nullptr;
    AnalysesView* analyses_ = nullptr;
    WhatIfView* whatIf_ = nullptr;
    QDockWidget* resultsDock_ = nullptr;
    std::vector<std::pair<QString, QDockWidget*>> docks_;
    DockArrangement* arrangement_ = nullptr;

    RunToolBar* runBar_ = nullptr;
    AllocatorOptionsBar* allocatorBar_ = nullptr;
    SessionStatusBar* statusBar_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* liveAction_ = nullptr;
    AttachActions* attach_ = nullptr;
    LaunchActions* launch_ = nullptr;

    // Latest snapshot not yet shown by the views that show only the present.
    std::shared_ptr<const SessionSnapshot> pending_;
    QTimer frameTimer_;
    bool focusedOnOneView_ = false;  // focusView() hid every other view
};

}  // namespace poolscope
