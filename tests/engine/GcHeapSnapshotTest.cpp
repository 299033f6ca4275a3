#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <future>
#include <string>

#include "GcTestSupport.h"
#include "gc/GcHeap.h"

using namespace poolscope;
using poolscope::testing::smallGcHeapSettings;

namespace {

GcTypeId registerNode(GcHeap& heap) {
    return heap.registerType(GcType{"Node", 24, {{"next", 0}, {"other", 8}}, {}});
}

const GcHeapSnapshot::Handle* handleNamed(const GcHeapSnapshot& snapshot, const char* name) {
    const auto found =
        std::find_if(snapshot.handles.begin(), snapshot.handles.end(),
                     [&](const GcHeapSnapshot::Handle& handle) { return handle.name == name; });
    return found == snapshot.handles.end() ? nullptr : &*found;
}

}  // namespace

class GcHeapSnapshotTest : public QObject {
    Q_OBJECT

private slots:
    void snapshot_listsTheFinalizationAndFReachableQueues();
    void snapshot_listsHandlesWithKindTargetAndName_clearedWeakOnesAsZero();
    void snapshot_listsRootsByName();
    void snapshot_objectAge_countsTheCollectionsItSurvived_andPinnedFollowsItsHandle();
    void snapshot_regionsHoldEveryObjectOfTheirGeneration();
    void findObject_findsSmallAndLargeObjectsByAddress();
    void retentionPathTo_matchesTheHeap_forAStaticListHoldingDisposedForms();
    void retentionPathTo_matchesTheHeap_forAnEventSubscriptionHoldingItsSubscriber();
    void retentionPathTo_isNone_forUnreachableOrUnknownAddresses();
};

void GcHeapSnapshotTest::snapshot_listsTheFinalizationAndFReachableQueues() {
    GcHeap heap(smallGcHeapSettings());
    std::atomic<bool> firstFinalizerStarted{false};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    const GcTypeId resource = heap.registerType(GcType{"Resource", 16, {}, [&](GcHeap&, ObjectRef) {
                                                           firstFinalizerStarted = true;
                                                           released.wait();
                                                       }});
    GcFrame frame(heap, "main");
    const ObjectRef live = heap.allocate(frame, resource);
    const ObjectRef suppressed = heap.allocate(frame, resource);
    heap.suppressFinalize(suppressed);
    {
        GcFrame garbage(heap, "garbage");
        for (int i = 0; i < 3; ++i) {
            heap.allocate(garbage, resource);
        }
    }
    const GcHeapSnapshot before = heap.snapshot();
    QCOMPARE(before.finalizationQueue.size(), std::size_t{4});  // not the suppressed one
    QVERIFY(before.fReachableQueue.empty());

    heap.collect(0);
    // The finalizer thread takes the first dead object and blocks in its finalizer; the other
    // two wait on the f-reachable queue.
    QTRY_VERIFY_WITH_TIMEOUT(firstFinalizerStarted.load(), 10000);
    const GcHeapSnapshot pending = heap.snapshot();
    QCOMPARE(pending.finalizationQueue, std::vector<std::uintptr_t>{heap.addressOf(live)});
    QCOMPARE(pending.fReachableQueue.size(), std::size_t{2});
    for (std::uintptr_t address : pending.fReachableQueue) {
        const GcHeapSnapshot::Object* object = pending.findObject(address);
        QVERIFY(object != nullptr);
        QCOMPARE(object->typeName, std::string("Resource"));
        QVERIFY(!object->finalizerRegistered);
        QVERIFY(address != heap.addressOf(live) && address != heap.addressOf(suppressed));
    }
    const auto queued = std::find_if(
        pending.roots.begin(), pending.roots.end(),
        [](const GcHeapSnapshot::Root& root) { return root.name == "f-reachable queue"; });
    QVERIFY(queued != pending.roots.end());

    release.set_value();
    heap.waitForPendingFinalizers();
    QVERIFY(heap.snapshot().fReachableQueue.empty());
}

void GcHeapSnapshotTest::snapshot_listsHandlesWithKindTargetAndName_clearedWeakOnesAsZero() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "main");
    const ObjectRef kept = heap.allocate(frame, node);
    GcHandle strong = heap.allocateHandle(kept, GcHandleKind::Strong, "cache");
    GcHandle pinned = heap.allocateHandle(heap.allocateByteArray(frame, 64), GcHandleKind::Pinned);
    GcHandle weakToLive = heap.allocateHandle(kept, GcHandleKind::WeakLong, "thumbnail");
    GcHandle weakShort;
    GcHandle weakLong;
    {
        GcFrame garbage(heap, "garbage");
        const ObjectRef doomed = heap.allocate(garbage, node);
        weakShort = heap.allocateHandle(doomed, GcHandleKind::WeakShort, "short");
        weakLong = heap.allocateHandle(doomed, GcHandleKind::WeakLong, "long");
    }
    const GcHeapSnapshot before = heap.snapshot();
    QCOMPARE(before.handles.size(), std::size_t{5});  // frame locals are roots, not handles
    QVERIFY(handleNamed(before, "short")->target != 0);

    heap.collect(0);
    const GcHeapSnapshot after = heap.snapshot();
    QCOMPARE(after.handles.size(), std::size_t{5});
    QCOMPARE(handleNamed(after, "cache")->kind, GcHandleKind::Strong);
    QCOMPARE(handleNamed(after, "cache")->target, heap.addressOf(kept));
    QCOMPARE(handleNamed(after, "thumbnail")->kind, GcHandleKind::WeakLong);
    QCOMPARE(handleNamed(after, "thumbnail")->target, heap.addressOf(kept));
    QCOMPARE(handleNamed(after, "short")->kind, GcHandleKind::WeakShort);
    QCOMPARE(handleNamed(after, "short")->target, std::uintptr_t{0});
    QCOMPARE(handleNamed(after, "long")->target, std::uintptr_t{0});
    const GcHeapSnapshot::Handle* pin = handleNamed(after, "");
    QVERIFY(pin != nullptr);
    QCOMPARE(pin->kind, GcHandleKind::Pinned);
    QCOMPARE(pin->target, heap.addressOf(pinned.ref()));

    weakShort.free();
    QCOMPARE(heap.snapshot().handles.size(), std::size_t{4});
}

void GcHeapSnapshotTest::
    snapshot_objectAge_countsTheCollectionsItSurvived_andPinnedFollowsItsHandle() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "main");
    const ObjectRef old = heap.allocate(frame, node);
    const auto objectOf = [&heap](const GcHeapSnapshot& snapshot, const ObjectRef& ref) {
        const GcHeapSnapshot::Object* object = snapshot.findObject(heap.addressOf(ref));
        if (object == nullptr) {
            qFatal("the object is missing from the snapshot");
        }
        return *object;
    };
    QCOMPARE(objectOf(heap.snapshot(), old).age, 0u);

    heap.collect(0);
    const ObjectRef young = heap.allocate(frame, node);
    GcHandle pin = heap.allocateHandle(young, GcHandleKind::Pinned, "pin");
    heap.collect(1);
    heap.collect(2);
    const GcHeapSnapshot after = heap.snapshot();
    // Each collection that condemned the object and found it alive ages it by one.
    QCOMPARE(objectOf(after, old).age, 3u);
    QCOMPARE(objectOf(after, young).age, 2u);
    QVERIFY(!objectOf(after, old).pinned);
    QVERIFY(objectOf(after, young).pinned);

    pin.free();
    QVERIFY(!objectOf(heap.snapshot(), young).pinned);
}

void GcHeapSnapshotTest::snapshot_listsRootsByName() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    const GcHeap::StaticId openedForms = heap.defineStatic("openedForms");
    GcFrame frame(heap, "main");
    const ObjectRef local = heap.allocate(frame, node);
    const ObjectRef held = heap.allocate(frame, node);
    heap.setStatic(openedForms, held);
    GcHandle strong = heap.allocateHandle(held, GcHandleKind::Strong);
    GcHandle named = heap.allocateHandle(local, GcHandleKind::Strong, "session");
    GcHandle weak = heap.allocateHandle(local, GcHandleKind::WeakShort);

    const GcHeapSnapshot snapshot = heap.snapshot();
    const auto count = [&](const std::string& name, std::uintptr_t target) {
        return std::count_if(snapshot.roots.begin(), snapshot.roots.end(),
                             [&](const GcHeapSnapshot::Root& root) {
                                 return root.name == name && root.target == target;
                             });
    };
    QCOMPARE(count("static openedForms", heap.addressOf(held)), 1);
    QCOMPARE(count("frame main", heap.addressOf(local)), 1);
    QCOMPARE(count("frame main", heap.addressOf(held)), 1);
    QCOMPARE(count("strong handle", heap.addressOf(held)), 1);
    QCOMPARE(count("strong handle session", heap.addressOf(local)), 1);
    // Weak handles do not keep anything alive, so they are no roots.
    QCOMPARE(snapshot.roots.size(), std::size_t{5});
}

void GcHeapSnapshotTest::snapshot_regionsHoldEveryObjectOfTheirGeneration() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "main");
    heap.allocateByteArray(frame, 100000);
    {
        GcFrame garbage(heap, "garbage");
        heap.allocateByteArray(garbage, 200000);
    }
    heap.allocateByteArray(frame, 100000);
    heap.collect(2);  // the 200000-byte array leaves a hole in the LOH
    heap.allocate(frame, node);
    heap.collect(0);
    heap.collect(1);  // to generation 2
    heap.allocate(frame, node);
    heap.collect(0);  // to generation 1
    heap.allocate(frame, node);

    const GcHeapSnapshot snapshot = heap.snapshot();
    int perGeneration[4] = {0, 0, 0, 0};
    for (const GcHeapSnapshot::Object& object : snapshot.objects) {
        const GcHeapSnapshot::Region& region = snapshot.regions[object.generation];
        QVERIFY(object.address >= region.start);
        QVERIFY(object.address + object.sizeBytes <= region.end);
        ++perGeneration[object.generation];
    }
    QVERIFY(perGeneration[0] > 0 && perGeneration[1] > 0 && perGeneration[2] > 0);
    QCOMPARE(perGeneration[GcHeapSnapshot::kLargeObjectHeap], 2);
    for (int generation = 0; generation < 4; ++generation) {
        QCOMPARE(snapshot.regions[generation].sizeBytes(), snapshot.generationBytes[generation]);
    }
    // Generations sit below each other: 2, then 1, then 0.
    QCOMPARE(snapshot.regions[2].end, snapshot.regions[1].start);
    QCOMPARE(snapshot.regions[1].end, snapshot.regions[0].start);
    QCOMPARE(snapshot.regions[0].budgetBytes, heap.settings().gen0BudgetBytes);
    QCOMPARE(snapshot.largeObjectFreeBlocks.size(), std::size_t{1});
    const GcHeapSnapshot::FreeBlock& hole = snapshot.largeObjectFreeBlocks.front();
    QVERIFY(hole.address > snapshot.regions[3].start && hole.address < snapshot.regions[3].end);
    QVERIFY(snapshot.collectionCount >= 4);
}

void GcHeapSnapshotTest::findObject_findsSmallAndLargeObjectsByAddress() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "main");
    const ObjectRef small = heap.allocate(frame, node);
    const ObjectRef second = heap.allocate(frame, node);
    const ObjectRef large = heap.allocateByteArray(frame, 100000);
    const GcHeapSnapshot snapshot = heap.snapshot();
    QCOMPARE(snapshot.findObject(heap.addressOf(small))->typeName, std::string("Node"));
    QCOMPARE(snapshot.findObject(heap.addressOf(second))->address, heap.addressOf(second));
    QCOMPARE(snapshot.findObject(heap.addressOf(large))->generation,
             GcHeapSnapshot::kLargeObjectHeap);
    QVERIFY(snapshot.findObject(heap.addressOf(small) + 8) == nullptr);
}

void GcHeapSnapshotTest::retentionPathTo_matchesTheHeap_forAStaticListHoldingDisposedForms() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId formList = heap.registerType(GcType{"FormList", 16, {{"items", 0}}, {}});
    const GcTypeId form = heap.registerType(GcType{"Form", 16, {{"owner", 0}}, {}});
    const GcHeap::StaticId openedForms = heap.defineStatic("openedForms");
    GcHandle closedForm;
    {
        GcFrame frame(heap, "Application.run");
        const ObjectRef list = heap.allocate(frame, formList);
        heap.setReference(list, 0, heap.allocateReferenceArray(frame, 8));
        heap.setStatic(openedForms, list);
        const ObjectRef items = heap.getReference(frame, list, 0);
        for (std::size_t i = 0; i < 3; ++i) {
            const ObjectRef opened = heap.allocate(frame, form);
            heap.setReference(items, i, opened);
            if (i == 2) {
                closedForm = heap.allocateHandle(opened, GcHandleKind::WeakShort, "closed form");
            }
        }
    }
    heap.collect(2);
    const GcHeapSnapshot snapshot = heap.snapshot();
    const auto fromSnapshot = snapshot.retentionPathTo(heap.addressOf(closedForm.ref()));
    const auto fromHeap = heap.retentionPath(closedForm.ref());
    QVERIFY(fromSnapshot.has_value() && fromHeap.has_value());
    QCOMPARE(fromSnapshot->toString(),
             std::string("static openedForms -> FormList -items-> object[] -[2]-> Form"));
    QCOMPARE(fromSnapshot->toString(), fromHeap->toString());
    QCOMPARE(fromSnapshot->steps.size(), fromHeap->steps.size());
    for (std::size_t i = 0; i < fromHeap->steps.size(); ++i) {
        QCOMPARE(fromSnapshot->steps[i].address, fromHeap->steps[i].address);
        QCOMPARE(fromSnapshot->steps[i].typeId, fromHeap->steps[i].typeId);
    }
}

void GcHeapSnapshotTest::
    retentionPathTo_matchesTheHeap_forAnEventSubscriptionHoldingItsSubscriber() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId publisher =
        heap.registerType(GcType{"SettingsService", 8, {{"changedHandlers", 0}}, {}});
    const GcTypeId handler =
        heap.registerType(GcType{"EventHandler", 16, {{"target", 0}, {"next", 8}}, {}});
    const GcTypeId subscriber = heap.registerType(GcType{"PreviewPanel", 64, {}, {}});
    const GcHeap::StaticId service = heap.defineStatic("SettingsService.instance");
    GcHandle panel;
    {
        GcFrame frame(heap, "main");
        const ObjectRef settings = heap.allocate(frame, publisher);
        heap.setStatic(service, settings);
        for (int i = 0; i < 2; ++i) {
            GcFrame open(heap, "openPreviewPanel");
            const ObjectRef preview = heap.allocate(open, subscriber);
            const ObjectRef subscription = heap.allocate(open, handler);
            heap.setReference(subscription, 0, preview);
            heap.setReference(subscription, 1, heap.getReference(open, settings, 0));
            heap.setReference(settings, 0, subscription);
            if (i == 0) {
                panel = heap.allocateHandle(preview, GcHandleKind::WeakShort);
            }
        }
    }
    heap.collect(2);
    const GcHeapSnapshot snapshot = heap.snapshot();
    const auto fromSnapshot = snapshot.retentionPathTo(heap.addressOf(panel.ref()));
    const auto fromHeap = heap.retentionPath(panel.ref());
    QVERIFY(fromSnapshot.has_value() && fromHeap.has_value());
    QCOMPARE(fromSnapshot->toString(),
             std::string("static SettingsService.instance -> SettingsService -changedHandlers-> "
                         "EventHandler -next-> EventHandler -target-> PreviewPanel"));
    QCOMPARE(fromSnapshot->toString(), fromHeap->toString());
    QCOMPARE(fromSnapshot->steps.back().address, fromHeap->steps.back().address);
}

void GcHeapSnapshotTest::retentionPathTo_isNone_forUnreachableOrUnknownAddresses() {
    GcHeap heap(smallGcHeapSettings());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "main");
    const ObjectRef reachable = heap.allocate(frame, node);
    GcHandle unreachable;
    {
        GcFrame gone(heap, "gone");
        unreachable = heap.allocateHandle(heap.allocate(gone, node), GcHandleKind::WeakShort);
    }
    // No collection yet: the dead object is still in the heap, and so in the snapshot.
    const GcHeapSnapshot snapshot = heap.snapshot();
    QVERIFY(snapshot.findObject(heap.addressOf(unreachable.ref())) != nullptr);
    QVERIFY(!snapshot.retentionPathTo(heap.addressOf(unreachable.ref())).has_value());
    QVERIFY(!snapshot.retentionPathTo(heap.addressOf(reachable) + 8).has_value());
    const auto path = snapshot.retentionPathTo(heap.addressOf(reachable));
    QVERIFY(path.has_value());
    QCOMPARE(path->toString(), std::string("frame main -> Node"));
}

QTEST_GUILESS_MAIN(GcHeapSnapshotTest)
#include "GcHeapSnapshotTest.moc"
