#include <QtTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "EventTestSupport.h"
#include "GcTestSupport.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "gc/GcHeap.h"
#include "gc/ManagedImageType.h"
#include "memory/MemoryAllocator.h"

using namespace poolscope;
using poolscope::testing::ofKind;
using poolscope::testing::smallGcHeapSettings;

namespace {

// A finalizable type whose finalizer counts its runs and then does whatever the test asks.
struct Finalizable {
    std::atomic<int> runs{0};
    std::function<void(GcHeap&, ObjectRef)> then;
    GcTypeId typeId = 0;

    explicit Finalizable(GcHeap& heap) {
        typeId = heap.registerType(
            GcType{"Resource", 16, {{"partner", 0}}, [this](GcHeap& heap, ObjectRef self) {
                       runs.fetch_add(1);
                       if (then) {
                           then(heap, self);
                       }
                   }});
    }
};

// The allocation site the leak report must name.
__attribute__((noinline)) void openPreviewAndForgetIt(GcHeap& heap, ManagedImageType& images) {
    GcFrame frame(heap, "openPreviewAndForgetIt");
    images.create(frame, 512, 384);
    asm volatile("" ::: "memory");
}

}  // namespace

class GcFinalizationTest : public QObject {
    Q_OBJECT

private slots:
    void finalizableObject_survivesItsFirstCollection_andIsFreedAtTheNext();
    void finalizableObject_keepsWhatItReferencesAliveUntilFinalized();
    void suppressFinalize_stopsTheFinalizer();
    void resurrection_keepsTheObjectAlive_andIsReported();
    void reRegisterForFinalize_finalizesItAgain();
    void shortWeakHandle_isClearedBeforeFinalization_longOnlyAfter();
    void keepAlive_extendsALifetime();
    void finalizerRuns_onTheFinalizerThread_andAreReported();
    void waitForPendingFinalizers_fromAFinalizer_isRefused();
    void undisposedManagedImage_raisesTheNotificationWithAStackNamingTheAllocatingFunction();
    void disposedManagedImage_releasesItsPixelsAtOnce_andIsNeverFinalized();
};

void GcFinalizationTest::finalizableObject_survivesItsFirstCollection_andIsFreedAtTheNext() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    GcHandle tracker;
    {
        GcFrame frame(heap, "make");
        tracker =
            heap.allocateHandle(heap.allocate(frame, resource.typeId), GcHandleKind::WeakLong);
    }
    heap.collect(2);
    QVERIFY(tracker.isAlive());  // on the f-reachable queue
    QCOMPARE(heap.snapshot().objects.size(), std::size_t{1});
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 1);
    heap.collect(2);
    QVERIFY(!tracker.isAlive());
    QVERIFY(heap.snapshot().objects.empty());
    QCOMPARE(resource.runs.load(), 1);
}

void GcFinalizationTest::finalizableObject_keepsWhatItReferencesAliveUntilFinalized() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    const GcTypeId plain = heap.registerType(GcType{"Plain", 8, {}, {}});
    GcHandle partner;
    {
        GcFrame frame(heap, "make");
        const ObjectRef object = heap.allocate(frame, resource.typeId);
        const ObjectRef referenced = heap.allocate(frame, plain);
        heap.setReference(object, 0, referenced);
        // Long: a short weak handle lets go of it at once, though it survives.
        partner = heap.allocateHandle(referenced, GcHandleKind::WeakLong);
    }
    heap.collect(2);
    QVERIFY(partner.isAlive());  // marked through the f-reachable object
    heap.waitForPendingFinalizers();
    heap.collect(2);
    QVERIFY(!partner.isAlive());
}

void GcFinalizationTest::suppressFinalize_stopsTheFinalizer() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    GcHandle tracker;
    {
        GcFrame frame(heap, "make");
        const ObjectRef object = heap.allocate(frame, resource.typeId);
        heap.suppressFinalize(object);
        tracker = heap.allocateHandle(object, GcHandleKind::WeakLong);
    }
    heap.collect(2);
    QVERIFY(!tracker.isAlive());  // no finalizer to wait for: gone at once
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 0);
}

void GcFinalizationTest::resurrection_keepsTheObjectAlive_andIsReported() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    const GcHeap::StaticId graveyard = heap.defineStatic("graveyard");
    resource.then = [graveyard](GcHeap& heap, ObjectRef self) { heap.setStatic(graveyard, self); };
    std::uintptr_t addressAfterFirstCollection = 0;
    {
        GcFrame frame(heap, "make");
        const ObjectRef object = heap.allocate(frame, resource.typeId);
        const std::uint64_t secret = 0x5EC4E7;
        heap.writeBytes(object, 8, std::as_bytes(std::span(&secret, 1)));
    }
    auto subscription = EventStream::subscribe(1024);
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 1);
    heap.collect(2);
    heap.collect(2);
    {
        GcFrame frame(heap, "look");
        const ObjectRef resurrected = heap.loadStatic(frame, graveyard);
        QVERIFY(!resurrected.isNull());
        std::uint64_t secret = 0;
        heap.readBytes(resurrected, 8, std::as_writable_bytes(std::span(&secret, 1)));
        QCOMPARE(secret, std::uint64_t{0x5EC4E7});
        addressAfterFirstCollection = heap.addressOf(resurrected);
    }
    QCOMPARE(resource.runs.load(), 1);  // it was not re-registered: never finalized again
    std::vector<MemoryEvent> events;
    subscription->drain(events);
    const auto resurrections = ofKind(events, MemoryEventKind::GcResurrection);
    QCOMPARE(resurrections.size(), std::size_t{1});
    QCOMPARE(resurrections[0].allocationId, addressAfterFirstCollection);
    QCOMPARE(resurrections[0].value, std::uint64_t{resource.typeId});
}

void GcFinalizationTest::reRegisterForFinalize_finalizesItAgain() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    const GcHeap::StaticId graveyard = heap.defineStatic("graveyard");
    resource.then = [&](GcHeap& heap, ObjectRef self) {
        if (resource.runs.load() == 1) {
            heap.setStatic(graveyard, self);
            heap.reRegisterForFinalize(self);
        }
    };
    {
        GcFrame frame(heap, "make");
        heap.allocate(frame, resource.typeId);
    }
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 1);
    heap.setStatic(graveyard, ObjectRef{});  // let it go a second time
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 2);
    heap.collect(2);
    QVERIFY(heap.snapshot().objects.empty());
}

void GcFinalizationTest::shortWeakHandle_isClearedBeforeFinalization_longOnlyAfter() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    GcHandle shortWeak;
    GcHandle longWeak;
    std::atomic<int> shortAliveInFinalizer{-1};
    std::atomic<int> longAliveInFinalizer{-1};
    resource.then = [&](GcHeap&, ObjectRef) {
        shortAliveInFinalizer = shortWeak.isAlive() ? 1 : 0;
        longAliveInFinalizer = longWeak.isAlive() ? 1 : 0;
    };
    {
        GcFrame frame(heap, "make");
        const ObjectRef object = heap.allocate(frame, resource.typeId);
        shortWeak = heap.allocateHandle(object, GcHandleKind::WeakShort);
        longWeak = heap.allocateHandle(object, GcHandleKind::WeakLong);
    }
    auto subscription = EventStream::subscribe(1024);
    heap.collect(2);
    QVERIFY(!shortWeak.isAlive());
    QVERIFY(longWeak.isAlive());
    heap.waitForPendingFinalizers();
    QCOMPARE(shortAliveInFinalizer.load(), 0);
    QCOMPARE(longAliveInFinalizer.load(), 1);
    heap.collect(2);
    QVERIFY(!longWeak.isAlive());
    std::vector<MemoryEvent> events;
    subscription->drain(events);
    const auto cleared = ofKind(events, MemoryEventKind::GcWeakCleared);
    QCOMPARE(cleared.size(), std::size_t{2});
    QCOMPARE(cleared[0].value2, std::uint64_t{0});  // short, at the first collection
    QCOMPARE(cleared[1].value2, std::uint64_t{1});  // long, at the second
    QVERIFY(cleared[0].allocationId < cleared[1].allocationId);
}

void GcFinalizationTest::keepAlive_extendsALifetime() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    {
        GcFrame frame(heap, "useNativeHandle");
        const ObjectRef kept = heap.allocate(frame, resource.typeId);
        const ObjectRef notKept = heap.allocate(frame, resource.typeId);
        heap.keepAlive(kept);
        // After their last use the JIT reports neither local...
        frame.retire(kept);
        frame.retire(notKept);
        heap.collect(2);
        heap.waitForPendingFinalizers();
        // ...so only keepAlive stands between `kept` and its finalizer.
        QCOMPARE(resource.runs.load(), 1);
    }
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 2);
}

void GcFinalizationTest::finalizerRuns_onTheFinalizerThread_andAreReported() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    std::mutex mutex;
    std::thread::id finalizerThread;
    resource.then = [&](GcHeap&, ObjectRef) {
        std::lock_guard lock(mutex);
        finalizerThread = std::this_thread::get_id();
    };
    {
        GcFrame frame(heap, "make");
        for (int i = 0; i < 3; ++i) {
            heap.allocate(frame, resource.typeId);
        }
    }
    auto subscription = EventStream::subscribe(1024);
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QCOMPARE(resource.runs.load(), 3);
    {
        std::lock_guard lock(mutex);
        QVERIFY(finalizerThread != std::thread::id());
        QVERIFY(finalizerThread != std::this_thread::get_id());
    }
    std::vector<MemoryEvent> events;
    subscription->drain(events);
    QCOMPARE(ofKind(events, MemoryEventKind::GcFinalizerRun).size(), std::size_t{3});
    QCOMPARE(heap.statistics().finalizersRun, std::uint64_t{3});
}

void GcFinalizationTest::waitForPendingFinalizers_fromAFinalizer_isRefused() {
    GcHeap heap(smallGcHeapSettings());
    Finalizable resource(heap);
    std::atomic<bool> refused{false};
    resource.then = [&](GcHeap& heap, ObjectRef) {
        try {
            heap.waitForPendingFinalizers();
        } catch (const std::logic_error&) {
            refused = true;
        }
    };
    {
        GcFrame frame(heap, "make");
        heap.allocate(frame, resource.typeId);
    }
    heap.collect(2);
    heap.waitForPendingFinalizers();
    QVERIFY(refused.load());
}

void GcFinalizationTest::
    undisposedManagedImage_raisesTheNotificationWithAStackNamingTheAllocatingFunction() {
    std::mutex mutex;
    std::vector<UndisposedAllocation> notifications;
    auto subscription =
        MemoryDiagnostics::subscribeUndisposed([&](const UndisposedAllocation& leak) {
            std::lock_guard lock(mutex);
            notifications.push_back(leak);
        });
    GcHeap heap(smallGcHeapSettings());
    ManagedImageType images(heap, MemoryAllocator::create());
    const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();

    openPreviewAndForgetIt(heap, images);
    QCOMPARE(images.liveNativeBuffers(), std::size_t{1});
    heap.collect(2);
    heap.waitForPendingFinalizers();

    QCOMPARE(images.liveNativeBuffers(), std::size_t{0});  // the finalizer released the pixels
    std::lock_guard lock(mutex);
    QCOMPARE(notifications.size(), std::size_t{1});
    QCOMPARE(notifications[0].allocation.bytes, std::uint64_t{512 * 384 * 4});
    const std::string stackTrace =
        MemoryDiagnostics::formatStack(notifications[0].allocation.stackId);
    QVERIFY2(stackTrace.find("openPreviewAndForgetIt") != std::string::npos, stackTrace.c_str());
    // As in ImageSharp, memory a finalizer released still counts as undisposed.
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore + 1);
}

void GcFinalizationTest::disposedManagedImage_releasesItsPixelsAtOnce_andIsNeverFinalized() {
    std::atomic<int> notifications{0};
    auto subscription = MemoryDiagnostics::subscribeUndisposed(
        [&](const UndisposedAllocation&) { ++notifications; });
    GcHeap heap(smallGcHeapSettings());
    ManagedImageType images(heap, MemoryAllocator::create());
    const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
    GcHandle tracker;
    {
        GcFrame frame(heap, "resize");
        const ObjectRef image = images.create(frame, 256, 256);
        images.row(image, 255)[0] = std::byte{1};
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore + 1);
        images.dispose(image);
        images.dispose(image);  // harmless
        QVERIFY(images.isDisposed(image));
        QCOMPARE(images.liveNativeBuffers(), std::size_t{0});
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, images.row(image, 0));
        tracker = heap.allocateHandle(image, GcHandleKind::WeakLong);
    }
    heap.collect(2);
    QVERIFY(!tracker.isAlive());  // finalization was suppressed: it died in one collection
    heap.waitForPendingFinalizers();
    QCOMPARE(notifications.load(), 0);
    QCOMPARE(heap.statistics().finalizersRun, std::uint64_t{0});
}

QTEST_GUILESS_MAIN(GcFinalizationTest)
#include "GcFinalizationTest.moc"
