#include <QtTest>

#include "TestAllocators.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/SimpleHeapAllocator.h"

using namespace poolscope;
using poolscope::testing::allEqual;
using poolscope::testing::fill;

class SimpleHeapAllocatorTest : public QObject {
    Q_OBJECT

private slots:
    void allocate_givesRequestedLength_data();
    void allocate_givesRequestedLength();
    void clean_isZeroed_everyTime();
    void group_isOneHeapChunkUpToTheSingleLimit();
    void negativeAndOverLimitSizes_areRefused();
    void memory_isPinnableAndTracked();
};

void SimpleHeapAllocatorTest::allocate_givesRequestedLength_data() {
    QTest::addColumn<qint64>("length");
    for (qint64 length : {0LL, 1LL, 7LL, 1023LL, 1024LL}) {
        QTest::addRow("%lld", length) << length;
    }
}

void SimpleHeapAllocatorTest::allocate_givesRequestedLength() {
    QFETCH(qint64, length);
    SimpleHeapAllocator allocator;
    MemoryOwner buffer = allocator.allocate<std::uint32_t>(length);
    QCOMPARE(static_cast<qint64>(buffer.span<std::uint32_t>().size()), length);
    for (std::uint32_t& value : buffer.span<std::uint32_t>()) {
        value = 0xdeadbeef;
    }
    if (length > 0) {
        QCOMPARE(buffer.span<std::uint32_t>().back(), 0xdeadbeefu);
        QCOMPARE(buffer.tier(), MemoryTier::Heap);
    }
    QCOMPARE(buffer.bytes().data(), buffer.bytes().data());  // the same memory each time
}

void SimpleHeapAllocatorTest::clean_isZeroed_everyTime() {
    SimpleHeapAllocator allocator;
    for (int i = 0; i < 10; ++i) {
        MemoryOwner buffer = allocator.allocate(4096, 1, AllocationOptions::Clean);
        QVERIFY(allEqual(buffer.bytes(), 0));
        fill(buffer.bytes(), 42);
    }
}

void SimpleHeapAllocatorTest::group_isOneHeapChunkUpToTheSingleLimit() {
    SimpleHeapAllocator allocator;
    MemoryGroup group = allocator.allocateGroup(4096 * 4096, 4, 4096);
    QCOMPARE(group.count(), 1);
    QCOMPARE(group.tier(), MemoryTier::Heap);
    QCOMPARE(group.chunkBytes(0).size(), std::size_t{4096} * 4096 * 4);
}

void SimpleHeapAllocatorTest::negativeAndOverLimitSizes_areRefused() {
    SimpleHeapAllocator allocator;
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation, allocator.allocate(-1, 1));
    QVERIFY_THROWS_EXCEPTION(InvalidMemoryOperation,
                             allocator.allocate(1024LL * 1024 * 1024 + 1, 1));
}

void SimpleHeapAllocatorTest::memory_isPinnableAndTracked() {
    SimpleHeapAllocator allocator;
    const auto before = MemoryDiagnostics::totalUndisposedAllocationCount();
    MemoryOwner buffer = allocator.allocate(100, 1);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
    MemoryPin first = buffer.pin();
    MemoryPin second = buffer.pin();
    buffer.dispose();
    QVERIFY(first.isPinned() && second.isPinned());
    first.unpin();
    second.unpin();
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
}

QTEST_GUILESS_MAIN(SimpleHeapAllocatorTest)
#include "SimpleHeapAllocatorTest.moc"
