#pragma once

#include <QMainWindow>
#include <QString>
#include <QTimer>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "session/EngineSession.h"
#include "session/SessionSnapshot.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QProgressBar;
class QSpinBox;

namespace poolscope {

class EngineSession;
class GcHeapView;
class LayoutView;
class LeakView;
class PoolMapView;
class TimelineView;
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

    PoolMapView* poolMapView() const { return poolMap_; }
    TimelineView* timelineView() const { return timeline_; }
    LayoutView* layoutView() const { return layout_; }
    LeakView* leakView() const { return leaks_; }
    GcHeapView* gcHeapView() const { return gcHeap_; }
    // The status bar's figures, as shown.
    QString statusText() const;

public slots:
    // Runs the chosen scenario with the toolbar's allocator and speed, as the Run button does.
    void startRun();
    void openRecording();
    void openRecordingFile(const QString& path);
    void saveRecording();
    void exportTimeline();
    void exportLeaks();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildToolBar();
    void buildDocks();
    void buildMenus();
    void buildStatusBar();
    void restoreSettings();
    void saveSettings() const;
    void applyAllocatorOptions();
    void updateControls();
    void onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
    void presentLatest();
    void onRunFinished(const RunOutcome& outcome);
    void selectAllocation(quint64 id);
    void editParameters();
    void arrangeForScenario(const std::string& name);
    QDockWidget* addViewDock(QWidget* view, const QString& title, const QString& name,
                             Qt::DockWidgetArea area);

    EngineSession& session_;
    std::vector<std::pair<std::string, std::string>> parameters_;

    PoolMapView* poolMap_ = nullptr;
    TimelineView* timeline_ = nullptr;
    LayoutView* layout_ = nullptr;
    LeakView* leaks_ = nullptr;
    GcHeapView* gcHeap_ = nullptr;
    std::vector<std::pair<QString, QDockWidget*>> docks_;

    QComboBox* scenarioPicker_ = nullptr;
    QComboBox* speed_ = nullptr;
    QSpinBox* poolMegabytes_ = nullptr;
    QSpinBox* trimSeconds_ = nullptr;
    QComboBox* allocatorKind_ = nullptr;
    QCheckBox* preferContiguous_ = nullptr;
    QAction* runAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* parametersAction_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* liveAction_ = nullptr;
    QAction* checkpointAction_ = nullptr;

    QProgressBar* progress_ = nullptr;
    QLabel* eventsLabel_ = nullptr;
    QLabel* droppedLabel_ = nullptr;
    QLabel* symbolsLabel_ = nullptr;
    QLabel* undisposedLabel_ = nullptr;
    QLabel* bytesLabel_ = nullptr;
    QLabel* stateLabel_ = nullptr;

    // Latest snapshot not yet shown by the views that show only the present.
    std::shared_ptr<const SessionSnapshot> pending_;
    QTimer frameTimer_;
    bool paused_ = false;
};

}  // namespace poolscope
