// The window end to end, offscreen: a scenario run fills the views through the session, and
// the GUI thread keeps turning while the engine works.

#include <QElapsedTimer>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "scenarios/GcLessonsScenario.h"
#include "scenarios/LeakHuntScenario.h"
#include "session/EngineSession.h"
#include "views/GcHeapView.h"
#include "views/LeakView.h"
#include "views/MainWindow.h"
#include "views/PoolMapView.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr int kRunTimeoutMilliseconds = 120'000;

// Counts how late a 10 ms timer on the GUI thread fires: a late tick is a stall the user
// would see as a frozen window.
class StallWatchdog : public QObject {
public:
    static constexpr int kTickMilliseconds = 10;
    static constexpr int kStallMilliseconds = 200;

    StallWatchdog() {
        connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 gap = clock_.restart();
            longestGap_ = std::max(longestGap_, gap);
            stalls_ += gap > kStallMilliseconds ? 1 : 0;
        });
        clock_.start();
        timer_.start(kTickMilliseconds);
    }
    int stalls() const { return stalls_; }
    qint64 longestGap() const { return longestGap_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    int stalls_ = 0;
    qint64 longestGap_ = 0;
};

// Shown at a size where every view has room, and laid out before a test presses keys in it.
bool showOnScreen(MainWindow& window) {
    window.resize(1400, 900);
    window.show();
    return QTest::qWaitForWindowExposed(&window);
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void leakHunt_fillsTheLeakTableAndTheStatusBar() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        window.selectScenario("leak-hunt", {});
        window.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(session.isRunning() || session.lastOutcome().has_value(),
                                 kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(session.lastOutcome()->error.isEmpty());

        // The run leaves its injected leaks live; the table lists them, tagged.
        QTRY_VERIFY_WITH_TIMEOUT(window.leakView()->visibleRowCount() > 0, kRunTimeoutMilliseconds);
        const auto snapshot = session.latestSnapshot();
        QVERIFY(snapshot && snapshot->allocations);
        std::set<QString> tags;
        for (const LiveAllocation& row : snapshot->allocations->rows) {
            tags.insert(snapshot->stacks->tagName(row.tagId));
        }
        QVERIFY(tags.contains(QString::fromLatin1(LeakHuntScenario::kForgottenCacheTag)));
        QCOMPARE(window.leakView()->visibleRowCount(),
                 static_cast<int>(snapshot->allocations->rows.size()));

        QTRY_VERIFY_WITH_TIMEOUT(window.statusText().contains(QStringLiteral("undisposed")),
                                 kRunTimeoutMilliseconds);
        const QString undisposed =
            QStringLiteral("%L1 undisposed").arg(snapshot->pool.undisposedAllocations);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusText().contains(undisposed), 5000);
        QVERIFY(snapshot->pool.undisposedAllocations > 0);
        QVERIFY(window.timelineView()->sampleCount() > 0);
    }

    void gcLessons_opensPausedOnItsFirstCheckpoint_andF10StepsOneCheckpointAtATime() {
        QSettings().setValue(QStringLiteral("run/speed"), 0);  // full speed
        EngineSession session;
        MainWindow window(session);
        QVERIFY(showOnScreen(window));
        window.selectScenario("gc-lessons", {});
        window.startRun();
        const std::vector<std::string> checkpoints = GcLessonsScenario().checkpointNames();
        auto* title = window.gcHeapView()->findChild<QLabel*>(QStringLiteral("lessonTitle"));
        QVERIFY(title != nullptr);
        const auto shows = [&](std::size_t checkpoint) {
            return title->text().contains(QString::fromStdString(checkpoints[checkpoint]));
        };
        // Full speed would finish the tour at once; a lesson waits for the teacher instead.
        QTRY_VERIFY_WITH_TIMEOUT(shows(0), kRunTimeoutMilliseconds);
        QTest::qWait(300);
        QVERIFY(shows(0));
        QVERIFY(session.isRunning());
        QVERIFY(session.paused());

        for (std::size_t checkpoint = 1; checkpoint < 4; ++checkpoint) {
            QTest::keyClick(&window, Qt::Key_F10);
            QTRY_VERIFY_WITH_TIMEOUT(shows(checkpoint), kRunTimeoutMilliseconds);
            QVERIFY(session.paused());
        }
        QTest::qWait(300);
        QVERIFY(shows(3));
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
    }

    void f10_beforeAnyRun_startsTheRunHeldAtItsFirstCheckpoint() {
        QSettings().setValue(QStringLiteral("run/speed"), 0);  // full speed
        EngineSession session;
        MainWindow window(session);
        QVERIFY(showOnScreen(window));
        window.selectScenario("leak-hunt", {});
        QVERIFY(!session.isRunning());
        QTest::keyClick(&window, Qt::Key_F10);
        QTRY_VERIFY_WITH_TIMEOUT(session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(session.paused());
        // Held at its first checkpoint: full speed would have finished leak-hunt at once.
        QTRY_COMPARE_WITH_TIMEOUT(
            session.latestSnapshot() ? session.latestSnapshot()->phase : QString(),
            QStringLiteral("forgotten cache list"), kRunTimeoutMilliseconds);
        QTest::qWait(300);
        QVERIFY(session.isRunning());
        QTest::keyClick(&window, Qt::Key_F10);
        QTRY_COMPARE_WITH_TIMEOUT(session.latestSnapshot()->phase,
                                  QStringLiteral("event-handler list"), kRunTimeoutMilliseconds);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
    }

    void everyView_canBeGrabbedByName() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        for (const QString& name : MainWindow::viewNames()) {
            window.showView(name);
            const QImage image = window.grabView(name);
            QVERIFY2(!image.isNull() && image.width() > 100 && image.height() > 100,
                     qPrintable(name));
        }
        QVERIFY(window.grabView(QStringLiteral("no-such-view")).isNull());
    }

    void guiThread_keepsTurningWhileAHeavyScenarioRuns() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        window.selectScenario("stress", {{"operations", "50000"}});
        StallWatchdog watchdog;
        window.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        qInfo("GUI thread: %d stalls over %d ms, longest gap %lld ms", watchdog.stalls(),
              StallWatchdog::kStallMilliseconds, watchdog.longestGap());
        // Generous: a shared CI machine can deschedule the process; a GUI thread waiting on
        // the engine would stall for the whole run.
        QVERIFY2(watchdog.longestGap() < 2000, qPrintable(QString::number(watchdog.longestGap())));
    }
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
