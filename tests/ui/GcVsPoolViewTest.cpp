// gc-vs-pool side by side: the managed heap's pane beside the pool's, and a comparison table
// whose figures are the run's own.

#include <QSettings>
#include <QtTest>

#include <algorithm>
#include <string>
#include <vector>

#include "models/DisplayFormat.h"
#include "models/GcVsPoolComparison.h"
#include "scenarios/RunSummary.h"
#include "session/EngineSession.h"
#include "views/GcVsPoolPanes.h"
#include "views/GcVsPoolView.h"
#include "views/MainWindow.h"

using namespace poolscope;

namespace {

constexpr int kRunTimeoutMilliseconds = 180'000;

std::uint64_t figureOf(const ScenarioRunReport& report, const std::string& name) {
    for (const auto& [figureName, value] : report.outcome.figures) {
        if (figureName == name) {
            return static_cast<std::uint64_t>(std::get<std::int64_t>(value));
        }
    }
    return ~std::uint64_t{0};
}

QVariant cell(const GcVsPoolComparison& comparison, const QString& row, int column,
              int role = GcVsPoolComparison::FigureRole) {
    const int index = comparison.rowOf(row);
    return index < 0 ? QVariant() : comparison.index(index, column).data(role);
}

TimelineSample sampleAt(double seconds, std::uint64_t gen0, std::uint64_t largeObjects,
                        std::uint64_t largeObjectFree, std::uint64_t rented) {
    TimelineSample sample;
    sample.seconds = seconds;
    sample.managedBytes[0] = gen0;
    sample.managedBytes[3] = largeObjects;
    sample.largeObjectFreeBytes = largeObjectFree;
    sample.rentedBytes = rented;
    return sample;
}

}  // namespace

class GcVsPoolViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void comparison_whileRunning_countsHeldBytesPerSide_withoutTheLohFreeBlocks() {
        GcVsPoolComparison comparison;
        SessionSnapshot snapshot;
        snapshot.newSamples = {sampleAt(1.0, 100, 4000, 64'000'000, 8000),
                               sampleAt(2.0, 300, 1000, 64'000'000, 2000)};
        snapshot.gcCollections[0] = 5;
        snapshot.gcCollections[2] = 1;
        comparison.addSnapshot(snapshot);

        QCOMPARE(comparison.points().size(), std::size_t{2});
        QCOMPARE(cell(comparison, QStringLiteral("Peak held so far"), GcVsPoolComparison::GcColumn)
                     .toULongLong(),
                 qulonglong{4100});
        QCOMPARE(
            cell(comparison, QStringLiteral("Peak held so far"), GcVsPoolComparison::PoolColumn)
                .toULongLong(),
            qulonglong{8000});
        QCOMPARE(cell(comparison, QStringLiteral("Held now"), GcVsPoolComparison::GcColumn)
                     .toULongLong(),
                 qulonglong{1300});
        QCOMPARE(
            cell(comparison, QStringLiteral("LOH free blocks now"), GcVsPoolComparison::GcColumn)
                .toULongLong(),
            qulonglong{64'000'000});
        QCOMPARE(cell(comparison, QStringLiteral("Collections (gen 0/1/2)"),
                      GcVsPoolComparison::GcColumn),
                 QVariant(QStringLiteral("5 / 0 / 1")));
        // A figure the pool side does not have says so.
        QCOMPARE(cell(comparison, QStringLiteral("Collections (gen 0/1/2)"),
                      GcVsPoolComparison::PoolColumn, Qt::DisplayRole),
                 QVariant(QStringLiteral("—")));

        comparison.clear();
        QVERIFY(comparison.points().empty());
        QCOMPARE(cell(comparison, QStringLiteral("Held now"), GcVsPoolComparison::GcColumn)
                     .toULongLong(),
                 qulonglong{0});
    }

    void window_gcVsPool_panesAndTableShowTheRunsOwnFigures() {
        QSettings().setValue(QStringLiteral("run/speed"), 0);
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        window.selectScenario("gc-vs-pool", {});
        // The side-by-side panes come forward for this scenario.
        QTRY_VERIFY(window.gcVsPoolView()->isVisible());
        window.startRunToTheEnd();
        QTRY_VERIFY_WITH_TIMEOUT(session.lastOutcome().has_value() && !session.isRunning(),
                                 kRunTimeoutMilliseconds);
        const ScenarioRunReport& report = session.lastOutcome()->report;
        QVERIFY2(report.error.empty(), report.error.c_str());
        QVERIFY(report.gc.has_value());
        // The run timed its collections from their end events.
        QVERIFY(report.gc->collections[2] > 0);
        QVERIFY(report.gc->pauseNanoseconds > 0);
        const GcVsPoolComparison& comparison = *window.gcVsPoolView()->comparison();
        QVERIFY(comparison.hasReport());
        using C = GcVsPoolComparison;
        QCOMPARE(cell(comparison, QStringLiteral("Peak held"), C::GcColumn).toULongLong(),
                 figureOf(report, "gcPeakBytes"));
        QCOMPARE(cell(comparison, QStringLiteral("Peak held"), C::PoolColumn).toULongLong(),
                 figureOf(report, "poolPeakBytes"));
        QCOMPARE(cell(comparison, QStringLiteral("Held at end"), C::GcColumn).toULongLong(),
                 figureOf(report, "gcRetainedBytesAtEnd"));
        QCOMPARE(cell(comparison, QStringLiteral("Held at end"), C::PoolColumn).toULongLong(),
                 figureOf(report, "poolRetainedBytesAtEnd"));
        const std::uint64_t largeObjectsAtEnd = figureOf(report, "gcLargeObjectHeapBytesAtEnd");
        QCOMPARE(cell(comparison, QStringLiteral("LOH held by objects at end"), C::GcColumn)
                     .toULongLong(),
                 largeObjectsAtEnd);
        QCOMPARE(cell(comparison, QStringLiteral("Collections (gen 0/1/2)"), C::GcColumn),
                 QVariant(QStringLiteral("%1 / %2 / %3")
                              .arg(report.gc->collections[0])
                              .arg(report.gc->collections[1])
                              .arg(report.gc->collections[2])));
        QCOMPARE(cell(comparison, QStringLiteral("Time in collections"), C::GcColumn),
                 QVariant(QString::fromStdString(
                     RunSummary::milliseconds(report.gc->pauseNanoseconds))));
        QCOMPARE(cell(comparison, QStringLiteral("Chunks rented / returned"), C::PoolColumn),
                 QVariant(QStringLiteral("%1 / %2")
                              .arg(report.pool.chunkRents)
                              .arg(report.pool.chunkReturns)));
        QVERIFY(report.pool.chunkRents > 0);

        // The GC pane's LOH layer is the bytes objects hold, the run's figure, not its free
        // blocks; its heading says what the heap holds at the end.
        QTRY_VERIFY_WITH_TIMEOUT(!comparison.points().empty() &&
                                     comparison.points().back().largeObjects == largeObjectsAtEnd,
                                 10'000);
        const GcVsPoolComparison::Point& last = comparison.points().back();
        const GcVsPoolPanes& panes = *window.gcVsPoolView()->panes();
        QVERIFY(panes.gcHeading().contains(DisplayFormat::bytes(last.gcHeld())));
        QVERIFY(panes.poolHeading().contains(DisplayFormat::bytes(last.poolHeld())));
        QVERIFY(panes.gcAxisBytes() >= last.gcHeld() + last.largeObjectFree);
        QVERIFY(panes.poolAxisBytes() >= last.poolHeld());
    }

    // Two samples, nothing then 8 MiB rented: the second holds what was rented since the first,
    // so the pool's fill is as high at the start of the span as at its end (a slope would
    // suggest the pool grew gradually, which it did not).
    void panes_drawSamplesAsSteps_notSlopes() {
        GcVsPoolComparison comparison;
        SessionSnapshot snapshot;
        snapshot.newSamples = {sampleAt(0.0, 0, 0, 0, 0), sampleAt(2.0, 0, 0, 0, 8 * 1024 * 1024)};
        comparison.addSnapshot(snapshot);
        GcVsPoolPanes panes(comparison);
        panes.resize(900, 420);
        QImage image(panes.size(), QImage::Format_ARGB32);
        panes.render(&image);

        const QRgb base = panes.palette().color(QPalette::Base).rgb();
        // Per column of the pool's plot (the right half; plot columns are those showing some
        // of the plot's background above the fill): the pixels that are not background.
        std::vector<int> filled;
        for (int x = image.width() / 2; x < image.width(); ++x) {
            int background = 0;
            int other = 0;
            for (int y = 0; y < image.height(); ++y) {
                (image.pixel(x, y) == base ? background : other) += 1;
            }
            if (background > 0) {
                filled.push_back(other);
            }
        }
        QVERIFY2(filled.size() > 100, qPrintable(QString::number(filled.size())));
        // Leave out the plot's frame and the columns next to it.
        const auto first = filled.begin() + static_cast<std::ptrdiff_t>(filled.size() / 10);
        const auto last = filled.end() - static_cast<std::ptrdiff_t>(filled.size() / 10);
        const auto [lowest, highest] = std::minmax_element(first, last);
        QVERIFY2(
            *highest - *lowest <= 2,
            qPrintable(QStringLiteral("fill heights from %1 to %2 px").arg(*lowest).arg(*highest)));
    }
};

QTEST_MAIN(GcVsPoolViewTest)
#include "GcVsPoolViewTest.moc"
