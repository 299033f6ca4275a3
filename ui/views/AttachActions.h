#pragma once

#include <QObject>
#include <QString>

#include <sys/types.h>

class QAction;
class QWidget;

namespace poolscope {

class EngineSession;
class ProcessSampling;

// File > Attach… and Detach: choose a program listening on the live link and show it in the
// window's views through the session, or any process of the user to sample from /proc; leave
// it, and say what became of it.
class AttachActions : public QObject {
    Q_OBJECT

public:
    AttachActions(EngineSession& session, QWidget* window);

    QAction* attachAction() const { return attach_; }
    QAction* detachAction() const { return detach_; }
    ProcessSampling& processSampling() const { return *sampling_; }
    void updateControls();

public slots:
    // Opens the Attach dialog and attaches to the program chosen there.
    void chooseProgram();
    // Samples the process from /proc (leaving a program attached over the link first); says
    // why in the status bar and a message box when it cannot.
    void sampleProcess(pid_t pid);

signals:
    // What the status bar should say now.
    void stateChanged(const QString& text);
    // A program's events are about to fill the views: what was shown before goes.
    void attached(const QString& program);
    // A process is sampled from /proc from now on: its lanes replace the timeline's plot.
    void samplingStarted(const QString& process);
    // Sampling ended (the process exited, or Detach): the lanes stay as they are.
    void samplingEnded();

private:
    void detach();
    void tell(const QString& title, const QString& error);

    EngineSession& session_;
    QWidget* window_;
    QAction* attach_;
    QAction* detach_;
    ProcessSampling* sampling_;
};

}  // namespace poolscope
