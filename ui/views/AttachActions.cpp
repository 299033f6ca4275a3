#include "views/AttachActions.h"

#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QWidget>

#include "session/EngineSession.h"
#include "session/ProcessSampling.h"
#include "views/AttachDialog.h"

namespace poolscope {

AttachActions::AttachActions(EngineSession& session, QWidget* window)
    : QObject(window),
      session_(session),
      window_(window),
      attach_(new QAction(tr("&Attach to Program…"), this)),
      detach_(new QAction(tr("&Detach"), this)),
      sampling_(new ProcessSampling(this)) {
    attach_->setObjectName(QStringLiteral("attachAction"));
    detach_->setObjectName(QStringLiteral("detachAction"));
    attach_->setStatusTip(
        tr("Watch a program started with POOLSCOPE_LISTEN=1 live, or sample "
           "any process of yours from /proc"));
    detach_->setStatusTip(tr("Stop watching; the program goes on running"));
    connect(attach_, &QAction::triggered, this, &AttachActions::chooseProgram);
    connect(detach_, &QAction::triggered, this, &AttachActions::detach);
    connect(&session_, &EngineSession::attached, this, [this](const QString& program) {
        updateControls();
        if (session_.launchedProgram()) {
            return;  // a program launched here: LaunchActions speaks of it
        }
        emit attached(program);
        emit stateChanged(tr("Attached to %1").arg(program));
    });
    connect(&session_, &EngineSession::attachFailed, this,
            [this](const QString&, const QString& error) {
                emit stateChanged(tr("Could not attach"));
                tell(tr("Attach to program"), error);
                updateControls();
            });
    connect(&session_, &EngineSession::linkEnded, this, [this](const QString& reason) {
        updateControls();
        if (!session_.launchedProgram()) {
            emit stateChanged(
                tr("Link ended: %1. Its data stays; File > Save keeps it").arg(reason));
        }
    });
    connect(sampling_, &ProcessSampling::ended, this, [this](const QString& reason) {
        emit stateChanged(
            tr("Sampling /proc ended: %1. Its lanes stay on the timeline").arg(reason));
        emit samplingEnded();
        updateControls();
    });
    updateControls();
}

void AttachActions::tell(const QString& title, const QString& error) {
    if (window_->isVisible() && QApplication::platformName() != QLatin1String("offscreen")) {
        QMessageBox::warning(window_, title, error);
    }
}

void AttachActions::updateControls() {
    detach_->setEnabled(session_.isAttached() || sampling_->isSampling());
}

void AttachActions::chooseProgram() {
    AttachDialog dialog(window_);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    if (dialog.selectedProcessId() != 0) {
        sampleProcess(dialog.selectedProcessId());
    } else if (!dialog.selectedSocketPath().isEmpty()) {
        sampling_->stop();
        session_.attach(dialog.selectedSocketPath());
    }
}

void AttachActions::sampleProcess(pid_t pid) {
    if (session_.isAttached()) {
        session_.detach();
    }
    const QString error = sampling_->start(pid);
    if (!error.isEmpty()) {
        emit stateChanged(tr("Could not sample process %1").arg(pid));
        tell(tr("Sample a process"), error);
        updateControls();
        return;
    }
    emit samplingStarted(sampling_->description());
    emit stateChanged(
        tr("Sampling /proc of %1 (no stacks: use Launch program or the live link)").arg(pid));
    updateControls();
}

void AttachActions::detach() {
    if (sampling_->isSampling()) {
        sampling_->stop();
        emit stateChanged(
            tr("Stopped sampling /proc of %1; it goes on running").arg(sampling_->pid()));
        emit samplingEnded();
    }
    if (session_.isAttached()) {
        session_.detach();
    }
    updateControls();
}

}  // namespace poolscope
