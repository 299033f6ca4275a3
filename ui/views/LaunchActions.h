#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QAction;
class QWidget;

namespace poolscope {

class EngineSession;
class LaunchedProgram;

// File > Launch Program…: starts a program under the interposer from the Launch dialog and
// shows it in the window's views through the session, and says in the status bar which program
// it is, its pid, and whether it runs or how it ended. Stop ends it.
class LaunchActions : public QObject {
    Q_OBJECT

public:
    LaunchActions(EngineSession& session, QWidget* window);

    QAction* launchAction() const { return launch_; }

public slots:
    // Opens the Launch dialog and shows the program started there.
    void chooseProgram();
    // Shows a program already started; its recording goes to `recordTo` when not empty.
    void show(std::shared_ptr<poolscope::LaunchedProgram> program, const QString& recordTo);

signals:
    // What the status bar should say now.
    void stateChanged(const QString& text);
    // A program's events are about to fill the views: what was shown before goes.
    void launched(const QString& program);
    // The dialog offered File > Attach… for a program LD_PRELOAD cannot watch, and it was taken.
    void attachRequested();

private:
    EngineSession& session_;
    QWidget* window_;
    QAction* launch_;
    QString program_;  // the program shown, in words
};

}  // namespace poolscope
