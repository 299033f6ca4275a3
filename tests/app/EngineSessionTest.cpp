#include <QtTest>

#include <chrono>
#include <vector>

#include "diagnostics/MemoryDiagnostics.h"
#include "scenarios/ScenarioError.h"
#include "session/EngineSession.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

constexpr int kRunTimeoutMilliseconds = 30'000;

WorkloadOptions pacedWorkload(int iterations, std::chrono::milliseconds pause) {
    WorkloadOptions options;
    options.iterations = iterations;
    options.iterationPause = pause;
    return options;
}

// Collects every snapshot a session publishes.
struct SnapshotRecorder {
    explicit SnapshotRecorder(EngineSession& session) {
        QObject::connect(&session, &EngineSession::snapshotPublished, &context,
                         [this](const PoolSnapshot& snapshot) { snapshots.push_back(snapshot); });
    }
    QObject context;
    std::vector<PoolSnapshot> snapshots;
};

}  // namespace

class EngineSessionTest : public QObject {
    Q_OBJECT

private slots:
    void publishedSnapshotsNeverHoldMoreChunksThanTheCapacity() {
        EngineSession session(64);  // small enough that large photos overflow it
        session.setWorkloadOptions(pacedWorkload(24, 5ms));
        SnapshotRecorder recorder(session);

        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);

        QVERIFY(recorder.snapshots.size() > 2);
        for (const PoolSnapshot& snapshot : recorder.snapshots) {
            QCOMPARE(snapshot.capacityChunks, 16);
            QVERIFY(snapshot.rentedChunks + snapshot.retainedChunks <= snapshot.capacityChunks);
            QCOMPARE(snapshot.rentedChunks + snapshot.retainedChunks + snapshot.emptySlots,
                     snapshot.capacityChunks);
        }
    }

    void eventCountGrowsWhileTheWorkloadRuns() {
        EngineSession session;
        session.setWorkloadOptions(pacedWorkload(1000, 20ms));
        SnapshotRecorder recorder(session);
        QVERIFY(session.start());

        const auto runningEventCounts = [&] {
            std::vector<std::uint64_t> counts;
            for (const PoolSnapshot& snapshot : recorder.snapshots) {
                if (snapshot.workloadRunning) {
                    counts.push_back(snapshot.eventsReceived);
                }
            }
            return counts;
        };
        QTRY_VERIFY_WITH_TIMEOUT(runningEventCounts().size() >= 3 &&
                                     runningEventCounts().back() > runningEventCounts().front(),
                                 kRunTimeoutMilliseconds);
        const std::vector<std::uint64_t> counts = runningEventCounts();
        QVERIFY(std::is_sorted(counts.begin(), counts.end()));
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
    }

    void finalSnapshotShowsEveryRentedChunkReturnedAfterACleanRun() {
        EngineSession session;
        session.setWorkloadOptions(pacedWorkload(16, 0ms));
        QSignalSpy finished(&session, &EngineSession::workloadFinished);

        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMilliseconds);

        const PoolSnapshot& last = session.latestSnapshot();
        QVERIFY(!last.workloadRunning);
        QCOMPARE(last.iterationsCompleted, 16);
        QCOMPARE(last.iterationsPlanned, 16);
        QCOMPARE(last.rentedChunks, 0);
        QVERIFY(last.retainedChunks > 0);
        QCOMPARE(last.eventsDropped, std::uint64_t{0});
        QVERIFY(last.totalChunkRents > 0);
        QCOMPARE(last.totalChunkReturns, last.totalChunkRents);
        QCOMPARE(last.unpooledBytesLive, std::uint64_t{0});
        QVERIFY(session.lastOutcome().has_value());
        QVERIFY(session.lastOutcome()->error.isEmpty());
        QCOMPARE(session.lastOutcome()->summary.iterationsCompleted, 16);
    }

    void unpooledBytesLiveCountsImagesAZeroSizePoolCannotHold() {
        EngineSession session(0);
        session.setWorkloadOptions(pacedWorkload(3, 300ms));

        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot().unpooledBytesLive >= 640ull * 480 * 4,
                                 kRunTimeoutMilliseconds);
        QCOMPARE(session.latestSnapshot().capacityChunks, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QCOMPARE(session.latestSnapshot().unpooledBytesLive, std::uint64_t{0});
    }

    void stopReturnsAtOnceAndTheRunEndsCancelled() {
        EngineSession session;
        session.setWorkloadOptions(pacedWorkload(1000, 50ms));
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot().iterationsCompleted >= 1,
                                 kRunTimeoutMilliseconds);

        session.stop();  // a request: the GUI thread does not wait for the worker

        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(session.lastOutcome()->summary.cancelled);
        QVERIFY(session.lastOutcome()->summary.iterationsCompleted < 1000);
    }

    void startIsRefusedWhileARunIsGoing() {
        EngineSession session;
        session.setWorkloadOptions(pacedWorkload(1000, 20ms));
        QSignalSpy running(&session, &EngineSession::runningChanged);

        QVERIFY(session.start());
        QVERIFY(!session.start());

        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QCOMPARE(running.count(), 2);
        QCOMPARE(running.at(0).at(0).toBool(), true);
        QCOMPARE(running.at(1).at(0).toBool(), false);
    }

    void leakedPreviewsStayUndisposedUntilTheNextRunReplacesTheWorkload() {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        EngineSession session;
        WorkloadOptions leaking = pacedWorkload(24, 0ms);
        leaking.leak = true;
        session.setWorkloadOptions(leaking);

        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QCOMPARE(session.latestSnapshot().undisposedAllocations - undisposedBefore, 2);
        QCOMPARE(session.latestSnapshot().rentedChunks, 2);  // each preview is one pool chunk

        session.setWorkloadOptions(pacedWorkload(4, 0ms));
        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QCOMPARE(session.latestSnapshot().undisposedAllocations, undisposedBefore);
        QCOMPARE(session.latestSnapshot().rentedChunks, 0);
    }

    void aChosenScenarioRunsInsteadOfTheDefaultWorkload() {
        EngineSession session(64);
        session.setScenario("periodic-bursts", {{"bursts", "1"},
                                                {"images-per-burst", "2"},
                                                {"width", "1024"},
                                                {"height", "2048"},
                                                {"idle-ms", "600"},
                                                {"trim-period-ms", "100"}});
        QSignalSpy finished(&session, &EngineSession::workloadFinished);

        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMilliseconds);

        const WorkloadOutcome& outcome = *session.lastOutcome();
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QCOMPARE(outcome.scenario, std::string("periodic-bursts"));
        QCOMPARE(outcome.summary.iterationsCompleted, 1);
        QCOMPARE(outcome.summary.iterationsPlanned, 1);
        QVERIFY(!outcome.scenarioOutcome.figures.empty());
        const PoolSnapshot& last = session.latestSnapshot();
        QCOMPARE(last.capacityChunks, 16);
        QCOMPARE(last.rentedChunks, 0);
        QCOMPARE(last.retainedChunks, 0);  // trimmed away while idle
        QVERIFY(last.totalChunkRents >= 4);
    }

    void anUnknownScenarioOrParameterIsRefused() {
        EngineSession session;
        QVERIFY_THROWS_EXCEPTION(ScenarioError, session.setScenario("batch", {}));
        QVERIFY_THROWS_EXCEPTION(ScenarioError, session.setScenario("stress", {{"threads", "0"}}));
        QVERIFY(session.scenarioName().empty());
    }

    void stepModeHoldsTheScenarioUntilAStep() {
        EngineSession session(64);
        session.setScenario("leak-hunt", {{"width", "256"}, {"height", "256"}});
        session.setStepMode(true);
        QVERIFY(session.start());

        QTest::qWait(100);
        QCOMPARE(session.latestSnapshot().iterationsCompleted, 0);
        session.step();
        QTRY_COMPARE_WITH_TIMEOUT(session.latestSnapshot().iterationsCompleted, 1,
                                  kRunTimeoutMilliseconds);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(session.lastOutcome()->scenarioOutcome.cancelled);
        QCOMPARE(session.lastOutcome()->summary.iterationsCompleted, 1);
    }
};

QTEST_GUILESS_MAIN(EngineSessionTest)
#include "EngineSessionTest.moc"
