// The session the window drives: scenario runs on a worker, snapshots from the ingestor, the
// run's recording, and recordings opened back into the same snapshots.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"
#include "scenarios/GcLessonsScenario.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/ScenarioError.h"
#include "session/EngineSession.h"

using namespace poolscope;

namespace {

constexpr int kRunTimeoutMilliseconds = 60'000;

// Every snapshot a session publishes, in order.
struct SnapshotRecorder {
    explicit SnapshotRecorder(EngineSession& session) {
        QObject::connect(&session, &EngineSession::snapshotPublished, &context,
                         [this](const std::shared_ptr<const SessionSnapshot>& snapshot) {
                             snapshots.push_back(snapshot);
                         });
    }
    std::shared_ptr<const SessionSnapshot> last() const {
        return snapshots.empty() ? nullptr : snapshots.back();
    }
    QObject context;
    std::vector<std::shared_ptr<const SessionSnapshot>> snapshots;
};

// The checkpoint the newest snapshot shows; empty before the first.
QString phaseOf(const EngineSession& session) {
    return session.latestSnapshot() ? session.latestSnapshot()->phase : QString();
}

// gc-lessons started in step mode, as a teacher opens it: it holds at its first checkpoint.
bool startLessonsInStepMode(EngineSession& session) {
    session.setScenario("gc-lessons", {});
    session.setStepMode(true);
    return session.start();
}

std::set<QString> tagsOf(const SessionSnapshot& snapshot) {
    std::set<QString> tags;
    for (const LiveAllocation& row : snapshot.allocations->rows) {
        tags.insert(snapshot.stacks->tagName(row.tagId));
    }
    return tags;
}

bool everyStackIsNamed(const SessionSnapshot& snapshot) {
    return std::all_of(snapshot.allocations->rows.begin(), snapshot.allocations->rows.end(),
                       [&](const LiveAllocation& row) {
                           return row.stackId != 0 && snapshot.stacks->stack(row.stackId);
                       });
}

}  // namespace

class EngineSessionTest : public QObject {
    Q_OBJECT

private slots:
    void snapshots_followTheRunsPoolAndNeverExceedItsCapacity() {
        EngineSession session;
        SessionAllocatorOptions options;
        options.maximumPoolSizeMegabytes = 64;  // 16 chunks: the large photos overflow it
        session.setAllocatorOptions(options);
        session.setScenario("default", {{"iterations", "24"}});
        SnapshotRecorder recorder(session);

        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.last() && !recorder.last()->pool.workloadRunning &&
                                     recorder.last()->pool.capacityChunks == 16,
                                 kRunTimeoutMilliseconds);

        std::uint64_t rents = 0;
        for (const auto& snapshot : recorder.snapshots) {
            const PoolSnapshot& pool = snapshot->pool;
            if (pool.capacityChunks != 16) {
                continue;  // before the run's pool was followed
            }
            QCOMPARE(static_cast<int>(snapshot->slotStates.size()), 16);
            QCOMPARE(pool.rentedChunks + pool.retainedChunks + pool.emptySlots, 16);
            rents = std::max(rents, pool.totalChunkRents);
        }
        // Rents and returns can fall within one tick, so no snapshot need show a rented chunk;
        // the pool's rent count shows they happened in the run's pool.
        QVERIFY(rents > 0);
        QVERIFY(recorder.last()->pool.eventsReceived > 0);
    }

    void timelineSamples_arriveInOrderWithoutGaps() {
        EngineSession session;
        session.setScenario("default", {{"iterations", "12"}});
        SnapshotRecorder recorder(session);
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.snapshots.size() > 3, kRunTimeoutMilliseconds);

        std::uint64_t expectedIndex = recorder.snapshots.front()->firstSampleIndex;
        double lastSeconds = -1.0;
        for (const auto& snapshot : recorder.snapshots) {
            QCOMPARE(snapshot->firstSampleIndex, expectedIndex);
            expectedIndex += snapshot->newSamples.size();
            for (const TimelineSample& sample : snapshot->newSamples) {
                QVERIFY(sample.seconds >= lastSeconds);
                lastSeconds = sample.seconds;
            }
        }
    }

    void leakHunt_leavesItsInjectedLeaksInTheAllocationTable() {
        EngineSession session;
        session.setScenario("leak-hunt", {});
        SnapshotRecorder recorder(session);
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(session.lastOutcome().has_value());
        QVERIFY2(session.lastOutcome()->error.isEmpty(), qPrintable(session.lastOutcome()->error));
        // The ingestor publishes the run's last events after the run ends.
        QTRY_VERIFY_WITH_TIMEOUT(
            recorder.last() && recorder.last()->allocations &&
                tagsOf(*recorder.last())
                    .contains(QString::fromLatin1(LeakHuntScenario::kForgottenCacheTag)),
            kRunTimeoutMilliseconds);
        const std::set<QString> tags = tagsOf(*recorder.last());
        QVERIFY(tags.contains(QString::fromLatin1(LeakHuntScenario::kNeverDisposedTag)));
        QVERIFY(!tags.contains(QString::fromLatin1(LeakHuntScenario::kCleanTag)));
        // Stacks are captured while the session lives, and named for the table a few at a time
        // (a slow symbolizer delays names, never snapshots): the forgotten cache's rows name
        // the function that filled the cache.
        QTRY_VERIFY_WITH_TIMEOUT(everyStackIsNamed(*recorder.last()), kRunTimeoutMilliseconds);
        const SessionSnapshot& last = *recorder.last();
        int cacheRows = 0;
        for (const LiveAllocation& row : last.allocations->rows) {
            QVERIFY(row.stackId != 0);
            const std::vector<Frame>* frames = last.stacks->stack(row.stackId);
            QVERIFY(frames != nullptr && !frames->empty());
            if (last.stacks->tagName(row.tagId) ==
                QLatin1String(LeakHuntScenario::kForgottenCacheTag)) {
                ++cacheRows;
                const bool named =
                    std::any_of(frames->begin(), frames->end(), [](const Frame& frame) {
                        return frame.function.find("cacheThumbnailsInForgottenList") !=
                               std::string::npos;
                    });
                QVERIFY2(named, frames->front().toString().c_str());
            }
        }
        QCOMPARE(cacheRows, 3);
    }

    void step_fromPaused_advancesExactlyOneCheckpointEachTime_andNeverRunsAhead() {
        EngineSession session;
        QVERIFY(startLessonsInStepMode(session));
        const std::vector<std::string> checkpoints = GcLessonsScenario().checkpointNames();
        const auto phase = [&] { return phaseOf(session); };
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(checkpoints[0]),
                                  kRunTimeoutMilliseconds);
        for (std::size_t checkpoint = 1; checkpoint <= 3; ++checkpoint) {
            session.step();
            QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(checkpoints[checkpoint]),
                                      kRunTimeoutMilliseconds);
        }
        // Held there: several snapshots later it still shows the third step's checkpoint.
        const std::uint64_t version = session.latestSnapshot()->pool.eventsReceived;
        QTest::qWait(300);
        QCOMPARE(phase(), QString::fromStdString(checkpoints[3]));
        QCOMPARE(session.latestSnapshot()->pool.eventsReceived, version);
        session.stop();
    }

    void resume_afterALongPause_goesOnAtItsPace_withoutCatchingUp() {
        EngineSession session;
        QVERIFY(startLessonsInStepMode(session));
        const std::vector<std::string> checkpoints = GcLessonsScenario().checkpointNames();
        const auto lessonShown = [&]() -> int {
            const QString phase = phaseOf(session);
            for (std::size_t i = 0; i < checkpoints.size(); ++i) {
                if (phase == QString::fromStdString(checkpoints[i])) {
                    return static_cast<int>(i);
                }
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(lessonShown(), 0, kRunTimeoutMilliseconds);
        session.pause();
        // One step a second, set while paused: a paused run takes none, however long it waits.
        session.setAutoStepRate(1.0);
        QTest::qWait(2500);
        QCOMPARE(lessonShown(), 0);
        session.resume();
        // The pace starts afresh at resume: the first step comes a second later, so the lessons
        // skipped over by a catch-up burst are never passed unseen.
        QTest::qWait(300);
        QVERIFY2(lessonShown() <= 1, qPrintable(QString::number(lessonShown())));
        QTRY_COMPARE_WITH_TIMEOUT(lessonShown(), 1, kRunTimeoutMilliseconds);
        session.stop();
    }

    void stepBack_runsTheLessonAgain_andHoldsAtThePreviousCheckpoint() {
        EngineSession session;
        QVERIFY(startLessonsInStepMode(session));
        const std::vector<std::string> names = GcLessonsScenario().checkpointNames();
        const auto phase = [&] { return phaseOf(session); };
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(names[0]),
                                  kRunTimeoutMilliseconds);
        QVERIFY(!session.stepBack());  // nothing before the first checkpoint
        for (std::size_t checkpoint = 1; checkpoint <= 3; ++checkpoint) {
            session.step();
            QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(names[checkpoint]),
                                      kRunTimeoutMilliseconds);
        }
        QVERIFY(session.stepBack());
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(names[2]),
                                  kRunTimeoutMilliseconds);
        QVERIFY(session.isRunning());
        QVERIFY(session.paused());
        // Held there, and stepping goes on from it.
        QTest::qWait(300);
        QCOMPARE(phase(), QString::fromStdString(names[2]));
        session.step();
        QTRY_COMPARE_WITH_TIMEOUT(phase(), QString::fromStdString(names[3]),
                                  kRunTimeoutMilliseconds);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
    }

    void idleSession_publishesNoSnapshots_untilSomethingChanges() {
        EngineSession session;
        session.setScenario("default", {{"iterations", "4"}});
        SnapshotRecorder recorder(session);
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.last() && recorder.last()->pool.eventsReceived > 0 &&
                                     !recorder.last()->pool.workloadRunning &&
                                     recorder.last()->eventsPerSecond == 0.0,
                                 kRunTimeoutMilliseconds);
        // At rest: half a second (fifteen ticks of the ingestor) brings no snapshot at all.
        const std::size_t atRest = recorder.snapshots.size();
        QTest::qWait(500);
        QCOMPARE(recorder.snapshots.size(), atRest);

        // Something happens: a checkpoint marker is news, and it is published.
        session.addCheckpoint(QStringLiteral("teacher's mark"));
        QTRY_VERIFY_WITH_TIMEOUT(recorder.snapshots.size() > atRest, kRunTimeoutMilliseconds);
        QCOMPARE(recorder.snapshots[atRest]->newMarkers.size(), std::size_t{1});
        QCOMPARE(recorder.snapshots[atRest]->newMarkers.front().label,
                 QStringLiteral("teacher's mark"));
    }

    void stop_cancelsALongRunPromptly() {
        EngineSession session;
        session.setScenario("default", {{"iterations", "100000"}, {"pause-ms", "20"}});
        std::optional<RunOutcome> outcome;
        connect(&session, &EngineSession::runFinished, this,
                [&outcome](const RunOutcome& finished) { outcome = finished; });
        QVERIFY(session.start());
        QVERIFY(!session.start());  // one run at a time
        QTRY_VERIFY_WITH_TIMEOUT(
            session.latestSnapshot() && session.latestSnapshot()->pool.iterationsCompleted > 2,
            kRunTimeoutMilliseconds);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kRunTimeoutMilliseconds);
        QVERIFY(outcome->cancelled);
        QVERIFY(outcome->error.isEmpty());
    }

    void finishedRunsRecording_opensWithTheSameEvents() {
        EngineSession session;
        // Paced, so the run spans several of the recording's 33 ms timeline samples.
        session.setScenario("default", {{"iterations", "8"}, {"pause-ms", "30"}});
        SnapshotRecorder recorder(session);
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.lastRunRecording().isEmpty(), kRunTimeoutMilliseconds);
        const std::uint64_t liveEvents = recorder.last()->pool.eventsReceived;
        QVERIFY(liveEvents > 0);

        QTemporaryDir directory;
        const QString saved = directory.filePath(QStringLiteral("run.poolscope"));
        QVERIFY(QFile::copy(session.lastRunRecording(), saved));
        recorder.snapshots.clear();
        session.openRecording(saved);
        QTRY_VERIFY_WITH_TIMEOUT(session.showsRecording(), kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.last() && recorder.last()->fromRecording &&
                                     !recorder.last()->pool.workloadRunning,
                                 kRunTimeoutMilliseconds);
        // The recording holds the run's events; the live session also counted what it saw
        // before the run's recording began (none: both start with the run).
        QVERIFY(recorder.last()->pool.eventsReceived > 0);
        QVERIFY(recorder.last()->pool.eventsReceived <= liveEvents);
        QCOMPARE(recorder.last()->pool.capacityChunks,
                 static_cast<int>(EngineSession::kDefaultPoolSizeMegabytes / 4));
        std::size_t samples = 0;
        for (const auto& snapshot : recorder.snapshots) {
            samples += snapshot->newSamples.size();
        }
        QVERIFY(samples > 1);
    }

    void corruptRecording_isRefusedWithAMessageNamingTheFile() {
        QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("broken.poolscope"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();

        EngineSession session;
        QString failedPath;
        QString failure;
        connect(&session, &EngineSession::recordingFailed, this,
                [&](const QString& where, const QString& error) {
                    failedPath = where;
                    failure = error;
                });
        session.openRecording(path);
        QTRY_VERIFY_WITH_TIMEOUT(!failure.isEmpty(), kRunTimeoutMilliseconds);
        QCOMPARE(failedPath, path);
        QVERIFY2(failure.contains(path), qPrintable(failure));
        QVERIFY(!session.showsRecording());
    }

    void damagedRecording_isRefusedAndTheRecordingShownStays() {
        // A finished recording whose every allocation was given back, and a copy in which a
        // byte of its events was garbled: it could show allocations the run never left.
        QTemporaryDir directory;
        const std::string good = directory.filePath(QStringLiteral("good.psrec")).toStdString();
        {
            RecordingWriter writer(good, {});
            std::vector<MemoryEvent> events(40);
            for (std::size_t i = 0; i < events.size(); ++i) {
                events[i].timeNanoseconds = 1000 * static_cast<std::int64_t>(i + 1);
                events[i].allocationId = 1 + i / 2;
                events[i].bytes = 4096;
                events[i].kind = i % 2 == 0 ? MemoryEventKind::Rent : MemoryEventKind::Return;
            }
            writer.consume(events);
            writer.finish({}, 0);
        }
        const std::string damaged =
            directory.filePath(QStringLiteral("damaged.psrec")).toStdString();
        std::filesystem::copy_file(good, damaged);
        SqliteDatabase(damaged, SqliteDatabase::Mode::CreateNew)
            .execute(
                "UPDATE event_blocks SET data = substr(data, 1, 20) || (CASE WHEN "
                "substr(data, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(data, 22)");

        EngineSession session;
        SnapshotRecorder recorder(session);
        session.openRecording(QString::fromStdString(good));
        QTRY_VERIFY_WITH_TIMEOUT(recorder.last() && recorder.last()->fromRecording &&
                                     recorder.last()->pool.eventsReceived == 40,
                                 kRunTimeoutMilliseconds);
        QString failure;
        connect(&session, &EngineSession::recordingFailed, this,
                [&](const QString&, const QString& error) { failure = error; });
        session.openRecording(QString::fromStdString(damaged));
        QTRY_VERIFY_WITH_TIMEOUT(!failure.isEmpty(), kRunTimeoutMilliseconds);
        QVERIFY2(failure.contains(QString::fromStdString(damaged)), qPrintable(failure));
        QVERIFY(session.showsRecording());
        QCOMPARE(recorder.last()->pool.eventsReceived, std::uint64_t{40});
        QVERIFY(!recorder.last()->allocations || recorder.last()->allocations->rows.empty());
    }

    void unknownScenario_isRefused() {
        EngineSession session;
        QVERIFY_THROWS_EXCEPTION(ScenarioError, session.setScenario("no-such-scenario", {}));
    }
};

QTEST_MAIN(EngineSessionTest)
#include "EngineSessionTest.moc"
