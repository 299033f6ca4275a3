// A run's recording, opened in the window, looks like the live run it came from: the same leak
// table (tags by name, image sizes, top frames outside the allocator), the scenario it was made
// by in the picker and the title; and opening it first clears what the previous session showed.

#include <QComboBox>
#include <QSettings>
#include <QtTest>

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "scenarios/LeakHuntScenario.h"
#include "session/EngineSession.h"
#include "views/LayoutView.h"
#include "views/LeakView.h"
#include "views/MainWindow.h"
#include "views/PoolMapView.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr int kRunTimeoutMilliseconds = 120'000;

// What a leak table row shows, by allocation id.
using Row = std::tuple<std::uint64_t, QString, std::int32_t, std::int32_t, PixelTypeId, QString>;

std::map<AllocationId, Row> rowsOf(const SessionSnapshot& snapshot) {
    std::map<AllocationId, Row> rows;
    for (const LiveAllocation& row : snapshot.allocations->rows) {
        rows[row.id] = {row.bytes,
                        snapshot.stacks->tagName(row.tagId),
                        row.imageWidth,
                        row.imageHeight,
                        row.pixelType,
                        QString::fromStdString(snapshot.stacks->topFrame(row.stackId).function)};
    }
    return rows;
}

// Runs leak-hunt in the window to its end, with its leaks on show and its recording ready.
bool runLeakHunt(EngineSession& session, MainWindow& window) {
    window.selectScenario(LeakHuntScenario::kName, {{"cached-images", "2"}});
    window.startRunToTheEnd();
    return QTest::qWaitFor(
        [&] {
            return !session.isRunning() && session.lastOutcome().has_value() &&
                   !session.lastRunRecording().isEmpty() &&
                   window.leakView()->visibleRowCount() > 0;
        },
        kRunTimeoutMilliseconds);
}

}  // namespace

class OpenedRecordingTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void openedRecording_showsTheLeakTableOfTheLiveRun() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        QVERIFY(runLeakHunt(session, window));
        const QString recording = session.lastRunRecording();
        const std::map<AllocationId, Row> liveRows = rowsOf(*session.latestSnapshot());

        window.selectScenario("default", {});
        window.openRecordingFile(recording);
        QTRY_VERIFY_WITH_TIMEOUT(session.showsRecording(), kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot()->fromRecording &&
                                     !session.latestSnapshot()->pool.workloadRunning &&
                                     rowsOf(*session.latestSnapshot()) == liveRows,
                                 kRunTimeoutMilliseconds);

        const std::map<AllocationId, Row> opened = rowsOf(*session.latestSnapshot());
        bool imageSeen = false;
        for (const auto& [id, row] : opened) {
            const QString& tag = std::get<1>(row);
            QVERIFY2(!tag.startsWith(QStringLiteral("tag ")), qPrintable(tag));
            const QString& top = std::get<5>(row);
            QVERIFY2(!top.contains(QStringLiteral("LifetimeGuard")) &&
                         !top.contains(QStringLiteral("MemoryAllocator::")),
                     qPrintable(top));
            imageSeen = imageSeen || std::get<2>(row) > 0;
        }
        QVERIFY(imageSeen);
        // The picker and the title name the scenario the file was made by.
        auto* picker = window.findChild<QComboBox*>(QStringLiteral("scenarioPicker"));
        QVERIFY(picker != nullptr);
        QCOMPARE(picker->currentData().toString(), QString::fromLatin1(LeakHuntScenario::kName));
        QCOMPARE(session.scenarioName(), std::string(LeakHuntScenario::kName));
        QVERIFY(window.windowTitle().contains(QString::fromLatin1(LeakHuntScenario::kName)));
        const RecordedScenario& recorded = session.recordedScenario();
        QVERIFY(std::find(recorded.parameters.begin(), recorded.parameters.end(),
                          std::pair<std::string, std::string>{"cached-images", "2"}) !=
                recorded.parameters.end());
    }

    void openingARecording_clearsThePreviousSessionsViewsFirst() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        QVERIFY(runLeakHunt(session, window));
        const QString recording = session.lastRunRecording();
        QVERIFY(window.selectSomethingToShow());
        QVERIFY(!window.leakView()->detailStackText().isEmpty());
        QVERIFY(window.poolMapView()->rentedCellCount() > 0);
        QVERIFY(window.timelineView()->sampleCount() > 0);
        QVERIFY(window.layoutView()->shownAllocation() != 0);

        // Connected after the window: sees the views as the window left them on opening, before
        // any snapshot of the recording arrived.
        int rows = -1;
        QString stack = QStringLiteral("unset");
        int rentedCells = -1;
        int samples = -1;
        quint64 shown = 1;
        connect(&session, &EngineSession::recordingOpened, this, [&] {
            rows = window.leakView()->visibleRowCount();
            stack = window.leakView()->detailStackText();
            rentedCells = window.poolMapView()->rentedCellCount();
            samples = window.timelineView()->sampleCount();
            shown = window.layoutView()->shownAllocation();
        });
        window.openRecordingFile(recording);
        QTRY_VERIFY_WITH_TIMEOUT(rows >= 0, kRunTimeoutMilliseconds);
        QCOMPARE(rows, 0);
        QVERIFY2(stack.isEmpty(), qPrintable(stack));
        QCOMPARE(rentedCells, 0);
        QCOMPARE(samples, 0);
        QCOMPARE(shown, quint64{0});
    }
};

QTEST_MAIN(OpenedRecordingTest)
#include "OpenedRecordingTest.moc"
