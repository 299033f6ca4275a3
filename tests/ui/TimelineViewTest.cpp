#include <QAction>
#include <QFileInfo>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include "UiTestSupport.h"
#include "views/Theme.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr std::uint16_t kSource = 3;
constexpr std::uint64_t kChunk = 4u * 1024 * 1024;
constexpr std::int64_t kSecond = 1'000'000'000;

// A live session's stream of snapshots from a real run: one snapshot per drained batch of
// events, as the session's worker would publish them.
struct LiveRun {
    std::vector<std::shared_ptr<const SessionSnapshot>> snapshots;
    std::shared_ptr<PooledMemoryAllocator> allocator;
    std::shared_ptr<Scenario> scenario;
};

class SnapshotPerBatchSink : public MemoryEventSink {
public:
    explicit SnapshotPerBatchSink(SessionState& state) : state_(state) {}
    void consume(std::span<const MemoryEvent> events) override {
        std::lock_guard lock(mutex);
        state_.apply(events);
        snapshots.push_back(state_.takeSnapshot(monotonicNanoseconds()));
    }
    std::mutex mutex;
    std::vector<std::shared_ptr<const SessionSnapshot>> snapshots;

private:
    SessionState& state_;
};

LiveRun runLive(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& parameters) {
    SessionState state(SessionState::liveResolvers(), monotonicNanoseconds());
    SnapshotPerBatchSink sink(state);
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = 64;
    options.eventSink = &sink;
    options.drainInterval = std::chrono::milliseconds(20);
    options.onAllocatorReady = [&](const PooledMemoryAllocator& allocator) {
        std::lock_guard lock(sink.mutex);
        state.followPool(allocator.sourceId(), allocator.pool().capacity(),
                         allocator.pool().chunkBytes());
    };
    options.onProgress = [&](const ScenarioProgress& progress) {
        std::lock_guard lock(sink.mutex);
        state.setPhase(monotonicNanoseconds(), QString::fromStdString(progress.phase),
                       QString::fromStdString(progress.explanation));
    };
    ScenarioRunner runner(options);
    LiveRun run;
    run.scenario = ScenarioRegistry::builtIn().create(name);
    runner.run(*run.scenario, run.scenario->resolveParameters(parameters));
    run.allocator = runner.allocator();
    std::lock_guard lock(sink.mutex);
    sink.snapshots.push_back(state.takeSnapshot(monotonicNanoseconds()));
    run.snapshots = std::move(sink.snapshots);
    return run;
}

// Snapshots one second apart of a pool whose rented chunks grow by one each second.
// One snapshot a sample, `interval` apart (a second by default), each renting one more chunk.
std::vector<std::shared_ptr<const SessionSnapshot>> growingPool(int seconds,
                                                                std::int64_t interval = kSecond) {
    SessionState state({}, 0);
    state.followPool(kSource, 64, kChunk);
    std::vector<std::shared_ptr<const SessionSnapshot>> snapshots;
    for (int second = 1; second <= seconds; ++second) {
        MemoryEvent rent;
        rent.kind = MemoryEventKind::Rent;
        rent.sourceId = kSource;
        rent.slot = (second - 1) % 64;
        rent.allocationId = static_cast<AllocationId>(second);
        rent.bytes = kChunk;
        rent.timeNanoseconds = second * interval;
        state.apply(rent);
        snapshots.push_back(state.takeSnapshot(second * interval));
    }
    return snapshots;
}

void feed(TimelineView& view, const std::vector<std::shared_ptr<const SessionSnapshot>>& all) {
    for (const auto& snapshot : all) {
        view.setSnapshot(snapshot);
    }
}

QWidget* plotOf(TimelineView& view) {
    return view.findChild<QWidget*>(QStringLiteral("timelinePlot"));
}

// A left-button drag across the middle of the plot, as a mouse would make it.
void dragAcrossPlot(QWidget* plot, Qt::KeyboardModifiers modifiers) {
    QCoreApplication::processEvents();  // the queued replot lays the plot out
    const QPoint from(plot->width() * 2 / 5, plot->height() / 2);
    const QPoint to(plot->width() * 3 / 5, plot->height() / 2);
    QTest::mousePress(plot, Qt::LeftButton, modifiers, from);
    for (int step = 1; step <= 4; ++step) {
        QTest::mouseMove(plot, from + (to - from) * step / 4);
    }
    QTest::mouseRelease(plot, Qt::LeftButton, modifiers, to);
    QCoreApplication::processEvents();
}

}  // namespace

class TimelineViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        run_ = runLive("periodic-bursts", {{"bursts", "2"},
                                           {"images-per-burst", "2"},
                                           {"width", "2048"},
                                           {"height", "1536"},
                                           {"idle-ms", "400"},
                                           {"trim-period-ms", "80"}});
        QVERIFY(run_.snapshots.size() >= 3);
    }

    void graph_holdsOnePointPerSampleOfARealRun() {
        TimelineView view;
        view.resize(900, 500);
        std::size_t samples = 0;
        for (const auto& snapshot : run_.snapshots) {
            samples += snapshot->newSamples.size();
        }
        feed(view, run_.snapshots);
        QCOMPARE(view.sampleCount(), static_cast<int>(samples));
    }

    void yMaximum_isTheLargestStackedSampleTotal() {
        TimelineView view;
        feed(view, run_.snapshots);
        double largest = 0.0;
        for (const auto& snapshot : run_.snapshots) {
            for (const TimelineSample& sample : snapshot->newSamples) {
                double total = static_cast<double>(sample.rentedBytes + sample.retainedBytes +
                                                   sample.unpooledBytes + sample.smallBytes);
                for (const std::uint64_t managed : sample.managedBytes) {
                    total += static_cast<double>(managed);
                }
                largest = std::max(largest, total / kMiB);
            }
        }
        // Which moment of a burst the drains caught depends on the machine; that some pool
        // memory shows does not.
        QVERIFY(largest > 0.0);
        QCOMPARE(view.yMaximumMiB(), largest);
    }

    void everyMarkerOfARealRun_isDrawn() {
        TimelineView view;
        feed(view, run_.snapshots);
        int markers = 0;
        int trims = 0;
        for (const auto& snapshot : run_.snapshots) {
            markers += static_cast<int>(snapshot->newMarkers.size());
            trims += static_cast<int>(std::count_if(
                snapshot->newMarkers.begin(), snapshot->newMarkers.end(),
                [](const TimelineMarker& m) { return m.kind == TimelineMarker::Kind::Trim; }));
        }
        QVERIFY(trims > 0);
        QCOMPARE(view.markerCount(), markers);
    }

    void follow_keepsTheNewestSampleInView() {
        const auto snapshots = growingPool(100);
        TimelineView view;
        QVERIFY(view.follow());
        feed(view, {snapshots.begin(), snapshots.begin() + 10});
        QCOMPARE(view.xRange().second, 10.0);
        feed(view, {snapshots.begin() + 10, snapshots.end()});
        QCOMPARE(view.xRange().second, 100.0);
        QVERIFY(view.xRange().first > 10.0);
    }

    void follow_afterTheRunEnded_showsTheWholeRunAndStopsStretching() {
        SessionState state({}, 0);
        state.followPool(kSource, 64, kChunk);
        TimelineView view;
        for (int second = 1; second <= 5; ++second) {
            MemoryEvent rent;
            rent.kind = MemoryEventKind::Rent;
            rent.sourceId = kSource;
            rent.slot = second - 1;
            rent.allocationId = static_cast<AllocationId>(second);
            rent.bytes = kChunk;
            rent.timeNanoseconds = second * kSecond;
            state.apply(rent);
            state.setProgress(true, second, 5);
            view.setSnapshot(state.takeSnapshot(second * kSecond));
            QCOMPARE(view.xRange().second, std::max(static_cast<double>(second), 1.05));
        }
        // Running but quiet: the axis still follows the clock.
        view.setSnapshot(state.takeSnapshot(6 * kSecond));
        QCOMPARE(view.xRange().second, 6.0);
        // The run ends with its last snapshot; the idle session's samples go on, the axis stays
        // on the whole run.
        state.setProgress(false, 5, 5);
        view.setSnapshot(state.takeSnapshot(7 * kSecond));
        for (int second = 8; second <= 40; ++second) {
            view.setSnapshot(state.takeSnapshot(second * kSecond));
            QCOMPARE(view.xRange().first, 1.0);
            QCOMPARE(view.xRange().second, 7.0);
        }
        QVERIFY(view.follow());
    }

    void samples_areDrawnAsSteps() {
        TimelineView view;
        QVERIFY(view.drawsSteps());
    }

    void allTime_clearsTheRangeAndShowsTheWholeSession() {
        const auto snapshots = growingPool(100);
        TimelineView view;
        feed(view, snapshots);
        view.setFollow(false);
        QSignalSpy cleared(&view, &TimelineView::timeRangeCleared);
        auto* allTime = view.findChild<QAction*>(QStringLiteral("allTimeAction"));
        QVERIFY(allTime != nullptr);
        allTime->trigger();
        QCOMPARE(cleared.count(), 1);
        QCOMPARE(view.xRange().first, 1.0);
        QCOMPARE(view.xRange().second, 100.0);
        QCOMPARE(allTime->text(), QStringLiteral("All time"));
    }

    void shortRun_fillsThePlot_insteadOfAWiderAxis() {
        const auto snapshots = growingPool(17, kSecond / 100);  // 0.01 s to 0.17 s
        TimelineView view;
        feed(view, snapshots);
        QCOMPARE(view.xRange().first, 0.01);
        QCOMPARE(view.xRange().second, 0.17);
    }

    void range_withoutFollow_staysWhereItIs() {
        const auto snapshots = growingPool(50);
        TimelineView view;
        feed(view, {snapshots.begin(), snapshots.begin() + 10});
        view.setFollow(false);
        const auto range = view.xRange();
        feed(view, {snapshots.begin() + 10, snapshots.end()});
        QCOMPARE(view.xRange(), range);
        view.setFollow(true);
        QCOMPARE(view.xRange().second, 50.0);
    }

    void draggingThePlot_pansAndStopsFollowing() {
        const auto snapshots = growingPool(30);
        TimelineView view;
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        feed(view, snapshots);
        QVERIFY(view.follow());
        const auto before = view.xRange();
        dragAcrossPlot(plotOf(view), Qt::NoModifier);
        QVERIFY(!view.follow());
        QVERIFY(view.xRange().second < before.second);
    }

    void shiftDrag_selectsATimeRangeAndClearAnnouncesItsEnd() {
        const auto snapshots = growingPool(30);
        TimelineView view;
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        feed(view, snapshots);
        const auto range = view.xRange();
        QSignalSpy selected(&view, &TimelineView::timeRangeSelected);
        QSignalSpy cleared(&view, &TimelineView::timeRangeCleared);
        dragAcrossPlot(plotOf(view), Qt::ShiftModifier);
        QCOMPARE(selected.count(), 1);
        const double from = selected.front().at(0).toDouble();
        const double to = selected.front().at(1).toDouble();
        QVERIFY(range.first < from);
        QVERIFY(from < to);
        QVERIFY(to < range.second);
        QCOMPARE(view.xRange(), range);  // a selection is not a pan

        auto* clear = view.findChild<QAction*>(QStringLiteral("clearRangeAction"));
        QVERIFY(clear != nullptr);
        QVERIFY(clear->isEnabled());
        clear->trigger();
        QCOMPARE(cleared.count(), 1);
        QVERIFY(!clear->isEnabled());
    }

    void restartedSeries_startsTheGraphOver() {
        TimelineView view;
        feed(view, growingPool(20));
        QCOMPARE(view.sampleCount(), 20);
        feed(view, growingPool(3));  // a new session: its first snapshot is sample 0 again
        QCOMPARE(view.sampleCount(), 3);
        QCOMPARE(view.yMaximumMiB(), 12.0);
    }

    void series_onlyThoseThatHeldMemoryAreShown() {
        TimelineView view;
        feed(view, growingPool(3));
        QCOMPARE(view.shownSeries(), QStringList{QStringLiteral("Pool: rented")});

        SessionState state({}, 0);
        state.followPool(kSource, 4, kChunk);
        auto heap = std::make_shared<GcHeapSnapshot>();
        heap->generationBytes[0] = 2 * kChunk;
        heap->generationBytes[2] = kChunk;
        state.setHeapSnapshot(heap);
        view.clear();
        view.setSnapshot(state.takeSnapshot(kSecond));
        QCOMPARE(view.shownSeries(),
                 (QStringList{QStringLiteral("GC gen 2"), QStringLiteral("GC gen 0")}));
        QCOMPARE(view.yMaximumMiB(), 12.0);
    }

    void collections_areMarkedWithTheirGeneration() {
        SessionState state({}, 0);
        state.followPool(kSource, 4, kChunk);
        for (std::uint32_t generation : {0u, 1u, 2u}) {
            MemoryEvent end;
            end.kind = MemoryEventKind::GcEnd;
            end.tier = MemoryTier::Heap;
            end.chunkIndex = generation;
            end.timeNanoseconds = (generation + 1) * kSecond;
            state.apply(end);
        }
        const auto snapshot = state.takeSnapshot(4 * kSecond);
        QCOMPARE(snapshot->newMarkers.size(), std::size_t{3});
        TimelineView view;
        view.setSnapshot(snapshot);
        QCOMPARE(view.markerCount(), 3);
        QCOMPARE(view.markerLabels(), (QStringList{QStringLiteral("gen 0"), QStringLiteral("gen 1"),
                                                   QStringLiteral("gen 2")}));
    }

    void markerLabels_thatWouldOverlapOrBeCutAtTheRightEdge_areLeftOut() {
        SessionState state({}, 0);
        state.followPool(kSource, 4, kChunk);
        TimelineView view;
        view.resize(500, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // A sample a second; two checkpoints a hundredth of a second apart, and one at the last
        // sample.
        for (int second = 1; second <= 10; ++second) {
            if (second == 2) {
                state.addCheckpointMarker(2 * kSecond, QStringLiteral("first step"));
                state.addCheckpointMarker(2 * kSecond + kSecond / 100,
                                          QStringLiteral("second step"));
            }
            if (second == 10) {
                state.addCheckpointMarker(10 * kSecond, QStringLiteral("a step at the very end"));
            }
            view.setSnapshot(state.takeSnapshot(second * kSecond));
        }
        QVERIFY(view.plotAreaWidth() > 0);  // laid out at its size
        QCOMPARE(view.markerCount(), 3);
        QCOMPARE(view.shownMarkerLabels(), QStringList{QStringLiteral("first step")});
        auto* plot = view.findChild<QWidget*>(QStringLiteral("timelinePlot"));
        QVERIFY(plot->toolTip().contains(QStringLiteral("a step at the very end")));
        QVERIFY(plot->toolTip().contains(QStringLiteral("second step")));
    }

    void export_writesPngAndPdf() {
        TimelineView view;
        feed(view, run_.snapshots);
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString png = directory.filePath(QStringLiteral("timeline.png"));
        const QString pdf = directory.filePath(QStringLiteral("timeline.pdf"));
        QVERIFY(view.exportTo(png));
        QVERIFY(view.exportTo(pdf));
        QVERIFY(QFileInfo(png).size() > 0);
        QVERIFY(QFileInfo(pdf).size() > 0);
        QVERIFY(QImage(png).width() >= 300);
        QVERIFY(!view.exportTo(directory.filePath(QStringLiteral("timeline.txt"))));
    }

    void screenshot_ofARealRun() {
        const QTemporaryDir screenshots;
        // The default workload pausing after each image, so that its images stay rented for
        // a few snapshots and the larger ones spill out of a 64 MiB pool.
        const LiveRun run =
            runLive("default", {{"iterations", "24"}, {"pause-ms", "40"}, {"leak", "true"}});
        TimelineView view;
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        feed(view, run.snapshots);
        QVERIFY(view.yMaximumMiB() > 0.0);
        QCoreApplication::processEvents();
        QVERIFY(
            testing::renderWidget(view).save(screenshots.filePath(QStringLiteral("timeline.png"))));
        view.setPalette(Theme::darkPalette());
        QCoreApplication::processEvents();
        const QImage dark = testing::renderWidget(view);
        // The plot's background, at its bottom left corner.
        QCOMPARE(dark.pixelColor(2, dark.height() - 2).rgb(),
                 Theme::darkPalette().color(QPalette::Base).rgb());
        QVERIFY(dark.save(screenshots.filePath(QStringLiteral("timeline-dark.png"))));
    }

private:
    LiveRun run_;
};

QTEST_MAIN(TimelineViewTest)
#include "TimelineViewTest.moc"
