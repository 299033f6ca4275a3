// The named accessors of MemoryEvent read back what each producer wrote into the fields its
// event kind reuses.

#include <QtTest>

#include <cstdint>
#include <vector>

#include "EventTestSupport.h"
#include "TestAllocators.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "gc/GcHeap.h"
#include "gc/GcReason.h"
#include "memory/PooledMemoryAllocator.h"

using namespace poolscope;
using namespace poolscope::testing;

class MemoryEventTest : public QObject {
    Q_OBJECT

private slots:
    void allocationEvent_namesItsTagAndAddress() {
        PooledMemoryAllocator allocator(tinySettings(128, 1024, 8, 256));
        const auto subscription = EventStream::subscribe();
        const std::uint16_t tag = MemoryDiagnostics::internTag("memory-event-test");
        std::uintptr_t address = 0;
        {
            AllocationTagScope scope("memory-event-test");
            MemoryGroup group = allocator.allocateGroup(1000, 1, 100);
            address = reinterpret_cast<std::uintptr_t>(group.chunkBytes(0).data());
        }
        const std::vector<MemoryEvent> rents =
            ofKind(drainAll(*subscription), MemoryEventKind::Rent);
        QCOMPARE(rents.size(), std::size_t{1});
        QCOMPARE(rents[0].tagId(), tag);
        QCOMPARE(rents[0].address(), std::uint64_t{address});
    }

    void collectionEvents_nameGenerationReasonAndSequence() {
        const auto subscription = EventStream::subscribe(1024);
        GcHeap heap;
        const GcTypeId node = heap.registerType(GcType{"Node", 32, {{"next", 0}}, {}});
        GcFrame frame(heap, "events");
        heap.allocate(frame, node);
        heap.collect(1);
        const std::vector<MemoryEvent> events = drainAll(*subscription);
        const std::vector<MemoryEvent> starts = ofKind(events, MemoryEventKind::GcStart);
        const std::vector<MemoryEvent> ends = ofKind(events, MemoryEventKind::GcEnd);
        QCOMPARE(starts.size(), std::size_t{1});
        QCOMPARE(ends.size(), std::size_t{1});
        QCOMPARE(starts[0].gcGeneration(), 1);
        QCOMPARE(starts[0].gcReason(), GcReason::Induced);
        QCOMPARE(ends[0].gcGeneration(), 1);
        QCOMPARE(ends[0].gcReason(), GcReason::Induced);
        QCOMPARE(ends[0].gcSequence(), starts[0].gcSequence());
        QCOMPARE(ends[0].gcSequence(), std::uint64_t{1});
        const GcStatistics statistics = heap.statistics();
        QVERIFY(statistics.lastPromotedBytes > 0);
        QCOMPARE(ends[0].promotedBytes(), statistics.lastPromotedBytes);
        QCOMPARE(ends[0].pauseNanoseconds(),
                 static_cast<std::uint64_t>(statistics.lastPauseNanoseconds));
    }
};

QTEST_GUILESS_MAIN(MemoryEventTest)
#include "MemoryEventTest.moc"
