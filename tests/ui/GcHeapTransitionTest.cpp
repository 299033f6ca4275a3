// The heap picture between two snapshots: survivors travel from where they were drawn to their
// new places (compaction, promotion), the selection follows its object, and nothing animates
// once the picture is still.

#include <QtTest>
#include <QtWidgets>

#include <atomic>
#include <future>
#include <memory>

#include "gc/GcFrame.h"
#include "gc/GcHeap.h"
#include "views/GcHeapMap.h"
#include "views/GcHeapView.h"
#include "views/GcQueueJourney.h"

using namespace poolscope;

namespace {

// Three photos side by side in generation 0; the middle one loses its root, and a generation 0
// collection slides the last one into its place and promotes both survivors.
struct CompactionLesson {
    std::unique_ptr<GcHeap> heap;
    std::unique_ptr<GcFrame> frame;
    ObjectRef first;
    ObjectRef last;
    std::uintptr_t lastBefore = 0;
    std::uintptr_t garbageBefore = 0;
    std::shared_ptr<const GcHeapSnapshot> before;
    // `before` drawn with the mark a generation 0 collection runs.
    std::shared_ptr<const GcHeapSnapshot> marking;
    std::shared_ptr<const GcHeapSnapshot> after;

    CompactionLesson() {
        GcHeap::Settings settings;
        settings.smallObjectReserveBytes = 16u << 20;
        settings.largeObjectReserveBytes = 64u << 20;
        heap = std::make_unique<GcHeap>(settings);
        const GcTypeId photo = heap->registerType(GcType{"Photo", 56, {}, {}});
        frame = std::make_unique<GcFrame>(*heap, "compaction");
        first = heap->allocate(*frame, photo);
        {
            GcFrame dropped(*heap, "dropped");
            garbageBefore = heap->addressOf(heap->allocate(dropped, photo));
        }
        last = heap->allocate(*frame, photo);
        lastBefore = heap->addressOf(last);
        before = std::make_shared<const GcHeapSnapshot>(heap->snapshot());
        auto marked = std::make_shared<GcHeapSnapshot>(*before);
        marked->markGeneration = 0;
        marking = std::move(marked);
        heap->collect(0);
        after = std::make_shared<const GcHeapSnapshot>(heap->snapshot());
    }
};

// Two FileStreams die; the finalizer thread takes the first and is held in its finalizer, so
// the second waits on the f-reachable queue, where the collection put it.
struct FinalizationLesson {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<bool> finalizerStarted{false};
    std::unique_ptr<GcHeap> heap;
    std::shared_ptr<const GcHeapSnapshot> before;
    std::shared_ptr<const GcHeapSnapshot> after;

    FinalizationLesson() {
        GcHeap::Settings settings;
        settings.smallObjectReserveBytes = 16u << 20;
        settings.largeObjectReserveBytes = 64u << 20;
        heap = std::make_unique<GcHeap>(settings);
        const GcTypeId stream =
            heap->registerType(GcType{"FileStream", 32, {}, [this](GcHeap&, ObjectRef) {
                                          finalizerStarted = true;
                                          released.wait();
                                      }});
        {
            GcFrame dropped(*heap, "dropped");
            heap->allocate(dropped, stream);
            heap->allocate(dropped, stream);
        }
        before = std::make_shared<const GcHeapSnapshot>(heap->snapshot());
        heap->collect(0);
        while (!finalizerStarted) {
            QThread::msleep(1);
        }
        after = std::make_shared<const GcHeapSnapshot>(heap->snapshot());
    }

    ~FinalizationLesson() {
        release.set_value();
        heap->waitForPendingFinalizers();
    }
};

GcHeapMap* mapOf(GcHeapView& view) {
    return qobject_cast<GcHeapMap*>(view.heapMap());
}

}  // namespace

class GcHeapTransitionTest : public QObject {
    Q_OBJECT

private slots:
    void compaction_theSurvivorTravelsFromItsOldPlace_thenTheMapIsStill() {
        CompactionLesson lesson;
        GcHeapView view;
        view.resize(1280, 800);
        view.setSnapshot(lesson.before);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        GcHeapMap& map = *mapOf(view);
        const QRect lastWasDrawn = view.objectRect(lesson.lastBefore);
        const QRect firstWasDrawn = view.objectRect(lesson.heap->addressOf(lesson.first));
        QVERIFY(!map.transitionRunning());

        view.setSnapshot(lesson.after);
        const std::uintptr_t lastNow = lesson.heap->addressOf(lesson.last);
        QVERIFY(lastNow != lesson.lastBefore);  // compaction moved it
        QVERIFY(map.transitionRunning());
        // It starts where it was drawn, and ends at its new place (slid down, one band older).
        QCOMPARE(map.drawnRectOf(lastNow).toAlignedRect(), lastWasDrawn);
        QCOMPARE(map.drawnRectOf(lesson.heap->addressOf(lesson.first)).toAlignedRect(),
                 firstWasDrawn);
        QTRY_VERIFY(!map.transitionRunning());
        QCOMPARE(map.drawnRectOf(lastNow).toAlignedRect(), view.objectRect(lastNow));
        QVERIFY(view.objectRect(lastNow) != lastWasDrawn);

        // The same snapshot again changes nothing: no journey, no timer.
        view.setSnapshot(std::make_shared<const GcHeapSnapshot>(*lesson.after));
        QVERIFY(!map.transitionRunning());
    }

    void mark_spreadsFromTheRoots_thenLeavesOnlyTheGarbageUnmarked() {
        CompactionLesson lesson;
        GcHeapView view;
        view.resize(1280, 800);
        view.setSnapshot(lesson.before);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        GcHeapMap& map = *mapOf(view);
        QVERIFY(!map.markShown());
        const std::uintptr_t first = lesson.heap->addressOf(lesson.first);

        view.setSnapshot(lesson.marking);  // the same heap, now with the mark
        QVERIFY(map.markShown());
        QVERIFY(map.transitionRunning());
        QCOMPARE(map.markedCount(), std::size_t{0});  // it starts at the roots, nothing reached
        QVERIFY(!map.markedNow(first));
        QTRY_VERIFY(!map.transitionRunning());
        QCOMPARE(map.markedCount(), std::size_t{2});
        QVERIFY(map.markedNow(first));
        QVERIFY(map.markedNow(lesson.lastBefore));
        QVERIFY(!map.markedNow(lesson.garbageBefore));

        // The collection's result is no mark picture any more.
        view.setSnapshot(lesson.after);
        QVERIFY(!map.markShown());
        QVERIFY(!map.markedNow(first));
    }

    void mark_isWholeAtOnce_inScreenshots() {
        CompactionLesson lesson;
        GcHeapView still;
        still.resize(1280, 800);
        still.setTransitionsEnabled(false);
        still.setSnapshot(lesson.before);
        still.setSnapshot(lesson.marking);
        GcHeapMap& map = *mapOf(still);
        QVERIFY(!map.transitionRunning());
        QCOMPARE(map.markedCount(), std::size_t{2});
        QVERIFY(!map.markedNow(lesson.garbageBefore));
    }

    void finalization_theDeadObjectTravelsFromTheFinalizationQueueToTheFReachableQueue() {
        FinalizationLesson lesson;
        QCOMPARE(lesson.before->finalizationQueue.size(), std::size_t{2});
        QCOMPARE(lesson.after->fReachableQueue.size(), std::size_t{1});
        GcHeapView view;
        view.resize(1280, 800);
        view.setSnapshot(lesson.before);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* finalization = view.findChild<QTreeWidget*>(QStringLiteral("finalizationQueueTable"));
        auto* fReachable = view.findChild<QTreeWidget*>(QStringLiteral("fReachableQueueTable"));
        const std::uintptr_t traveller = lesson.after->fReachableQueue.front();
        const auto& queued = lesson.before->finalizationQueue;
        const int oldRow =
            static_cast<int>(std::find(queued.begin(), queued.end(), traveller) - queued.begin());
        const QRect oldRect = finalization->visualItemRect(finalization->topLevelItem(oldRow));
        const QPoint from = finalization->viewport()->mapTo(&view, oldRect.topLeft());

        view.setSnapshot(lesson.after);
        const GcQueueJourney& journey = view.queueJourney();
        QVERIFY(journey.running());
        QCOMPARE(journey.travellerTexts(), std::vector<QString>{QStringLiteral("FileStream")});
        QCOMPARE(journey.travellerRects().front().topLeft(), from);
        QTRY_VERIFY(!journey.running());
        QVERIFY(journey.travellerRects().empty());  // arrived: the row itself shows it now
        QCOMPARE(fReachable->topLevelItemCount(), 1);
    }

    void finalization_screenshotsHaveNoJourney() {
        FinalizationLesson lesson;
        GcHeapView still;
        still.resize(1280, 800);
        still.setTransitionsEnabled(false);
        still.setSnapshot(lesson.before);
        still.show();
        QVERIFY(QTest::qWaitForWindowExposed(&still));
        still.setSnapshot(lesson.after);
        QVERIFY(!still.queueJourney().running());
        QVERIFY(still.queueJourney().travellerRects().empty());
    }

    void selection_followsItsObjectThroughCompaction() {
        CompactionLesson lesson;
        GcHeapView view;
        view.resize(1280, 800);
        view.setSnapshot(lesson.before);
        view.selectObject(lesson.lastBefore);
        view.setSnapshot(lesson.after);
        QCOMPARE(view.selectedAddress(), lesson.heap->addressOf(lesson.last));
        QVERIFY(view.retentionPathText().contains(QStringLiteral("frame compaction")));
    }

    void click_skipsTheJourney_andScreenshotsHaveNone() {
        CompactionLesson lesson;
        GcHeapView view;
        view.resize(1280, 800);
        view.setSnapshot(lesson.before);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        GcHeapMap& map = *mapOf(view);
        view.setSnapshot(lesson.after);
        QVERIFY(map.transitionRunning());
        QTest::mouseClick(&map, Qt::LeftButton, {}, QPoint(5, 5));
        QVERIFY(!map.transitionRunning());
        const std::uintptr_t lastNow = lesson.heap->addressOf(lesson.last);
        QCOMPARE(map.drawnRectOf(lastNow).toAlignedRect(), view.objectRect(lastNow));

        GcHeapView still;
        still.resize(1280, 800);
        still.setTransitionsEnabled(false);
        still.setSnapshot(lesson.before);
        still.setSnapshot(lesson.after);
        QVERIFY(!mapOf(still)->transitionRunning());
    }
};

QTEST_MAIN(GcHeapTransitionTest)
#include "GcHeapTransitionTest.moc"
