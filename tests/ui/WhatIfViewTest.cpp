// The "What if pooled" dock on crafted recordings of large buffers: its figures are the
// replay's, exactly; its plot ends at the idle figures and peaks at the peak ones; another
// pool size replays again; a recording without large buffers is said so in words; and the
// window's dock follows the recording opened and the allocator toolbar.

#include <QAbstractItemModelTester>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

#include "analysis/WhatIfReplay.h"
#include "models/DisplayFormat.h"
#include "models/WhatIfFiguresModel.h"
#include "models/WhatIfSiteModel.h"
#include "recording/RecordingReader.h"
#include "session/EngineSession.h"
#include "session/WhatIfAnalysis.h"
#include "views/MainWindow.h"
#include "views/WhatIfView.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kReplayTimeoutMilliseconds = 30'000;
constexpr std::int64_t kMillisecond = 1'000'000;
constexpr double kMebibyte = 1024.0 * 1024.0;

void addBuffer(std::vector<MemoryEvent>& events, AllocationId id, std::uint64_t bytes,
               StackId stackId, std::int64_t madeMs, std::int64_t freedMs) {
    events.push_back(allocationEvent(MemoryEventKind::UnpooledAllocate, id, bytes, stackId, 1,
                                     madeMs * kMillisecond, MemoryTier::NativeHeap));
    if (freedMs >= 0) {
        events.push_back(allocationEvent(MemoryEventKind::UnpooledFree, id, bytes, stackId, 1,
                                         freedMs * kMillisecond, MemoryTier::NativeHeap));
    }
}

SessionAllocatorOptions poolOf(std::int64_t megabytes) {
    SessionAllocatorOptions options;
    options.maximumPoolSizeMegabytes = megabytes;
    return options;
}

// Every cell of the figures table against the replay's own figures, as numbers.
void verifyTableShows(const WhatIfFiguresModel& model, const WhatIfResult& replay) {
    QCOMPARE(model.rowCount(), int{WhatIfFiguresModel::RowCount});
    for (int row = 0; row < WhatIfFiguresModel::RowCount; ++row) {
        const std::uint64_t actual = WhatIfFiguresModel::figureOf(replay.actual, row);
        const std::uint64_t pooled = WhatIfFiguresModel::figureOf(replay.pooled, row);
        const auto value = [&](int column) {
            return model.data(model.index(row, column), WhatIfFiguresModel::kValueRole);
        };
        QCOMPARE(value(WhatIfFiguresModel::Actual).toULongLong(), qulonglong{actual});
        QCOMPARE(value(WhatIfFiguresModel::Pooled).toULongLong(), qulonglong{pooled});
        QCOMPARE(value(WhatIfFiguresModel::Difference).toLongLong(),
                 static_cast<qlonglong>(pooled) - static_cast<qlonglong>(actual));
    }
}

}  // namespace

class WhatIfViewTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void figuresModel_givesBothSidesAndTheirDifferenceAsNumbersAndText() {
        WhatIfFiguresModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        WhatIfFigures actual{10, 10, 40 * kMiB, 4 * kMiB, 0};
        WhatIfFigures pooled{1, 0, 4 * kMiB, 4 * kMiB, 4 * kMiB};
        model.setFigures(actual, pooled);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.columnCount(), 4);
        const auto text = [&](int row, int column) {
            return model.data(model.index(row, column)).toString();
        };
        QCOMPARE(text(WhatIfFiguresModel::MapCalls, WhatIfFiguresModel::Figure),
                 QStringLiteral("Map calls"));
        QCOMPARE(text(WhatIfFiguresModel::MapCalls, WhatIfFiguresModel::Actual),
                 QStringLiteral("10"));
        QCOMPARE(text(WhatIfFiguresModel::MapCalls, WhatIfFiguresModel::Pooled),
                 QStringLiteral("1"));
        QCOMPARE(text(WhatIfFiguresModel::MapCalls, WhatIfFiguresModel::Difference),
                 QStringLiteral("−9"));
        QCOMPARE(text(WhatIfFiguresModel::IdleHeld, WhatIfFiguresModel::Difference),
                 QStringLiteral("+") + DisplayFormat::bytes(4 * kMiB));
        QCOMPARE(text(WhatIfFiguresModel::PeakHeld, WhatIfFiguresModel::Difference),
                 DisplayFormat::bytes(0));
        QCOMPARE(model
                     .data(model.index(WhatIfFiguresModel::BytesFaultedIn,
                                       WhatIfFiguresModel::Difference),
                           WhatIfFiguresModel::kValueRole)
                     .toLongLong(),
                 -static_cast<qlonglong>(36 * kMiB));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void siteModel_writesWhatThePoolWouldCostASiteWithAMinusSign() {
        WhatIfSiteModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        WhatIfSite saving;
        saving.stackId = 3;
        saving.requests = 2;
        saving.mapCallsSaved = -3;
        saving.bytesFaultedInSaved = -4 * static_cast<std::int64_t>(kMiB);
        model.setRows({{QStringLiteral("decode ← main"), QStringLiteral("decode\nmain"), saving}});
        QCOMPARE(model.rowCount(), 1);
        const auto text = [&](int column) { return model.data(model.index(0, column)).toString(); };
        QCOMPARE(text(WhatIfSiteModel::Site), QStringLiteral("decode ← main"));
        QCOMPARE(text(WhatIfSiteModel::Buffers), QStringLiteral("2"));
        QCOMPARE(text(WhatIfSiteModel::MapCallsSaved), QStringLiteral("−3"));
        QCOMPARE(text(WhatIfSiteModel::BytesFaultedInSaved),
                 QStringLiteral("−") + DisplayFormat::bytes(4 * kMiB));
        QCOMPARE(model
                     .data(model.index(0, WhatIfSiteModel::BytesFaultedInSaved),
                           WhatIfSiteModel::kSortRole)
                     .toLongLong(),
                 -4 * static_cast<qlonglong>(kMiB));
    }

    void whatIfView_tableShowsExactlyTheReplaysFigures() {
        WhatIfView view;
        view.setAllocatorOptions(poolOf(64));
        view.showRecording(recordingOfTenBuffers());
        QVERIFY(view.analysis().busy());
        QVERIFY(view.busyIndicator()->isVisibleTo(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QVERIFY(!view.busyIndicator()->isVisibleTo(&view));
        QVERIFY(view.showsComparison());
        QVERIFY(view.message().isEmpty());

        const RecordingReader reader(recordingOfTenBuffers().toStdString());
        WhatIfReplay::Options options;
        options.poolSizeMegabytes = 64;
        const WhatIfResult replay = WhatIfReplay::of(reader, options);
        verifyTableShows(*view.figures(), replay);
        // Ten 4 MiB buffers one after another: ten maps, or one chunk reused.
        QCOMPARE(view.figures()
                     ->data(view.figures()->index(WhatIfFiguresModel::MapCalls,
                                                  WhatIfFiguresModel::Pooled),
                            WhatIfFiguresModel::kValueRole)
                     .toULongLong(),
                 qulonglong{1});

        QAbstractItemModelTester tester(view.sites(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view.sites()->rowCount(), 2);
        QCOMPARE(view.sites()->row(0).saving.stackId, StackId{7});
        QCOMPARE(view.sites()->row(0).saving.requests, std::uint64_t{8});
        QCOMPARE(view.sites()->row(0).saving.mapCallsSaved, std::int64_t{7});
    }

    void whatIfView_sitesSortByTheirSavingAsNumbers() {
        WhatIfView view;
        view.setAllocatorOptions(poolOf(64));
        view.showRecording(recordingOfTenBuffers());
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QSortFilterProxyModel& sorted = *view.sortedSites();
        const auto saved = [&](int row) {
            return sorted
                .data(sorted.index(row, WhatIfSiteModel::MapCallsSaved), WhatIfSiteModel::kSortRole)
                .toLongLong();
        };
        sorted.sort(WhatIfSiteModel::MapCallsSaved, Qt::DescendingOrder);
        QCOMPARE(saved(0), qlonglong{7});
        QCOMPARE(saved(1), qlonglong{2});
        sorted.sort(WhatIfSiteModel::MapCallsSaved, Qt::AscendingOrder);
        QCOMPARE(saved(0), qlonglong{2});
        QCOMPARE(saved(1), qlonglong{7});
    }

    void whatIfView_plottedSeriesEndAtTheIdleFiguresAndPeakAtThePeakFigures() {
        WhatIfView view;
        view.setAllocatorOptions(poolOf(8));
        view.showRecording(recordingOfBigBuffers());
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        const WhatIfResult& replay = view.result()->replay;
        for (const WhatIfView::Side side : {WhatIfView::Side::Actual, WhatIfView::Side::Pooled}) {
            const WhatIfFigures& figures =
                side == WhatIfView::Side::Actual ? replay.actual : replay.pooled;
            const std::vector<QPointF> points = view.plotted(side);
            QCOMPARE(points.size(), replay.heldOverTime.size());
            // In the replay's order, samples that share a moment too (the first buffer is made
            // at the first event, where nothing was held yet).
            for (std::size_t i = 0; i < points.size(); ++i) {
                const WhatIfHeldSample& sample = replay.heldOverTime[i];
                QCOMPARE(points[i].x(), static_cast<double>(sample.nanoseconds) / 1e9);
                QCOMPARE(
                    points[i].y() * kMebibyte,
                    static_cast<double>(side == WhatIfView::Side::Actual ? sample.actualBytes
                                                                         : sample.pooledBytes));
            }
            QCOMPARE(points[0].y(), 0.0);
            QCOMPARE(points[1].x(), 0.0);
            QCOMPARE(points[1].y(), 16.0);
            QCOMPARE(points.back().y() * kMebibyte, static_cast<double>(figures.idleHeldBytes));
            const auto highest =
                std::max_element(points.begin(), points.end(),
                                 [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
            QCOMPARE(highest->y() * kMebibyte, static_cast<double>(figures.peakHeldBytes));
            // Both sides on the one time axis: the same moments.
            QCOMPARE(points.back().x(), 0.004);
        }
        // The figures these are checked against are the ones the table shows.
        QCOMPARE(replay.actual.idleHeldBytes, 4 * kMiB);
        QCOMPARE(replay.actual.peakHeldBytes, 16 * kMiB);
        QCOMPARE(replay.pooled.peakHeldBytes, 16 * kMiB);
        verifyTableShows(*view.figures(), replay);
    }

    void whatIfView_changingThePoolSizeReplaysAgain() {
        WhatIfView view;
        view.setAllocatorOptions(poolOf(8));
        view.showRecording(recordingOfBigBuffers());
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QCOMPARE(view.result()->options.poolSizeMegabytes, std::int64_t{8});
        // Two chunks: neither 16 MiB buffer fits, each is mapped on its own.
        QCOMPARE(view.result()->replay.pooled.mapCalls, std::uint64_t{3});

        view.setAllocatorOptions(poolOf(64));
        QVERIFY(view.analysis().busy());
        QTRY_COMPARE_WITH_TIMEOUT(view.result()->options.poolSizeMegabytes, std::int64_t{64},
                                  kReplayTimeoutMilliseconds);
        // Sixteen chunks: the first buffer's four are made once and serve all three buffers.
        QCOMPARE(view.result()->replay.pooled.mapCalls, std::uint64_t{4});
        const RecordingReader reader(recordingOfBigBuffers().toStdString());
        verifyTableShows(*view.figures(), WhatIfReplay::of(reader, view.options()));
    }

    void whatIfView_saysInWordsThatARecordingHasNoLargeBuffers() {
        const QString path = directory_.filePath(QStringLiteral("small.psrec"));
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 4096, 1, 0, 1);
        addBuffer(events, 2, kMiB, 1, 2, 3);
        writeRecording(path.toStdString(), events);
        WhatIfView view;
        view.showRecording(path);
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QVERIFY(!view.showsComparison());
        QVERIFY2(view.message().contains(QStringLiteral("small.psrec has no large buffers")),
                 qPrintable(view.message()));
    }

    void whatIfView_namesAFileThatIsNotARecording() {
        const QString path = directory_.filePath(QStringLiteral("garbage.psrec"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a recording");
        file.close();
        WhatIfView view;
        view.showRecording(path);
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QVERIFY(!view.result()->error.isEmpty());
        QVERIFY(!view.showsComparison());
        QVERIFY2(view.message().startsWith(QStringLiteral("Could not replay garbage.psrec: ")),
                 qPrintable(view.message()));
    }

    void whatIfAnalysis_aNewerRequestSupersedesAnOlderOne() {
        WhatIfAnalysis analysis;
        QSignalSpy ready(&analysis, &WhatIfAnalysis::ready);
        WhatIfReplay::Options small;
        small.poolSizeMegabytes = 8;
        WhatIfReplay::Options large;
        large.poolSizeMegabytes = 64;
        analysis.request(recordingOfBigBuffers(), small);
        analysis.request(recordingOfBigBuffers(), large);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kReplayTimeoutMilliseconds);
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QCOMPARE(ready.count(), 1);
        const auto result =
            ready.front().front().value<std::shared_ptr<const WhatIfAnalysisResult>>();
        QCOMPARE(result->options.poolSizeMegabytes, std::int64_t{64});
        QVERIFY(!analysis.busy());
    }

    void mainWindow_replaysTheRecordingItOpensWithTheToolbarsPool() {
        EngineSession session;
        MainWindow window(session);
        window.setAllocatorOptions(poolOf(8));
        session.openRecording(recordingOfBigBuffers());
        WhatIfView& view = *window.whatIfView();
        QTRY_VERIFY_WITH_TIMEOUT(view.result() != nullptr, kReplayTimeoutMilliseconds);
        QCOMPARE(view.result()->options.poolSizeMegabytes, std::int64_t{8});
        QCOMPARE(view.result()->replay.pooled.mapCalls, std::uint64_t{3});

        window.setAllocatorOptions(poolOf(64));
        QTRY_COMPARE_WITH_TIMEOUT(view.result()->options.poolSizeMegabytes, std::int64_t{64},
                                  kReplayTimeoutMilliseconds);
        QCOMPARE(view.result()->replay.pooled.mapCalls, std::uint64_t{4});
        QVERIFY(MainWindow::viewNames().contains(QStringLiteral("whatif")));
        QVERIFY(!window.grabView(QStringLiteral("whatif")).isNull());
    }

private:
    // Ten 4 MiB buffers one after another: eight from stack 7, two from stack 8.
    QString recordingOfTenBuffers() const {
        const QString path = directory_.filePath(QStringLiteral("ten.psrec"));
        if (!QFile::exists(path)) {
            std::vector<MemoryEvent> events;
            for (int i = 0; i < 10; ++i) {
                addBuffer(events, static_cast<AllocationId>(i + 1), 4 * kMiB, i < 8 ? 7 : 8, i * 10,
                          i * 10 + 5);
            }
            writeRecording(path.toStdString(), events);
        }
        return path;
    }

    // Two 16 MiB buffers one after the other, then a 4 MiB one never freed.
    QString recordingOfBigBuffers() const {
        const QString path = directory_.filePath(QStringLiteral("big.psrec"));
        if (!QFile::exists(path)) {
            std::vector<MemoryEvent> events;
            addBuffer(events, 1, 16 * kMiB, 1, 0, 1);
            addBuffer(events, 2, 16 * kMiB, 1, 2, 3);
            addBuffer(events, 3, 4 * kMiB, 2, 4, -1);
            writeRecording(path.toStdString(), events);
        }
        return path;
    }

    QTemporaryDir directory_;
};

QTEST_MAIN(WhatIfViewTest)
#include "WhatIfViewTest.moc"
