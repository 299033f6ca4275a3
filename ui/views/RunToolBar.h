#pragma once

#include <QString>
#include <QToolBar>

#include <string>
#include <utility>
#include <vector>

class QAction;
class QComboBox;
class QSettings;

namespace poolscope {

class EngineSession;

// Chooses a scenario from the session's catalogue, with its parameters, and drives its run:
// run, pause, step from checkpoint to checkpoint, stop, and the speed of automatic steps. A
// fresh run is asked of the window (startRequested), which gives it its allocator.
class RunToolBar : public QToolBar {
    Q_OBJECT

public:
    RunToolBar(EngineSession& session, QWidget* parent = nullptr);

    QAction* runAction() const { return runAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stepAction() const { return stepAction_; }
    QAction* stopAction() const { return stopAction_; }
    QAction* parametersAction() const { return parametersAction_; }
    QAction* checkpointAction() const { return checkpointAction_; }

    QString scenarioName() const;
    // Chooses the scenario in the picker and the session, with these parameters; throws
    // ScenarioError as EngineSession::setScenario does.
    void selectScenario(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& parameters);
    // Steps a second of the chosen speed; 0 runs freely.
    double stepsPerSecond() const;
    // Enables what can be done with the session running or not.
    void updateControls();

    void restoreSettings(const QSettings& settings);
    void saveSettings(QSettings& settings) const;

signals:
    // Run or, with holdAtFirstCheckpoint, Step pressed before any run.
    void startRequested(bool holdAtFirstCheckpoint);
    // A pause, step or resume changed what the controls allow.
    void controlsChanged();
    void scenarioChosen(const QString& name);

private:
    void buildActions();
    void editParameters();

    EngineSession& session_;
    std::vector<std::pair<std::string, std::string>> parameters_;

    QComboBox* scenarioPicker_ = nullptr;
    QComboBox* speed_ = nullptr;
    QAction* runAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* backAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* parametersAction_ = nullptr;
    QAction* checkpointAction_ = nullptr;
};

}  // namespace poolscope
