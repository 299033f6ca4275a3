#include "session/EngineSession.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <chrono>

#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "gc/GcHeap.h"
#include "memory/PooledMemoryAllocator.h"
#include "native/LaunchedProgram.h"
#include "scenarios/RunAllocatorFactory.h"
#include "scenarios/ScenarioContext.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioRegistry.h"
#include "scenarios/ScenarioRunner.h"
#include "session/SessionIngestor.h"

namespace poolscope {

namespace {

QString runRecordingPath(const QTemporaryDir& directory, int run) {
    return directory.filePath(QStringLiteral("run-%1.poolscope").arg(run));
}

}  // namespace

EngineSession::EngineSession(QObject* parent)
    : QObject(parent),
      stackCapture_(MemoryDiagnostics::enableStackCapture()),
      ingestor_(new SessionIngestor(EventStream::subscribe(SessionIngestor::kEventQueueCapacity))) {
    qRegisterMetaType<std::shared_ptr<const SessionSnapshot>>();
    qRegisterMetaType<RunOutcome>();
    qRegisterMetaType<std::shared_ptr<const RecordedRunResults>>();
    ingestThread_.setObjectName(QStringLiteral("poolscope-ingest"));
    ingestor_->moveToThread(&ingestThread_);
    connect(&ingestThread_, &QThread::finished, ingestor_, &QObject::deleteLater);
    connect(ingestor_, &SessionIngestor::snapshotReady, this,
            [this](const std::shared_ptr<const SessionSnapshot>& snapshot) {
                latest_ = snapshot;
                emit snapshotPublished(snapshot);
            });
    connect(ingestor_, &SessionIngestor::recordingOpened, this,
            [this](const QString& path, const QString& scenario, const QString& parameters,
                   const std::shared_ptr<const RecordedRunResults>& results) {
                showsRecording_ = true;
                recordedResults_ = results;
                recordedScenario_ = {scenario.toStdString(), {}};
                for (const QString& assignment : parameters.split(u' ', Qt::SkipEmptyParts)) {
                    try {
                        recordedScenario_.parameters.push_back(
                            ScenarioParameters::splitAssignment(assignment.toStdString()));
                    } catch (const ScenarioError&) {
                        // A pair without '=' says nothing the picker could take.
                    }
                }
                emit recordingOpened(path);
            });
    connect(ingestor_, &SessionIngestor::recordingFailed, this, &EngineSession::recordingFailed);
    connect(ingestor_, &SessionIngestor::runRecordingFinished, this,
            [this](const QString& path, const QString& error) {
                lastRunRecording_ = error.isEmpty() ? path : QString();
                emit runRecordingReady(path, error);
            });
    connect(ingestor_, &SessionIngestor::attached, this, [this](const QString& program) {
        attached_ = true;
        showsRecording_ = false;
        emit attached(program);
    });
    connect(ingestor_, &SessionIngestor::attachFailed, this, &EngineSession::attachFailed);
    connect(ingestor_, &SessionIngestor::linkEnded, this, [this](const QString& reason) {
        attached_ = false;
        emit linkEnded(reason);
    });
    connect(&runWatcher_, &QFutureWatcher<RunOutcome>::finished, this, &EngineSession::finishRun);
    connect(&autoStepTimer_, &QTimer::timeout, this, [this] {
        if (context_) {
            context_->step();
        }
    });
    ingestThread_.start();
    QMetaObject::invokeMethod(ingestor_, &SessionIngestor::startLive, Qt::QueuedConnection);
}

EngineSession::~EngineSession() {
    stop();
    QMetaObject::invokeMethod(ingestor_, &SessionIngestor::shutDown, Qt::QueuedConnection);
    ingestThread_.quit();
    // The ingestor never waits on the engine, so this ends within one tick.
    ingestThread_.wait();
}

void EngineSession::setScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    scenarioParameters_ = ScenarioRegistry::builtIn().create(name)->resolveParameters(parameters);
    scenarioName_ = name;
}

bool EngineSession::start() {
    if (running_) {
        return false;
    }
    if (!scenarioParameters_) {
        setScenario(scenarioName_, {});
    }
    // The previous run's scenario goes now, with the leaks it kept on show.
    scenario_.reset();
    std::shared_ptr<Scenario> scenario = ScenarioRegistry::builtIn().create(scenarioName_);
    RunAllocatorOptions runOptions;
    runOptions.maximumPoolSizeMegabytes = allocatorOptions_.maximumPoolSizeMegabytes;
    if (allocatorOptions_.trimPeriodMilliseconds) {
        runOptions.trimPeriod =
            std::chrono::milliseconds(*allocatorOptions_.trimPeriodMilliseconds);
    }
    runOptions.gcBacked = allocatorOptions_.gcBacked;
    runOptions.preferContiguous = allocatorOptions_.preferContiguous;
    const RunAllocator run = RunAllocatorFactory::make(runOptions, *scenario, *scenarioParameters_);
    allocator_ = run.allocator;
    const std::shared_ptr<GcHeap> heap = run.heap;

    heapMailbox_ = std::make_shared<HeapSnapshotMailbox>();
    paused_ = false;
    ScenarioContext::Options contextOptions = run.contextOptions();
    contextOptions.stepMode = stepMode_;
    if (holdAtCheckpoint_) {
        contextOptions.stepMode = true;
        contextOptions.passCheckpoints = *std::exchange(holdAtCheckpoint_, std::nullopt);
        stepMode_ = true;
        paused_ = true;
    }
    contextOptions.onHeapSnapshot =
        [mailbox = heapMailbox_](std::shared_ptr<const GcHeapSnapshot> snapshot) {
            mailbox->post(std::move(snapshot));
        };
    context_ = std::make_shared<ScenarioContext>(std::move(contextOptions));
    scenario_ = scenario;

    std::uint16_t sourceId = allocator_->sourceId();
    int capacity = 0;
    std::uint64_t chunkBytes = 0;
    if (const auto* pooled = dynamic_cast<const PooledMemoryAllocator*>(allocator_.get())) {
        capacity = pooled->pool().capacity();
        chunkBytes = pooled->pool().chunkBytes();
    }
    const QString recordingPath = nextRecordingPath();
    SessionIngestor::RunRecording recording;
    recording.path = recordingPath;
    std::string parameters;
    for (const auto& [key, value] : scenarioParameters_->values()) {
        parameters += (parameters.empty() ? "" : " ") + key + "=" + scenarioValueToString(value);
    }
    recording.metadata = {
        {"scenario", scenarioName_},
        {"parameters", parameters},
        {"allocator", allocator_->name()},
        {"pool_size_megabytes", std::to_string(allocatorOptions_.maximumPoolSizeMegabytes)}};
    lastRunRecording_.clear();
    // The ingestor makes the file: the GUI thread does no disk work for a run.
    QMetaObject::invokeMethod(
        ingestor_,
        [ingestor = ingestor_, sourceId, capacity, chunkBytes, context = context_,
         mailbox = heapMailbox_, heap, recording] {
            ingestor->beginRun(sourceId, capacity, chunkBytes, context, mailbox, heap, recording);
        },
        Qt::QueuedConnection);
    showsRecording_ = false;
    recordedScenario_ = {};
    recordedResults_.reset();
    running_ = true;

    // The worker holds its own references: it never touches the session, which may be gone
    // before the worker has seen the stop request.
    runWatcher_.setFuture(QtConcurrent::run(
        [scenario, context = context_, run, parameters = *scenarioParameters_, name = scenarioName_,
         poolSize = allocatorOptions_.maximumPoolSizeMegabytes]() -> RunOutcome {
            RunOutcome outcome;
            outcome.scenario = name;
            // The same runner as `poolscope run`, so the window's results are the run's report.
            ScenarioRunner::Options options;
            options.poolSizeMegabytes = poolSize;
            ScenarioRunner runner(options);
            outcome.report = runner.run(*scenario, parameters, run, *context);
            outcome.error = QString::fromStdString(outcome.report.error);
            outcome.cancelled = context->cancelled();
            outcome.seconds = std::chrono::duration<double>(outcome.report.duration).count();
            return outcome;
        }));
    emit runningChanged(true);
    return true;
}

void EngineSession::stop() {
    autoStepTimer_.stop();
    if (context_) {
        context_->cancel();
    }
    if (isLaunched()) {
        launched_->terminate();
    }
}

void EngineSession::pause() {
    paused_ = true;
    autoStepTimer_.stop();
    if (context_) {
        context_->pause();
    }
}

void EngineSession::resume() {
    paused_ = false;
    if (autoStepRate_ <= 0.0) {
        stepMode_ = false;
        autoStepTimer_.stop();
        if (context_) {
            context_->resume();
        }
        return;
    }
    stepMode_ = true;
    if (context_) {
        context_->setStepMode(true);
        context_->unpause();
    }
    autoStepTimer_.start(static_cast<int>(1000.0 / autoStepRate_));
}

void EngineSession::setStepMode(bool on) {
    stepMode_ = on;
    if (context_) {
        context_->setStepMode(on);
    }
}

void EngineSession::step() {
    paused_ = true;
    autoStepTimer_.stop();
    stepMode_ = true;
    if (context_) {
        context_->setStepMode(true);
        context_->step();
    }
}

std::optional<std::uint64_t> EngineSession::heldAtCheckpoint() const {
    if (!running_ || !context_ || !context_->waitingAtCheckpoint()) {
        return std::nullopt;
    }
    return context_->progress().checkpointsPassed;
}

bool EngineSession::stepBack() {
    if (!running_ || !context_ || holdAtCheckpoint_) {
        return false;
    }
    const ScenarioProgress progress = context_->progress();
    const bool holding = context_->waitingAtCheckpoint();
    // Held at checkpoint k (k passed before it), the previous one is reached by passing k - 1.
    if (!holding || progress.checkpointsPassed == 0) {
        return false;
    }
    holdAtCheckpoint_ = progress.checkpointsPassed - 1;
    autoStepTimer_.stop();
    context_->cancel();
    return true;
}

void EngineSession::setAutoStepRate(double stepsPerSecond) {
    autoStepRate_ = std::max(stepsPerSecond, 0.0);
    if (running_ && !paused_) {
        resume();
    }
}

void EngineSession::requestCollection(int generation) {
    if (context_) {
        context_->requestCollection(generation);
    }
}

void EngineSession::addCheckpoint(const QString& label) {
    QMetaObject::invokeMethod(
        ingestor_, [ingestor = ingestor_, label] { ingestor->addCheckpoint(label); },
        Qt::QueuedConnection);
}

void EngineSession::openRecording(const QString& path) {
    stop();
    QMetaObject::invokeMethod(
        ingestor_, [ingestor = ingestor_, path] { ingestor->openRecording(path); },
        Qt::QueuedConnection);
}

void EngineSession::showLive() {
    showsRecording_ = false;
    recordedScenario_ = {};
    recordedResults_.reset();
    QMetaObject::invokeMethod(ingestor_, &SessionIngestor::startLive, Qt::QueuedConnection);
}

QString EngineSession::nextRecordingPath() {
    // Each run is recorded, so that it can be saved once it ended. The run before the last
    // goes: only the last one can be saved.
    runNumber_ += 1;
    QFile::remove(runRecordingPath(recordingDirectory_, runNumber_ - 2));
    return runRecordingPath(recordingDirectory_, runNumber_);
}

void EngineSession::attach(const QString& socketPath) {
    stop();
    launched_.reset();
    SessionIngestor::RunRecording recording;
    recording.path = nextRecordingPath();
    recording.metadata = {{"source", "live link"}};
    lastRunRecording_.clear();
    QMetaObject::invokeMethod(
        ingestor_,
        [ingestor = ingestor_, socketPath, recording] { ingestor->attach(socketPath, recording); },
        Qt::QueuedConnection);
}

void EngineSession::showLaunched(std::shared_ptr<LaunchedProgram> program,
                                 const QString& recordTo) {
    stop();
    launched_ = program;
    SessionIngestor::RunRecording recording;
    recording.path = recordTo.isEmpty() ? nextRecordingPath() : recordTo;
    recording.metadata = {{"source", "launch"}};
    lastRunRecording_.clear();
    QMetaObject::invokeMethod(
        ingestor_,
        [ingestor = ingestor_, program = std::move(program), recording] {
            ingestor->showLaunched(program, recording);
        },
        Qt::QueuedConnection);
}

void EngineSession::detach() {
    QMetaObject::invokeMethod(ingestor_, &SessionIngestor::detach, Qt::QueuedConnection);
}

void EngineSession::finishRun() {
    running_ = false;
    autoStepTimer_.stop();
    lastOutcome_ = runWatcher_.result();
    // The recording keeps the report, so that opening it shows what this run showed.
    QMetaObject::invokeMethod(
        ingestor_,
        [ingestor = ingestor_, report = std::make_shared<const ScenarioRunReport>(
                                   lastOutcome_->report)] { ingestor->endRun(report); },
        Qt::QueuedConnection);
    emit runningChanged(false);
    emit runFinished(*lastOutcome_);
    if (holdAtCheckpoint_) {
        start();  // stepBack(): the same scenario again, up to the checkpoint before
    }
}

QString EngineSession::trySetScenario(
    const std::string& name, const std::vector<std::pair<std::string, std::string>>& parameters) {
    try {
        setScenario(name, parameters);
    } catch (const ScenarioError& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

}  // namespace poolscope
