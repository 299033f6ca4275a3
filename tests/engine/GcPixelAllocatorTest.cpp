#include <QtTest>

#include <algorithm>
#include <cstring>
#include <memory>

#include "diagnostics/MemoryDiagnostics.h"
#include "gc/GcHeap.h"
#include "gc/GcPixelAllocator.h"
#include "gc/ManagedImageType.h"
#include "memory/InvalidMemoryOperation.h"

using namespace poolscope;

namespace {

std::shared_ptr<GcHeap> makeHeap() {
    GcHeap::Settings settings;
    settings.smallObjectReserveBytes = 64u << 20;
    settings.largeObjectReserveBytes = 512u << 20;
    return std::make_shared<GcHeap>(settings);
}

std::size_t byteArraysOf(GcHeap& heap, std::uint64_t minimumBytes) {
    const GcHeapSnapshot snapshot = heap.snapshot();
    return static_cast<std::size_t>(
        std::count_if(snapshot.objects.begin(), snapshot.objects.end(), [&](const auto& object) {
            return object.typeId == kByteArrayTypeId && object.sizeBytes >= minimumBytes;
        }));
}

}  // namespace

class GcPixelAllocatorTest : public QObject {
    Q_OBJECT

private slots:
    void buffer_isAManagedByteArray_pinnedInPlaceWhileInUse();
    void disposedBuffer_staysOnTheHeap_untilACollectionFindsItDead();
    void group_isMadeOfManagedArrays_ofWholeRows();
    void dispose_lowersTheUndisposedCount_andDoubleDisposeIsHarmless();
    void pin_keepsTheArrayPinnedPastDispose();
    void managedImages_runOnTheGcBackedAllocator();
};

void GcPixelAllocatorTest::buffer_isAManagedByteArray_pinnedInPlaceWhileInUse() {
    auto heap = makeHeap();
    GcPixelAllocator allocator(heap);
    {
        GcFrame garbage(*heap, "garbage");
        heap->allocateByteArray(garbage, 1000);  // dead bytes below the buffer
    }
    MemoryOwner buffer = allocator.allocate(4096, 1);
    QCOMPARE(buffer.tier(), MemoryTier::Managed);
    QCOMPARE(byteArraysOf(*heap, 4096), std::size_t{1});
    std::byte* const data = buffer.bytes().data();
    std::memset(data, 0x3C, 4096);
    heap->collect(2);
    heap->collect(2);
    QCOMPARE(buffer.bytes().data(), data);
    QVERIFY(std::all_of(data, data + 4096, [](std::byte b) { return b == std::byte{0x3C}; }));
}

void GcPixelAllocatorTest::disposedBuffer_staysOnTheHeap_untilACollectionFindsItDead() {
    auto heap = makeHeap();
    GcPixelAllocator allocator(heap);
    MemoryOwner buffer = allocator.allocate(3 * 1024 * 1024, 1);  // a LOH array
    const std::uint64_t inUse = heap->statistics().bytesInUse;
    QVERIFY(inUse >= 3 * 1024 * 1024);
    buffer.dispose();
    QCOMPARE(heap->statistics().bytesInUse, inUse);  // dispose only unpinned it
    heap->collect(0);
    QCOMPARE(heap->statistics().bytesInUse, inUse);  // the LOH waits for generation 2
    heap->collect(2);
    QVERIFY(heap->statistics().bytesInUse < inUse - 3 * 1024 * 1024 + 1);
    QCOMPARE(byteArraysOf(*heap, 1), std::size_t{0});
}

void GcPixelAllocatorTest::group_isMadeOfManagedArrays_ofWholeRows() {
    auto heap = makeHeap();
    GcPixelAllocator allocator(heap, 1024 * 1024);
    // 1000 rows of 1000 4-byte pixels: 262 rows fit a 1 MiB array, so 4 arrays.
    MemoryGroup group = allocator.allocateGroup(1000 * 1000, 4, 1000);
    QCOMPARE(group.count(), 4);
    QCOMPARE(group.bufferLength(), std::int64_t{262 * 1000});
    QCOMPARE(byteArraysOf(*heap, 85000), std::size_t{4});
    for (int i = 0; i < group.count(); ++i) {
        std::memset(group.chunkBytes(i).data(), i + 1, group.chunkBytes(i).size());
    }
    heap->collect(2);
    for (int i = 0; i < group.count(); ++i) {
        const auto bytes = group.chunkBytes(i);
        QVERIFY(std::all_of(bytes.begin(), bytes.end(),
                            [&](std::byte b) { return b == static_cast<std::byte>(i + 1); }));
    }
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation,
                             allocator.allocateGroup(300 * 1024, 4, 300 * 1024));
}

void GcPixelAllocatorTest::dispose_lowersTheUndisposedCount_andDoubleDisposeIsHarmless() {
    auto heap = makeHeap();
    GcPixelAllocator allocator(heap);
    const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryOwner buffer = allocator.allocate(1024, 4);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    buffer.dispose();
    buffer.dispose();
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation, buffer.bytes());
}

void GcPixelAllocatorTest::pin_keepsTheArrayPinnedPastDispose() {
    auto heap = makeHeap();
    GcPixelAllocator allocator(heap);
    {
        GcFrame garbage(*heap, "garbage");
        heap->allocateByteArray(garbage, 1000);
    }
    MemoryOwner buffer = allocator.allocate(2048, 1);
    std::byte* const data = buffer.bytes().data();
    std::memset(data, 0x11, 2048);
    MemoryPin pin = buffer.pin();
    buffer.dispose();
    heap->collect(2);
    QCOMPARE(byteArraysOf(*heap, 2048), std::size_t{1});
    QVERIFY(std::all_of(data, data + 2048, [](std::byte b) { return b == std::byte{0x11}; }));
    pin.unpin();
    heap->collect(2);
    QCOMPARE(byteArraysOf(*heap, 1), std::size_t{0});
}

void GcPixelAllocatorTest::managedImages_runOnTheGcBackedAllocator() {
    auto heap = makeHeap();
    auto allocator = std::make_shared<GcPixelAllocator>(heap);
    ManagedImageType images(*heap, allocator);
    GcFrame frame(*heap, "batch");
    for (int i = 0; i < 8; ++i) {
        GcFrame iteration(*heap, "image");
        const ObjectRef image = images.create(iteration, 640, 480);
        for (int y = 0; y < images.height(image); ++y) {
            std::memset(images.row(image, y).data(), y & 0xFF, images.row(image, y).size());
        }
        QCOMPARE(images.row(image, 479)[0], std::byte{479 & 0xFF});
        images.dispose(image);
    }
    // The pixel arrays are garbage now, still on the heap until a generation 2 collection.
    QVERIFY(byteArraysOf(*heap, 640 * 4) >= 1);
    heap->collect(2);
    QCOMPARE(byteArraysOf(*heap, 1), std::size_t{0});
    QCOMPARE(images.liveNativeBuffers(), std::size_t{0});
}

QTEST_GUILESS_MAIN(GcPixelAllocatorTest)
#include "GcPixelAllocatorTest.moc"
