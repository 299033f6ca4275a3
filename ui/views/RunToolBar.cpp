#include "views/RunToolBar.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>

#include <algorithm>

#include "session/EngineSession.h"
#include "views/PaletteIcon.h"
#include "views/ScenarioParametersDialog.h"

namespace poolscope {

namespace {

// Steps per second of each speed setting; 0 runs freely.
struct SpeedSetting {
    const char* label;
    double stepsPerSecond;
};
constexpr SpeedSetting kSpeeds[] = {
    {"Full speed", 0.0}, {"10 steps/s", 10.0}, {"2 steps/s", 2.0},
    {"1 step/s", 1.0},   {"1 step/2 s", 0.5},
};

QString scenarioToolTip(const ScenarioCatalogue::Entry& entry) {
    if (entry.checkpointNames.isEmpty()) {
        return entry.description;
    }
    return RunToolBar::tr("%1\nCheckpoints: %2")
        .arg(entry.description, entry.checkpointNames.join(QStringLiteral(", ")));
}

}  // namespace

RunToolBar::RunToolBar(EngineSession& session, QWidget* parent)
    : QToolBar(tr("Run"), parent), session_(session) {
    setObjectName(QStringLiteral("RunToolBar"));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    buildActions();

    scenarioPicker_ = new QComboBox(this);
    scenarioPicker_->setObjectName(QStringLiteral("scenarioPicker"));
    for (const ScenarioCatalogue::Entry& entry : EngineSession::catalogue().entries()) {
        scenarioPicker_->addItem(entry.name, entry.name);
        scenarioPicker_->setItemData(scenarioPicker_->count() - 1, scenarioToolTip(entry),
                                     Qt::ToolTipRole);
    }
    connect(scenarioPicker_, &QComboBox::currentIndexChanged, this, [this] {
        parameters_.clear();
        session_.setScenario(scenarioName().toStdString(), parameters_);
        emit scenarioChosen(scenarioName());
    });
    addWidget(new QLabel(tr(" Scenario "), this));
    addWidget(scenarioPicker_);
    addAction(parametersAction_);
    addSeparator();
    addAction(runAction_);
    addAction(pauseAction_);
    addAction(backAction_);
    addAction(stepAction_);
    addAction(stopAction_);

    speed_ = new QComboBox(this);
    speed_->setObjectName(QStringLiteral("speed"));
    for (const SpeedSetting& setting : kSpeeds) {
        speed_->addItem(tr(setting.label));
    }
    speed_->setToolTip(tr("How fast the scenario goes from checkpoint to checkpoint"));
    connect(speed_, &QComboBox::currentIndexChanged, this, [this](int index) {
        session_.setAutoStepRate(kSpeeds[std::max(index, 0)].stepsPerSecond);
    });
    addWidget(speed_);
    addSeparator();
}

void RunToolBar::buildActions() {
    runAction_ = new QAction(PaletteIcon::make(PaletteIcon::Glyph::Play), tr("&Run"), this);
    runAction_->setShortcut(Qt::Key_F5);
    runAction_->setToolTip(tr("Run the scenario (F5)"));
    connect(runAction_, &QAction::triggered, this, [this] {
        if (session_.isRunning() && session_.paused()) {
            session_.resume();
            emit controlsChanged();
            return;
        }
        emit startRequested(false);
    });
    pauseAction_ = new QAction(PaletteIcon::make(PaletteIcon::Glyph::Pause), tr("&Pause"), this);
    pauseAction_->setShortcut(Qt::Key_F6);
    pauseAction_->setToolTip(tr("Pause at the next checkpoint (F6)"));
    connect(pauseAction_, &QAction::triggered, this, [this] {
        session_.pause();
        emit controlsChanged();
    });
    backAction_ =
        new QAction(PaletteIcon::make(PaletteIcon::Glyph::SeekBackward), tr("&Back"), this);
    backAction_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F10));
    backAction_->setToolTip(
        tr("Go back to the previous checkpoint: the run starts again and holds there "
           "(Shift+F10)"));
    connect(backAction_, &QAction::triggered, this, [this] {
        session_.stepBack();
        emit controlsChanged();
    });
    stepAction_ =
        new QAction(PaletteIcon::make(PaletteIcon::Glyph::SeekForward), tr("S&tep"), this);
    stepAction_->setShortcut(Qt::Key_F10);
    stepAction_->setToolTip(tr("Go on to the next checkpoint, then hold (F10)"));
    connect(stepAction_, &QAction::triggered, this, [this] {
        if (!session_.isRunning()) {
            emit startRequested(true);  // a fresh run, held at its first checkpoint
            return;
        }
        session_.step();
        emit controlsChanged();
    });
    stopAction_ = new QAction(PaletteIcon::make(PaletteIcon::Glyph::Stop), tr("St&op"), this);
    stopAction_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    stopAction_->setToolTip(tr("Stop the run (Shift+F5)"));
    connect(stopAction_, &QAction::triggered, this, [this] { session_.stop(); });
    parametersAction_ = new QAction(tr("P&arameters…"), this);
    parametersAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(parametersAction_, &QAction::triggered, this, &RunToolBar::editParameters);
    checkpointAction_ = new QAction(tr("&Checkpoint"), this);
    checkpointAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    checkpointAction_->setToolTip(tr("Mark this moment on the timeline (Ctrl+K)"));
    connect(checkpointAction_, &QAction::triggered, this,
            [this] { session_.addCheckpoint(tr("checkpoint")); });
}

QString RunToolBar::scenarioName() const {
    return scenarioPicker_->currentData().toString();
}

void RunToolBar::selectScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    session_.setScenario(name, parameters);
    parameters_ = parameters;
    const QSignalBlocker blocker(scenarioPicker_);
    scenarioPicker_->setCurrentIndex(scenarioPicker_->findData(QString::fromStdString(name)));
    emit scenarioChosen(scenarioName());
}

double RunToolBar::stepsPerSecond() const {
    return kSpeeds[std::max(speed_->currentIndex(), 0)].stepsPerSecond;
}

void RunToolBar::editParameters() {
    const ScenarioCatalogue::Entry* entry = EngineSession::catalogue().find(scenarioName());
    if (entry == nullptr) {
        return;
    }
    ScenarioParametersDialog dialog(scenarioPicker_->currentText(), entry->parameters, parameters_,
                                    this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const QString error = session_.trySetScenario(scenarioName().toStdString(), dialog.values());
    if (error.isEmpty()) {
        parameters_ = dialog.values();
    } else {
        QMessageBox::warning(this, tr("Parameters"), error);
    }
}

void RunToolBar::updateControls() {
    const bool running = session_.isRunning();
    const bool paused = running && session_.paused();
    runAction_->setEnabled(!running || paused);
    runAction_->setText(paused ? tr("&Resume") : tr("&Run"));
    pauseAction_->setEnabled(running && !paused);
    backAction_->setEnabled(paused);
    // Step is always there: before a run it starts one held at its first checkpoint.
    // Stop also ends a launched program.
    stopAction_->setEnabled(running || session_.isLaunched());
    scenarioPicker_->setEnabled(!running);
    parametersAction_->setEnabled(!running);
}

void RunToolBar::restoreSettings(const QSettings& settings) {
    speed_->setCurrentIndex(settings.value(QStringLiteral("run/speed"), 0).toInt());
    const int scenario = scenarioPicker_->findData(
        settings.value(QStringLiteral("run/scenario"), QStringLiteral("default")));
    const QSignalBlocker blocker(scenarioPicker_);
    scenarioPicker_->setCurrentIndex(std::max(scenario, 0));
    session_.setScenario(scenarioName().toStdString(), {});
}

void RunToolBar::saveSettings(QSettings& settings) const {
    settings.setValue(QStringLiteral("run/speed"), speed_->currentIndex());
    settings.setValue(QStringLiteral("run/scenario"), scenarioPicker_->currentData());
}

}  // namespace poolscope
