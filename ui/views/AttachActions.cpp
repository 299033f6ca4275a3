#include "views/AttachActions.h"

#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QWidget>

#include "session/EngineSession.h"
#include "views/AttachDialog.h"

namespace poolscope {

AttachActions::AttachActions(EngineSession& session, QWidget* window)
    : QObject(window),
      session_(session),
      window_(window),
      attach_(new QAction(tr("&Attach to Program…"), this)),
      detach_(new QAction(tr("&Detach"), this)) {
    attach_->setObjectName(QStringLiteral("attachAction"));
    detach_->setObjectName(QStringLiteral("detachAction"));
    attach_->setStatusTip(tr("Watch a program started with POOLSCOPE_LISTEN=1, live"));
    detach_->setStatusTip(tr("Stop watching; the program goes on running"));
    connect(attach_, &QAction::triggered, this, &AttachActions::chooseProgram);
    connect(detach_, &QAction::triggered, &session_, &EngineSession::detach);
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
                if (window_->isVisible() &&
                    QApplication::platformName() != QLatin1String("offscreen")) {
                    QMessageBox::warning(window_, tr("Attach to program"), error);
                }
                updateControls();
            });
    connect(&session_, &EngineSession::linkEnded, this, [this](const QString& reason) {
        updateControls();
        if (!session_.launchedProgram()) {
            emit stateChanged(
                tr("Link ended: %1. Its data stays; File > Save keeps it").arg(reason));
        }
    });
    updateControls();
}

void AttachActions::updateControls() {
    detach_->setEnabled(session_.isAttached());
}

void AttachActions::chooseProgram() {
    AttachDialog dialog(window_);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedSocketPath().isEmpty()) {
        return;
    }
    session_.attach(dialog.selectedSocketPath());
}

}  // namespace poolscope
