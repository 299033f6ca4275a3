#include "views/LaunchActions.h"

#include <QAction>
#include <QFileInfo>
#include <QWidget>

#include "native/LaunchedProgram.h"
#include "session/EngineSession.h"
#include "views/LaunchDialog.h"

namespace poolscope {

LaunchActions::LaunchActions(EngineSession& session, QWidget* window)
    : QObject(window),
      session_(session),
      window_(window),
      launch_(new QAction(tr("&Launch Program…"), this)) {
    launch_->setObjectName(QStringLiteral("launchAction"));
    launch_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    launch_->setStatusTip(
        tr("Run a program with its heap, mappings and descriptors watched, from its first call"));
    connect(launch_, &QAction::triggered, this, &LaunchActions::chooseProgram);
    // The session says the same for a program attached over the live link: these words are
    // for the one launched here.
    connect(&session_, &EngineSession::attached, this, [this](const QString& program) {
        if (session_.launchedProgram()) {
            program_ = program;
            emit stateChanged(tr("Running %1").arg(program));
        }
    });
    connect(&session_, &EngineSession::linkEnded, this, [this](const QString& reason) {
        if (session_.launchedProgram()) {
            emit stateChanged(
                tr("%1 %2. Its data stays; File > Save keeps it").arg(program_, reason));
        }
    });
}

void LaunchActions::chooseProgram() {
    LaunchDialog dialog(window_);
    connect(&dialog, &LaunchDialog::attachRequested, this, &LaunchActions::attachRequested);
    if (dialog.exec() != QDialog::Accepted || !dialog.launchedProgram()) {
        return;
    }
    show(dialog.launchedProgram(), dialog.recordTo());
}

void LaunchActions::show(std::shared_ptr<LaunchedProgram> program, const QString& recordTo) {
    const QString name = QFileInfo(QString::fromStdString(program->programPath())).fileName();
    emit launched(name);
    emit stateChanged(tr("Starting %1 (pid %2)").arg(name).arg(program->pid()));
    session_.showLaunched(std::move(program), recordTo);
}

}  // namespace poolscope
