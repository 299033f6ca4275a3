#pragma once

#include <QObject>
#include <QString>

#include <optional>
#include <utility>
#include <vector>

#include "scenarios/Scenario.h"

class QDockWidget;
class QMainWindow;
class QSettings;

namespace poolscope {

// Where the window's docks go for the task at hand. Each kind of scenario has a default
// arrangement that gives room to the views it is about (a lesson: the managed heap; a leak
// hunt: the leak table and its stack; pool behaviour: the pool map and the timeline). The
// person's own arrangement is remembered per kind (QSettings), and View > Reset layout
// brings the default back.
class DockArrangement : public QObject {
    Q_OBJECT

public:
    // The docks by the names `--view` takes: pool, timeline, layout, gc, leaks, and when the
    // window has them, results, compare and resources.
    DockArrangement(QMainWindow& window, std::vector<std::pair<QString, QDockWidget*>> docks);

    // Keeps the current kind's arrangement, then shows this kind's: the one saved for it, else
    // its default.
    void arrangeFor(ScenarioKind kind);
    // The current kind's default arrangement; the saved one is forgotten.
    void reset();
    // The current kind's arrangement into the settings.
    void save(QSettings& settings) const;
    std::optional<ScenarioKind> kind() const { return kind_; }

    static QString settingsKey(ScenarioKind kind);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QDockWidget* dock(const QString& name) const;
    void placeDefault();
    // Dock sizes need a laid-out window: they wait for the first show.
    void resizeDefault();

    QMainWindow& window_;
    std::vector<std::pair<QString, QDockWidget*>> docks_;
    std::optional<ScenarioKind> kind_;
    bool resizePending_ = false;
};

}  // namespace poolscope
