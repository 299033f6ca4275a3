#include <QtTest>

#include <cstdint>
#include <string>

#include "GcTestSupport.h"
#include "gc/GcHeap.h"

using namespace poolscope;
using poolscope::testing::smallGcHeapSettings;

namespace {

// The types of the two classic leaks: a form list held by a static, and an event whose handler
// list holds its subscribers.
struct LeakTypes {
    GcTypeId formList;
    GcTypeId form;
    GcTypeId publisher;
    GcTypeId handler;
    GcTypeId subscriber;

    explicit LeakTypes(GcHeap& heap)
        : formList(heap.registerType(GcType{"FormList", 16, {{"items", 0}}, {}})),
          form(heap.registerType(GcType{"Form", 16, {{"owner", 0}}, {}})),
          publisher(heap.registerType(GcType{"SettingsService", 8, {{"changedHandlers", 0}}, {}})),
          handler(heap.registerType(GcType{"EventHandler", 16, {{"target", 0}, {"next", 8}}, {}})),
          subscriber(heap.registerType(GcType{"PreviewPanel", 64, {}, {}})) {}
};

}  // namespace

class GcRetentionPathTest : public QObject {
    Q_OBJECT

private slots:
    void staticOpenedFormsList_keepsDisposedFormsAlive_andThePathNamesIt();
    void eventHandlerSubscription_keepsItsSubscriberAlive_andThePathNamesIt();
    void path_isTheShortestOne();
    void path_canStartAtANamedRoot();
    void frameLocals_andHandles_areNamedRoots();
    void unreachableObject_hasNoPath();
};

void GcRetentionPathTest::staticOpenedFormsList_keepsDisposedFormsAlive_andThePathNamesIt() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    const GcHeap::StaticId openedForms = heap.defineStatic("openedForms");
    GcHandle closedForm;
    {
        GcFrame frame(heap, "Application.run");
        const ObjectRef list = heap.allocate(frame, types.formList);
        heap.setReference(list, 0, heap.allocateReferenceArray(frame, 8));
        heap.setStatic(openedForms, list);
        const ObjectRef items = heap.getReference(frame, list, 0);
        for (std::size_t i = 0; i < 3; ++i) {
            const ObjectRef form = heap.allocate(frame, types.form);
            heap.setReference(items, i, form);
            if (i == 2) {
                // The user closed (disposed) this form, but nobody removed it from the list.
                closedForm = heap.allocateHandle(form, GcHandleKind::WeakShort);
            }
        }
    }
    heap.collect(2);
    QVERIFY(closedForm.isAlive());
    const auto path = heap.retentionPath(closedForm.ref());
    QVERIFY(path.has_value());
    QCOMPARE(path->rootName, std::string("static openedForms"));
    QCOMPARE(path->toString(),
             std::string("static openedForms -> FormList -items-> object[] -[2]-> Form"));
    QCOMPARE(path->steps.back().address, heap.addressOf(closedForm.ref()));

    // Removing it from the list is the fix.
    {
        GcFrame frame(heap, "closeForm");
        const ObjectRef list = heap.loadStatic(frame, openedForms);
        heap.setReference(heap.getReference(frame, list, 0), 2, ObjectRef{});
    }
    heap.collect(2);
    QVERIFY(!closedForm.isAlive());
}

void GcRetentionPathTest::eventHandlerSubscription_keepsItsSubscriberAlive_andThePathNamesIt() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    const GcHeap::StaticId service = heap.defineStatic("SettingsService.instance");
    GcHandle panel;
    {
        GcFrame frame(heap, "main");
        const ObjectRef publisher = heap.allocate(frame, types.publisher);
        heap.setStatic(service, publisher);
        for (int i = 0; i < 2; ++i) {
            // panel.Subscribe(): settings.Changed += panel.OnSettingsChanged
            GcFrame open(heap, "openPreviewPanel");
            const ObjectRef subscriber = heap.allocate(open, types.subscriber);
            const ObjectRef handler = heap.allocate(open, types.handler);
            heap.setReference(handler, 0, subscriber);
            heap.setReference(handler, 1, heap.getReference(open, publisher, 0));
            heap.setReference(publisher, 0, handler);
            if (i == 0) {
                panel = heap.allocateHandle(subscriber, GcHandleKind::WeakShort);
            }
        }
    }
    // The panels were closed long ago; the subscription still holds them.
    heap.collect(2);
    QVERIFY(panel.isAlive());
    const auto path = heap.retentionPath(panel.ref());
    QVERIFY(path.has_value());
    QCOMPARE(path->toString(),
             std::string("static SettingsService.instance -> SettingsService -changedHandlers-> "
                         "EventHandler -next-> EventHandler -target-> PreviewPanel"));

    // Unsubscribing (emptying the handler list) lets the panels go.
    {
        GcFrame frame(heap, "unsubscribe");
        heap.setReference(heap.loadStatic(frame, service), 0, ObjectRef{});
    }
    heap.collect(2);
    QVERIFY(!panel.isAlive());
}

void GcRetentionPathTest::path_isTheShortestOne() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    const GcHeap::StaticId chain = heap.defineStatic("chain");
    const GcHeap::StaticId direct = heap.defineStatic("direct");
    GcHandle target;
    {
        GcFrame frame(heap, "build");
        // chain -> h -> h -> h -> subscriber, and direct -> h -> subscriber.
        const ObjectRef subscriber = heap.allocate(frame, types.subscriber);
        ObjectRef head = heap.allocate(frame, types.handler);
        heap.setReference(head, 0, subscriber);
        for (int i = 0; i < 2; ++i) {
            const ObjectRef link = heap.allocate(frame, types.handler);
            heap.setReference(link, 1, head);
            head = link;
        }
        heap.setStatic(chain, head);
        const ObjectRef shortcut = heap.allocate(frame, types.handler);
        heap.setReference(shortcut, 0, subscriber);
        heap.setStatic(direct, shortcut);
        target = heap.allocateHandle(subscriber, GcHandleKind::WeakShort);
    }
    const auto path = heap.retentionPath(target.ref());
    QVERIFY(path.has_value());
    QCOMPARE(path->toString(), std::string("static direct -> EventHandler -target-> PreviewPanel"));
    QCOMPARE(path->steps.size(), std::size_t{2});
}

void GcRetentionPathTest::path_canStartAtANamedRoot() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    const GcHeap::StaticId first = heap.defineStatic("first");
    const GcHeap::StaticId second = heap.defineStatic("second");
    GcHandle target;
    {
        GcFrame frame(heap, "build");
        const ObjectRef form = heap.allocate(frame, types.form);
        heap.setStatic(first, form);
        const ObjectRef list = heap.allocate(frame, types.formList);
        heap.setReference(list, 0, heap.allocateReferenceArray(frame, 1));
        heap.setReference(heap.getReference(frame, list, 0), 0, form);
        heap.setStatic(second, list);
        target = heap.allocateHandle(form, GcHandleKind::WeakShort);
    }
    QCOMPARE(heap.retentionPath(target.ref())->toString(), std::string("static first -> Form"));
    QCOMPARE(heap.retentionPath(target.ref(), "static second")->toString(),
             std::string("static second -> FormList -items-> object[] -[0]-> Form"));
    QVERIFY(!heap.retentionPath(target.ref(), "static nothing").has_value());
}

void GcRetentionPathTest::frameLocals_andHandles_areNamedRoots() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    GcFrame frame(heap, "decodeThumbnail");
    const ObjectRef local = heap.allocate(frame, types.form);
    QCOMPARE(heap.retentionPath(local)->toString(), std::string("frame decodeThumbnail -> Form"));
    GcHandle strong = heap.allocateHandle(local, GcHandleKind::Strong);
    frame.retire(local);
    QCOMPARE(heap.retentionPath(strong.ref())->rootName, std::string("strong handle"));
    GcHandle pinned = heap.allocateHandle(strong.ref(), GcHandleKind::Pinned);
    strong.free();
    QCOMPARE(heap.retentionPath(pinned.ref())->rootName, std::string("pinned handle"));
}

void GcRetentionPathTest::unreachableObject_hasNoPath() {
    GcHeap heap(smallGcHeapSettings());
    const LeakTypes types(heap);
    GcHandle weak;
    {
        GcFrame frame(heap, "gone");
        weak = heap.allocateHandle(heap.allocate(frame, types.form), GcHandleKind::WeakShort);
    }
    QVERIFY(weak.isAlive());  // no collection yet: garbage, but still there
    QVERIFY(!heap.retentionPath(weak.ref()).has_value());
}

QTEST_GUILESS_MAIN(GcRetentionPathTest)
#include "GcRetentionPathTest.moc"
