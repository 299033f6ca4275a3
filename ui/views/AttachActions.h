#pragma once

#include <QObject>
#include <QString>

class QAction;
class QWidget;

namespace poolscope {

class EngineSession;

// File > Attach… and Detach: choose a program listening on the live link and show it in the
// window's views through the session, leave it, and say what became of it.
class AttachActions : public QObject {
    Q_OBJECT

public:
    AttachActions(EngineSession& session, QWidget* window);

    QAction* attachAction() const { return attach_; }
    QAction* detachAction() const { return detach_; }
    void updateControls();

public slots:
    // Opens the Attach dialog and attaches to the program chosen there.
    void chooseProgram();

signals:
    // What the status bar should say now.
    void stateChanged(const QString& text);
    // A program's events are about to fill the views: what was shown before goes.
    void attached(const QString& program);

private:
    EngineSession& session_;
    QWidget* window_;
    QAction* attach_;
    QAction* detach_;
};

}  // namespace poolscope
