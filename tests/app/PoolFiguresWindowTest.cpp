#include <QtTest>

#include <QLabel>
#include <QLocale>
#include <QPushButton>

#include <chrono>

#include "session/EngineSession.h"
#include "views/PoolFiguresWindow.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

constexpr int kRunTimeoutMilliseconds = 30'000;

QString labelText(const QWidget& window, const char* objectName) {
    const auto* label = window.findChild<QLabel*>(QLatin1String(objectName));
    return label != nullptr ? label->text() : QStringLiteral("<no label %1>").arg(objectName);
}

QPushButton* button(const QWidget& window, const QString& text) {
    for (QPushButton* candidate : window.findChildren<QPushButton*>()) {
        if (candidate->text().remove(QLatin1Char('&')) == text) {
            return candidate;
        }
    }
    return nullptr;
}

PoolSnapshot distinctiveSnapshot() {
    PoolSnapshot snapshot;
    snapshot.secondsSinceStart = 1.5;
    snapshot.capacityChunks = 64;
    snapshot.rentedChunks = 17;
    snapshot.retainedChunks = 29;
    snapshot.emptySlots = 18;
    snapshot.chunkBytes = 4 * 1024 * 1024;
    snapshot.unpooledBytesLive = 192ull * 1024 * 1024;
    snapshot.undisposedAllocations = 3;
    snapshot.eventsReceived = 1234567;
    snapshot.eventsDropped = 89;
    snapshot.totalChunkRents = 4321;
    snapshot.totalChunkReturns = 4300;
    snapshot.workloadRunning = true;
    snapshot.iterationsCompleted = 12;
    snapshot.iterationsPlanned = 48;
    return snapshot;
}

}  // namespace

class PoolFiguresWindowTest : public QObject {
    Q_OBJECT

private slots:
    void labelsShowTheSnapshotNumbers() {
        EngineSession session;
        PoolFiguresWindow window(session);
        const QLocale locale;

        window.showSnapshot(distinctiveSnapshot());

        QCOMPARE(labelText(window, "capacityValue"), locale.toString(64));
        QCOMPARE(labelText(window, "rentedValue"), locale.toString(17));
        QCOMPARE(labelText(window, "retainedValue"), locale.toString(29));
        QCOMPARE(labelText(window, "emptySlotsValue"), locale.toString(18));
        QCOMPARE(labelText(window, "chunkSizeValue"), QStringLiteral("4.0 MiB"));
        QCOMPARE(labelText(window, "unpooledBytesValue"), QStringLiteral("192.0 MiB"));
        QCOMPARE(labelText(window, "undisposedValue"), locale.toString(3));
        QCOMPARE(labelText(window, "eventsReceivedValue"), locale.toString(1234567));
        QCOMPARE(labelText(window, "eventsDroppedValue"), locale.toString(89));
        QCOMPARE(labelText(window, "chunkRentsValue"), locale.toString(4321));
        QCOMPARE(labelText(window, "chunkReturnsValue"), locale.toString(4300));
        QCOMPARE(labelText(window, "progressValue"), QStringLiteral("12 of 48"));
        QVERIFY(labelText(window, "runStateValue").contains(QStringLiteral("iteration 12 of 48")));
    }

    void labelsFollowTheSessionThroughARun() {
        EngineSession session(128);
        WorkloadOptions options;
        options.iterations = 12;
        session.setWorkloadOptions(options);
        PoolFiguresWindow window(session);
        const QLocale locale;

        QVERIFY(session.start());
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);

        const PoolSnapshot& last = session.latestSnapshot();
        QVERIFY(last.eventsReceived > 0);
        QCOMPARE(labelText(window, "capacityValue"), locale.toString(last.capacityChunks));
        QCOMPARE(labelText(window, "rentedValue"), locale.toString(last.rentedChunks));
        QCOMPARE(labelText(window, "retainedValue"), locale.toString(last.retainedChunks));
        QCOMPARE(labelText(window, "emptySlotsValue"), locale.toString(last.emptySlots));
        QCOMPARE(labelText(window, "eventsReceivedValue"),
                 locale.toString(qulonglong{last.eventsReceived}));
        QCOMPARE(labelText(window, "chunkRentsValue"),
                 locale.toString(qulonglong{last.totalChunkRents}));
        QCOMPARE(labelText(window, "progressValue"), QStringLiteral("12 of 12"));
        QVERIFY2(
            labelText(window, "runStateValue").startsWith(QStringLiteral("Finished 12 iterations")),
            qPrintable(labelText(window, "runStateValue")));
    }

    void startAndStopButtonsFollowTheRunState() {
        EngineSession session;
        WorkloadOptions options;
        options.iterations = 1000;
        options.iterationPause = 20ms;
        session.setWorkloadOptions(options);
        PoolFiguresWindow window(session);
        QPushButton* start = button(window, QStringLiteral("Start workload"));
        QPushButton* stop = button(window, QStringLiteral("Stop"));
        QVERIFY(start != nullptr && stop != nullptr);
        QVERIFY(start->isEnabled());
        QVERIFY(!stop->isEnabled());

        start->click();
        QVERIFY(session.isRunning());
        QVERIFY(!start->isEnabled());
        QVERIFY(stop->isEnabled());

        stop->click();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), kRunTimeoutMilliseconds);
        QVERIFY(start->isEnabled());
        QVERIFY(!stop->isEnabled());
        QVERIFY2(labelText(window, "runStateValue").startsWith(QStringLiteral("Stopped after")),
                 qPrintable(labelText(window, "runStateValue")));
    }

    void figuresAreNotClippedAtTheMinimumWindowSize() {
        EngineSession session;
        PoolFiguresWindow window(session);
        window.resize(window.minimumSize());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        PoolSnapshot large = distinctiveSnapshot();
        large.eventsReceived = 9'876'543'210;
        large.unpooledBytesLive = 1023ull * 1024 * 1024 * 1024;
        window.showSnapshot(large);
        QCoreApplication::processEvents();

        for (const QLabel* label : window.findChildren<QLabel*>()) {
            if (!label->isVisible() || label->wordWrap()) {
                continue;
            }
            QVERIFY2(label->width() >= label->sizeHint().width() &&
                         label->height() >= label->sizeHint().height(),
                     qPrintable(QStringLiteral("'%1' is %2x%3, needs %4x%5")
                                    .arg(label->text())
                                    .arg(label->width())
                                    .arg(label->height())
                                    .arg(label->sizeHint().width())
                                    .arg(label->sizeHint().height())));
        }
    }
};

QTEST_MAIN(PoolFiguresWindowTest)
#include "PoolFiguresWindowTest.moc"
