#include <QtTest>

#include <array>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "EventTestSupport.h"
#include "diagnostics/EventStream.h"
#include "gc/GcHeap.h"

using namespace poolscope;
using poolscope::testing::ofKind;

namespace {

// A node with two references and 16 bytes of data: the shape of most test graphs.
struct NodeLayout {
    static constexpr std::uint32_t kDataOffset = 16;
    static constexpr std::uint32_t kDataBytes = 16;
};

GcTypeId registerNode(GcHeap& heap) {
    return heap.registerType(GcType{
        "Node", NodeLayout::kDataOffset + NodeLayout::kDataBytes, {{"next", 0}, {"other", 8}}, {}});
}

void writeTag(GcHeap& heap, ObjectRef node, std::uint64_t tag) {
    heap.writeBytes(node, NodeLayout::kDataOffset, std::as_bytes(std::span(&tag, 1)));
}

std::uint64_t readTag(GcHeap& heap, ObjectRef node) {
    std::uint64_t tag = 0;
    heap.readBytes(node, NodeLayout::kDataOffset, std::as_writable_bytes(std::span(&tag, 1)));
    return tag;
}

GcHeap::Settings smallBudgets() {
    GcHeap::Settings settings;
    settings.gen0BudgetBytes = 64 * 1024;
    settings.gen1BudgetBytes = 256 * 1024;
    settings.smallObjectReserveBytes = 64u << 20;
    settings.largeObjectReserveBytes = 256u << 20;
    return settings;
}

}  // namespace

class GcHeapTest : public QObject {
    Q_OBJECT

private slots:
    void unreachableObjects_areCollected();
    void cycles_areCollected();
    void survivor_isPromotedFromGen0ToGen1ToGen2();
    void compaction_movesObjects_andTheirDataAndReferencesStayIntact();
    void largeObjects_goToTheLoh_fromTheThresholdOn();
    void largeObjectHeap_isNotCompacted_soItsFragmentationShows();
    void largeObjectHeap_isCollectedOnlyAtGeneration2();
    void pinnedObjects_doNotMove_whileTheirNeighboursDo();
    void compaction_fillsTheDeadSpaceBelowAPin_withLaterSurvivors();
    void writeBarrier_keepsAYoungObjectReferencedOnlyFromAnOldOneAlive();
    void writeBarrier_holderIsFixedUpWhenItsYoungReferentMoves();
    void exhaustedGen0Budget_triggersAGen0Collection();
    void exhaustedGen1Budget_collectsGeneration1Too();
    void promotionPressure_collectsGeneration2();
    void staticsAndStrongHandles_areRoots_weakHandlesAreNot();
    void retiredLocal_isNoLongerARoot();
    void collection_publishesStartEndAndMoveEvents();
    void allocation_isSampledEveryNBytes();
    void snapshot_reportsGenerationsAddressesSizesAndReferences();
    void staleReference_isRefused();
    void refusedAllocation_namesTheSizeAndTheLimit();
};

void GcHeapTest::unreachableObjects_areCollected() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcHandle weak;
    {
        GcFrame frame(heap, "make");
        weak = heap.allocateHandle(heap.allocate(frame, node), GcHandleKind::WeakShort);
        heap.collect(0);
        QVERIFY(weak.isAlive());  // the frame's local still holds it
    }
    heap.collect(1);  // the first collection promoted it to generation 1
    QVERIFY(!weak.isAlive());
    QCOMPARE(heap.statistics().lastFreedBytes, std::uint64_t{56});
    QVERIFY(heap.snapshot().objects.empty());
}

void GcHeapTest::cycles_areCollected() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcHandle weakA;
    GcHandle weakB;
    {
        GcFrame frame(heap, "cycle");
        const ObjectRef a = heap.allocate(frame, node);
        const ObjectRef b = heap.allocate(frame, node);
        heap.setReference(a, 0, b);
        heap.setReference(b, 0, a);
        weakA = heap.allocateHandle(a, GcHandleKind::WeakShort);
        weakB = heap.allocateHandle(b, GcHandleKind::WeakShort);
    }
    heap.collect(0);
    QVERIFY(!weakA.isAlive());
    QVERIFY(!weakB.isAlive());
}

void GcHeapTest::survivor_isPromotedFromGen0ToGen1ToGen2() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "promote");
    const ObjectRef survivor = heap.allocate(frame, node);
    QCOMPARE(heap.generationOf(survivor), 0);
    heap.collect(0);
    QCOMPARE(heap.generationOf(survivor), 1);
    heap.collect(0);  // a gen 0 collection leaves gen 1 alone
    QCOMPARE(heap.generationOf(survivor), 1);
    heap.collect(1);
    QCOMPARE(heap.generationOf(survivor), 2);
    heap.collect(2);
    QCOMPARE(heap.generationOf(survivor), 2);
}

void GcHeapTest::compaction_movesObjects_andTheirDataAndReferencesStayIntact() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "compact");
    std::vector<ObjectRef> kept;
    std::vector<std::uintptr_t> before;
    for (int i = 0; i < 100; ++i) {
        {
            GcFrame garbage(heap, "garbage");
            heap.allocate(garbage, node);  // dies: every kept node has dead bytes below it
        }
        const ObjectRef keep = heap.allocate(frame, node);
        writeTag(heap, keep, 0xC0FFEE00u + static_cast<std::uint64_t>(i));
        if (!kept.empty()) {
            heap.setReference(keep, 0, kept.back());
        }
        kept.push_back(keep);
        before.push_back(heap.addressOf(keep));
    }
    heap.collect(0);
    QVERIFY(heap.statistics().lastMovedObjects >= 100);
    for (std::size_t i = 0; i < kept.size(); ++i) {
        QVERIFY(heap.addressOf(kept[i]) < before[i]);  // slid down over the garbage
        QCOMPARE(readTag(heap, kept[i]), 0xC0FFEE00u + i);
        if (i > 0) {
            GcFrame look(heap, "look");
            QVERIFY(heap.sameObject(heap.getReference(look, kept[i], 0), kept[i - 1]));
        }
    }
}

void GcHeapTest::largeObjects_goToTheLoh_fromTheThresholdOn() {
    GcHeap heap(smallBudgets());
    GcFrame frame(heap, "large");
    // 32 bytes of header and length: 84,968 data bytes make an object of 85,000 bytes.
    const ObjectRef justBelow = heap.allocateByteArray(frame, 85000 - 32 - 8);
    const ObjectRef atThreshold = heap.allocateByteArray(frame, 85000 - 32);
    QCOMPARE(heap.generationOf(justBelow), 0);
    QCOMPARE(heap.generationOf(atThreshold), GcHeapSnapshot::kLargeObjectHeap);
}

void GcHeapTest::largeObjectHeap_isNotCompacted_soItsFragmentationShows() {
    GcHeap heap(smallBudgets());
    GcFrame frame(heap, "loh");
    const ObjectRef first = heap.allocateByteArray(frame, 100000);
    std::uintptr_t middleAddress = 0;
    {
        GcFrame temporary(heap, "temporary");
        middleAddress = heap.addressOf(heap.allocateByteArray(temporary, 200000));
    }
    const ObjectRef last = heap.allocateByteArray(frame, 100000);
    const std::byte pattern{0x5A};
    std::vector<std::byte> data(100000, pattern);
    heap.writeBytes(last, 0, data);
    const std::uintptr_t firstAddress = heap.addressOf(first);
    const std::uintptr_t lastAddress = heap.addressOf(last);

    heap.collect(2);
    QCOMPARE(heap.addressOf(first), firstAddress);
    QCOMPARE(heap.addressOf(last), lastAddress);  // a compacting heap would have slid it down
    std::vector<std::byte> read(100000);
    heap.readBytes(last, 0, read);
    QVERIFY(read == data);
    const GcHeapSnapshot snapshot = heap.snapshot();
    QCOMPARE(snapshot.largeObjectFreeBlocks.size(), std::size_t{1});
    QCOMPARE(snapshot.largeObjectFreeBlocks[0].address, middleAddress);
    QVERIFY(snapshot.largeObjectFreeBlocks[0].sizeBytes >= 200000);
}

void GcHeapTest::largeObjectHeap_isCollectedOnlyAtGeneration2() {
    GcHeap heap(smallBudgets());
    GcHandle weak;
    {
        GcFrame frame(heap, "loh");
        weak = heap.allocateHandle(heap.allocateByteArray(frame, 150000), GcHandleKind::WeakShort);
    }
    heap.collect(0);
    QVERIFY(weak.isAlive());
    heap.collect(1);
    QVERIFY(weak.isAlive());
    heap.collect(2);
    QVERIFY(!weak.isAlive());
}

void GcHeapTest::pinnedObjects_doNotMove_whileTheirNeighboursDo() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "pin");
    {
        GcFrame garbage(heap, "garbage");
        for (int i = 0; i < 50; ++i) {
            heap.allocate(garbage, node);
        }
    }
    const ObjectRef pinnedArray = heap.allocateByteArray(frame, 4096);
    GcHandle pin = heap.allocateHandle(pinnedArray, GcHandleKind::Pinned);
    std::span<std::byte> pixels = heap.pinnedData(pin);
    std::memset(pixels.data(), 0x7F, pixels.size());
    {
        GcFrame garbage(heap, "garbage");
        heap.allocate(garbage, node);
    }
    const ObjectRef neighbour = heap.allocate(frame, node);
    writeTag(heap, neighbour, 42);
    const std::uintptr_t pinnedAddress = heap.addressOf(pinnedArray);
    const std::uintptr_t neighbourAddress = heap.addressOf(neighbour);

    heap.collect(0);
    QCOMPARE(heap.addressOf(pinnedArray), pinnedAddress);
    QCOMPARE(heap.pinnedData(pin).data(), pixels.data());
    QVERIFY(std::all_of(pixels.begin(), pixels.end(),
                        [](std::byte b) { return b == std::byte{0x7F}; }));
    QVERIFY(heap.addressOf(neighbour) < neighbourAddress);  // the garbage below it went
    QCOMPARE(readTag(heap, neighbour), std::uint64_t{42});
    heap.collect(2);  // the gap left below the pin must still be walkable
    QCOMPARE(heap.addressOf(pinnedArray), pinnedAddress);
    QCOMPARE(readTag(heap, neighbour), std::uint64_t{42});

    pin.free();
    heap.collect(2);
    QVERIFY(heap.addressOf(pinnedArray) < pinnedAddress);  // unpinned, it slides down too
}

void GcHeapTest::compaction_fillsTheDeadSpaceBelowAPin_withLaterSurvivors() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "pin");
    std::uintptr_t heapStart = 0;
    {
        GcFrame garbage(heap, "garbage");
        heapStart = heap.addressOf(heap.allocate(garbage, node));
        for (int i = 0; i < 199; ++i) {
            heap.allocate(garbage, node);
        }
    }
    const ObjectRef pinnedArray = heap.allocateByteArray(frame, 4096);
    GcHandle pin = heap.allocateHandle(pinnedArray, GcHandleKind::Pinned);
    const std::uintptr_t pinnedAddress = heap.addressOf(pinnedArray);
    const std::uint64_t pinnedSize = alignObjectSize(kArrayOverheadBytes + 4096);
    constexpr int kSurvivors = 50;
    std::vector<ObjectRef> survivors;
    for (int i = 0; i < kSurvivors; ++i) {
        survivors.push_back(heap.allocate(frame, node));
        writeTag(heap, survivors.back(), 1000 + i);
        if (i > 0) {
            heap.setReference(survivors[i], 0, survivors[i - 1]);
        }
    }
    QVERIFY(heap.addressOf(survivors.front()) > pinnedAddress);

    heap.collect(0);
    QCOMPARE(heap.addressOf(pinnedArray), pinnedAddress);
    for (int i = 0; i < kSurvivors; ++i) {
        QVERIFY2(heap.addressOf(survivors[i]) < pinnedAddress, "a survivor stayed above the pin");
        QCOMPARE(heap.generationOf(survivors[i]), 1);
        QCOMPARE(readTag(heap, survivors[i]), std::uint64_t(1000 + i));
        if (i > 0) {
            GcFrame check(heap, "check");
            QVERIFY(heap.sameObject(heap.getReference(check, survivors[i], 0), survivors[i - 1]));
        }
    }
    // Nothing lies above the pin any more: the heap ends where the pinned array ends.
    QCOMPARE(heap.statistics().bytesInUse, pinnedAddress + pinnedSize - heapStart);

    // What is left of the gap stays walkable, and new objects still bump above the pin.
    const ObjectRef fresh = heap.allocate(frame, node);
    QVERIFY(heap.addressOf(fresh) >= pinnedAddress + pinnedSize);
    const GcHeapSnapshot snapshot = heap.snapshot();
    QCOMPARE(snapshot.objects.size(), std::size_t{kSurvivors + 2});
    heap.collect(2);
    QCOMPARE(heap.addressOf(pinnedArray), pinnedAddress);
    QCOMPARE(readTag(heap, survivors.back()), std::uint64_t(1000 + kSurvivors - 1));
}

void GcHeapTest::writeBarrier_keepsAYoungObjectReferencedOnlyFromAnOldOneAlive() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "barrier");
    const ObjectRef old = heap.allocate(frame, node);
    heap.collect(0);
    heap.collect(1);
    QCOMPARE(heap.generationOf(old), 2);
    GcHandle weak;
    {
        GcFrame inner(heap, "inner");
        const ObjectRef young = heap.allocate(inner, node);
        writeTag(heap, young, 7);
        heap.setReference(old, 1, young);
        weak = heap.allocateHandle(young, GcHandleKind::WeakShort);
    }
    heap.collect(0);  // traces neither gen 1 nor gen 2: only the remembered set finds `young`
    QVERIFY(weak.isAlive());
    heap.collect(1);
    QVERIFY(weak.isAlive());
    GcFrame look(heap, "look");
    const ObjectRef young = heap.getReference(look, old, 1);
    QCOMPARE(readTag(heap, young), std::uint64_t{7});
    heap.setReference(old, 1, ObjectRef{});
    heap.collect(2);
    QVERIFY(heap.sameObject(weak.ref(), young));  // `look` still holds it
    look.retire(young);
    heap.collect(2);
    QVERIFY(!weak.isAlive());
}

void GcHeapTest::writeBarrier_holderIsFixedUpWhenItsYoungReferentMoves() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "barrier");
    const ObjectRef oldArray = heap.allocateReferenceArray(frame, 4);
    heap.collect(0);
    heap.collect(1);
    QCOMPARE(heap.generationOf(oldArray), 2);
    {
        GcFrame inner(heap, "inner");
        heap.allocate(inner, node);  // garbage below the young object, so it moves
        const ObjectRef young = heap.allocate(inner, node);
        writeTag(heap, young, 99);
        heap.setReference(oldArray, 3, young);
    }
    heap.collect(0);
    QCOMPARE(heap.statistics().lastMovedObjects, std::uint64_t{1});
    GcFrame look(heap, "look");
    const ObjectRef young = heap.getReference(look, oldArray, 3);
    QCOMPARE(heap.generationOf(young), 1);
    QCOMPARE(readTag(heap, young), std::uint64_t{99});
}

void GcHeapTest::exhaustedGen0Budget_triggersAGen0Collection() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "churn");
    for (int i = 0; i < 1300; ++i) {  // 1300 nodes of 56 bytes: just over 64 KiB
        frame.retire(heap.allocate(frame, node));
    }
    const GcStatistics statistics = heap.statistics();
    QCOMPARE(statistics.collections[0], std::uint64_t{1});
    QCOMPARE(statistics.collections[1], std::uint64_t{0});
    QCOMPARE(statistics.lastReason, GcReason::Gen0Budget);
}

void GcHeapTest::exhaustedGen1Budget_collectsGeneration1Too() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "keep");
    // Everything survives, so every gen 0 collection promotes 64 KiB into generation 1 until it
    // holds its 256 KiB budget.
    for (int i = 0; i < 6 * 1300; ++i) {
        heap.allocate(frame, node);
    }
    const GcStatistics statistics = heap.statistics();
    QVERIFY(statistics.collections[1] >= 1);
    QCOMPARE(statistics.collections[2], std::uint64_t{0});
    QVERIFY(statistics.generationBytes[2] >= 256 * 1024);
}

void GcHeapTest::promotionPressure_collectsGeneration2() {
    GcHeap::Settings settings = smallBudgets();
    settings.gen2BudgetBytes = 512 * 1024;
    GcHeap heap(settings);
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "keep");
    for (int i = 0; i < 16 * 1300; ++i) {
        heap.allocate(frame, node);
    }
    const GcStatistics statistics = heap.statistics();
    QVERIFY(statistics.collections[2] >= 1);
}

void GcHeapTest::staticsAndStrongHandles_areRoots_weakHandlesAreNot() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    const GcHeap::StaticId cache = heap.defineStatic("cache");
    GcHandle strong;
    GcHandle weakOfStatic;
    GcHandle weakOfStrong;
    GcHandle weakOnly;
    {
        GcFrame frame(heap, "roots");
        const ObjectRef a = heap.allocate(frame, node);
        const ObjectRef b = heap.allocate(frame, node);
        const ObjectRef c = heap.allocate(frame, node);
        heap.setStatic(cache, a);
        strong = heap.allocateHandle(b, GcHandleKind::Strong);
        weakOfStatic = heap.allocateHandle(a, GcHandleKind::WeakLong);
        weakOfStrong = heap.allocateHandle(b, GcHandleKind::WeakLong);
        weakOnly = heap.allocateHandle(c, GcHandleKind::WeakLong);
    }
    heap.collect(2);
    QVERIFY(weakOfStatic.isAlive());
    QVERIFY(weakOfStrong.isAlive());
    QVERIFY(!weakOnly.isAlive());
    heap.setStatic(cache, ObjectRef{});
    strong.free();
    heap.collect(2);
    QVERIFY(!weakOfStatic.isAlive());
    QVERIFY(!weakOfStrong.isAlive());
}

void GcHeapTest::retiredLocal_isNoLongerARoot() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "frame");
    const ObjectRef local = heap.allocate(frame, node);
    GcHandle weak = heap.allocateHandle(local, GcHandleKind::WeakShort);
    heap.collect(0);
    QVERIFY(weak.isAlive());
    frame.retire(local);
    heap.collect(1);
    QVERIFY(!weak.isAlive());
}

void GcHeapTest::collection_publishesStartEndAndMoveEvents() {
    auto subscription = EventStream::subscribe(1024);
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "events");
    {
        GcFrame garbage(heap, "garbage");
        heap.allocate(garbage, node);
    }
    heap.allocate(frame, node);
    heap.collect(0);
    std::vector<MemoryEvent> events;
    subscription->drain(events);
    const auto starts = ofKind(events, MemoryEventKind::GcStart);
    const auto ends = ofKind(events, MemoryEventKind::GcEnd);
    const auto moves = ofKind(events, MemoryEventKind::GcObjectsMoved);
    QCOMPARE(starts.size(), std::size_t{1});
    QCOMPARE(ends.size(), std::size_t{1});
    QCOMPARE(moves.size(), std::size_t{1});
    QCOMPARE(starts[0].chunkIndex, 0u);  // generation
    QCOMPARE(starts[0].chunkCount, static_cast<std::uint32_t>(GcReason::Induced));
    QCOMPARE(starts[0].bytes, std::uint64_t{112});
    QCOMPARE(ends[0].bytes, std::uint64_t{56});  // freed
    QCOMPARE(ends[0].value, std::uint64_t{56});  // promoted
    QVERIFY(ends[0].value2 > 0);                 // pause
    QCOMPARE(ends[0].allocationId, starts[0].allocationId);
    QCOMPARE(moves[0].value, std::uint64_t{1});
    QCOMPARE(moves[0].bytes, std::uint64_t{56});
    QCOMPARE(std::string(memoryEventKindName(MemoryEventKind::GcEnd)), std::string("gc-end"));
}

void GcHeapTest::allocation_isSampledEveryNBytes() {
    GcHeap::Settings settings = smallBudgets();
    settings.allocationSampleBytes = 5600;
    GcHeap heap(settings);
    const GcTypeId node = registerNode(heap);
    auto subscription = EventStream::subscribe(1024);
    GcFrame frame(heap, "sample");
    for (int i = 0; i < 1000; ++i) {  // 56,000 bytes: one sample per 100 nodes
        frame.retire(heap.allocate(frame, node));
    }
    std::vector<MemoryEvent> events;
    subscription->drain(events);
    const auto samples = ofKind(events, MemoryEventKind::GcAllocationSample);
    QCOMPARE(samples.size(), std::size_t{10});
    QCOMPARE(samples[0].bytes, std::uint64_t{56});
    QCOMPARE(samples[0].value, std::uint64_t{node});
    QCOMPARE(samples[0].value2, std::uint64_t{5600});
}

void GcHeapTest::snapshot_reportsGenerationsAddressesSizesAndReferences() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    GcFrame frame(heap, "snapshot");
    const ObjectRef old = heap.allocate(frame, node);
    heap.collect(0);
    heap.collect(1);
    const ObjectRef middle = heap.allocate(frame, node);
    heap.collect(0);
    const ObjectRef young = heap.allocate(frame, node);
    const ObjectRef large = heap.allocateByteArray(frame, 100000);
    heap.setReference(old, 0, young);
    heap.setReference(old, 1, middle);

    const GcHeapSnapshot snapshot = heap.snapshot();
    QCOMPARE(snapshot.objects.size(), std::size_t{4});
    const auto find = [&](ObjectRef ref) {
        const std::uintptr_t address = heap.addressOf(ref);
        return *std::find_if(
            snapshot.objects.begin(), snapshot.objects.end(),
            [&](const GcHeapSnapshot::Object& object) { return object.address == address; });
    };
    QCOMPARE(find(old).generation, 2);
    QCOMPARE(find(middle).generation, 1);
    QCOMPARE(find(young).generation, 0);
    QCOMPARE(find(large).generation, GcHeapSnapshot::kLargeObjectHeap);
    QCOMPARE(find(large).typeName, std::string("byte[]"));
    QCOMPARE(find(old).typeName, std::string("Node"));
    QCOMPARE(find(old).sizeBytes, std::uint64_t{56});
    QCOMPARE(find(old).references,
             (std::vector<std::uintptr_t>{heap.addressOf(young), heap.addressOf(middle)}));
    QVERIFY(find(young).references.empty());
}

void GcHeapTest::staleReference_isRefused() {
    GcHeap heap(smallBudgets());
    const GcTypeId node = registerNode(heap);
    ObjectRef escaped;
    {
        GcFrame frame(heap, "gone");
        escaped = heap.allocate(frame, node);
    }
    QVERIFY_THROWS_EXCEPTION(std::logic_error, heap.addressOf(escaped));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, heap.addressOf(ObjectRef{}));
}

void GcHeapTest::refusedAllocation_namesTheSizeAndTheLimit() {
    GcHeap heap(smallBudgets());
    GcFrame frame(heap, "too big");
    const auto refusal = [&](std::uint64_t length) -> std::string {
        try {
            heap.allocateByteArray(frame, length);
        } catch (const std::bad_alloc& refused) {
            return refused.what();
        }
        return "(placed)";
    };

    // Larger than the whole large object heap's reservation.
    const std::uint64_t tooLarge = std::uint64_t{300} << 20;
    const std::string full = refusal(tooLarge);
    const std::string size = std::to_string(alignObjectSize(kArrayOverheadBytes + tooLarge));
    const std::string limit = std::to_string(smallBudgets().largeObjectReserveBytes);
    QVERIFY2(full.find(size + " bytes") != std::string::npos, full.c_str());
    QVERIFY2(full.find("limit of " + limit + " bytes") != std::string::npos, full.c_str());

    // Too long for the size arithmetic at all.
    const std::uint64_t tooLong = std::uint64_t{1} << 50;
    const std::string overflow = refusal(tooLong);
    QVERIFY2(overflow.find("length=" + std::to_string(tooLong)) != std::string::npos,
             overflow.c_str());
    QVERIFY2(overflow.find("limit " + std::to_string(std::uint64_t{1} << 48)) != std::string::npos,
             overflow.c_str());
}

QTEST_GUILESS_MAIN(GcHeapTest)
#include "GcHeapTest.moc"
