#include <QtTest>

#include <vector>

#include "TestAllocators.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/MemoryAllocator.h"
#include "memory/OsMemory.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"

using namespace poolscope;
using poolscope::testing::allEqual;
using poolscope::testing::fill;
using poolscope::testing::tinySettings;

namespace {

constexpr std::int64_t MiB = 1024 * 1024;

struct Expected {
    std::vector<qint64> chunkLengths;
    MemoryTier tier;
};

std::vector<qint64> chunkLengths(const MemoryGroup& group) {
    std::vector<qint64> lengths;
    for (int i = 0; i < group.count(); ++i) {
        lengths.push_back(static_cast<qint64>(group.chunkBytes(i).size() / group.elementSize()));
    }
    return lengths;
}

// Checks the request against the limits and returns the exception text, or "" if none.
template <class Request>
QString refusalMessage(Request request) {
    try {
        request();
    } catch (const InvalidMemoryOperation& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class PooledMemoryAllocatorTest : public QObject {
    Q_OBJECT

private slots:
    void allocateGroup_chunkSizesFollowTiers_data();
    void allocateGroup_chunkSizesFollowTiers();
    void allocateGroup_rowsNeverStraddleChunks();
    void allocateGroup_poolTooSmallForGroup_fallsBackToUnpooled();
    void allocateGroup_manyGroupsBeyondCapacity_allSucceedUnpooled();
    void allocateGroup_rowLargerThanPoolChunk_makesUnpooledGroup();
    void allocateGroup_rowLargerThanUnpooledChunk_isRefused();
    void create_withoutOptions_allocates16MiBAsFourChunks();
    void create_limitPoolSize_secondGroupUnpooled_thenReusesFirst();
    void allocate_contiguousRequest_givesOneBuffer();
    void allocate_largerThanChunk_isUnpooledAtExactSize();
    void disposedBuffer_returnsToPool_reuseShowsOldBytes_data();
    void disposedBuffer_returnsToPool_reuseShowsOldBytes();
    void disposedGroup_returnsToPool_reuseShowsOldBytes();
    void clean_zeroesReusedMemory_everyTime();
    void releaseRetained_freesPooledMemory();
    void releaseRetained_leavesOutstandingMemoryAlone();
    void limits_negativeLength_isRefusedWithItsLength();
    void limits_singleBufferOverOneGiB_isRefusedWithBytesAndLimit();
    void limits_groupOverFourGiB_isRefused();
    void limits_sizeOverflow_isRefusedNotWrapped();
    void limits_allocationLimitMegabytes_4MiBSucceeds5MiBFails();
    void limits_highLimit_allowsThreeGiBGroup();
    void limits_largeMegabyteValuesDoNotOverflow();
    void limits_refusedRequest_allocatesNothing();
    void options_invalidValues_areRefusedWithFieldAndValue();
    void options_zeroPoolSize_poolsNothingOverSmallThreshold();
    void options_poolLargerThanTheMachine_isHeldToPhysicalMemory();
    void allocatorDestroyed_outstandingChunksAreFreedOnReturn();
    void zeroLength_givesEmptyBufferAndGroup();
};

void PooledMemoryAllocatorTest::allocateGroup_chunkSizesFollowTiers_data() {
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("elementSize");
    QTest::addColumn<qint64>("alignment");
    QTest::addColumn<std::vector<qint64>>("expectedLengths");
    QTest::addColumn<int>("expectedTier");

    // small <= 128 B, pool chunks of 1024 B (capacity 4), unpooled chunks of 256 B.
    const int small = static_cast<int>(MemoryTier::Small);
    const int pooled = static_cast<int>(MemoryTier::Pooled);
    const int unpooled = static_cast<int>(MemoryTier::Unpooled);
    QTest::newRow("small buffer") << 100LL << 1LL << 1LL << std::vector<qint64>{100} << small;
    QTest::newRow("one pool chunk") << 1000LL << 1LL << 1LL << std::vector<qint64>{1000} << pooled;
    QTest::newRow("two full chunks")
        << 2048LL << 1LL << 1LL << std::vector<qint64>{1024, 1024} << pooled;
    QTest::newRow("shorter last chunk")
        << 1500LL << 1LL << 1LL << std::vector<qint64>{1024, 476} << pooled;
    QTest::newRow("S4 rows of 20")
        << 800LL << 4LL << 20LL << std::vector<qint64>{240, 240, 240, 80} << pooled;
    QTest::newRow("over capacity: unpooled 256 B chunks")
        << 1100LL * 4 << 1LL << 1LL
        << std::vector<qint64>{256, 256, 256, 256, 256, 256, 256, 256, 256,
                               256, 256, 256, 256, 256, 256, 256, 256, 48}
        << unpooled;
}

void PooledMemoryAllocatorTest::allocateGroup_chunkSizesFollowTiers() {
    QFETCH(qint64, total);
    QFETCH(qint64, elementSize);
    QFETCH(qint64, alignment);
    QFETCH(std::vector<qint64>, expectedLengths);
    QFETCH(int, expectedTier);
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    MemoryGroup group =
        allocator.allocateGroup(total, static_cast<std::size_t>(elementSize), alignment);
    QCOMPARE(chunkLengths(group), expectedLengths);
    QCOMPARE(static_cast<int>(group.tier()), expectedTier);
    QCOMPARE(group.totalLength(), total);
}

void PooledMemoryAllocatorTest::allocateGroup_rowsNeverStraddleChunks() {
    PooledMemoryAllocator allocator(tinySettings(64, 4096, 64, 1024));
    for (std::int64_t width : {1, 3, 7, 50, 100, 255, 256}) {
        for (std::int64_t height : {1, 5, 33, 100}) {
            MemoryGroup group = allocator.allocateGroup(width * height, 4, width);
            for (int i = 0; i < group.count(); ++i) {
                const auto length = static_cast<std::int64_t>(group.chunkBytes(i).size() / 4);
                QVERIFY2(length % width == 0,
                         qPrintable(QString("width %1 height %2 chunk %3 has %4 elements")
                                        .arg(width)
                                        .arg(height)
                                        .arg(i)
                                        .arg(length)));
            }
        }
    }
}

void PooledMemoryAllocatorTest::allocateGroup_poolTooSmallForGroup_fallsBackToUnpooled() {
    // Capacity 1: a two-chunk group cannot be rented all-or-nothing, so it goes unpooled.
    PooledMemoryAllocator allocator(tinySettings(16, 256, 1, 256));
    MemoryGroup group = allocator.allocateGroup(511, 1, 1);
    QCOMPARE(chunkLengths(group), (std::vector<qint64>{256, 255}));
    QCOMPARE(group.tier(), MemoryTier::Unpooled);
    QCOMPARE(allocator.pool().stats().rented, 0);  // nothing half-rented
}

void PooledMemoryAllocatorTest::allocateGroup_manyGroupsBeyondCapacity_allSucceedUnpooled() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 4096));
    std::vector<MemoryGroup> groups;
    for (int i = 0; i < 16; ++i) {
        groups.push_back(allocator.allocateGroup(2048, 1, 1));
    }
    QCOMPARE(groups[0].tier(), MemoryTier::Pooled);
    QCOMPARE(groups[1].tier(), MemoryTier::Pooled);
    for (int i = 2; i < 16; ++i) {
        QCOMPARE(groups[static_cast<std::size_t>(i)].tier(), MemoryTier::Unpooled);
    }
    QCOMPARE(allocator.pool().stats().rented, 4);
}

void PooledMemoryAllocatorTest::allocateGroup_rowLargerThanPoolChunk_makesUnpooledGroup() {
    auto allocator = MemoryAllocator::create();
    // A 5 MiB row does not fit a 4 MiB pool chunk; 32 MiB unpooled chunks hold 6 such rows.
    const std::int64_t width = 5 * MiB / 4;
    MemoryGroup group = allocator->allocateGroup(width * 10, 4, width);
    QCOMPARE(group.tier(), MemoryTier::Unpooled);
    QCOMPARE(chunkLengths(group), (std::vector<qint64>{6 * width, 4 * width}));
}

void PooledMemoryAllocatorTest::allocateGroup_rowLargerThanUnpooledChunk_isRefused() {
    auto allocator = MemoryAllocator::create();
    const std::int64_t width = 33 * MiB / 4;
    const QString message = refusalMessage([&] { allocator->allocateGroup(width * 2, 4, width); });
    QCOMPARE(message, QString("The buffer capacity of the provided MemoryAllocator is insufficient "
                              "for the requested buffer alignment: %1. A row of %1 x 4 bytes = "
                              "%2 bytes does not fit in one chunk of 33554432 bytes (32 MiB), "
                              "the most a row can take.")
                          .arg(width)
                          .arg(width * 4));
}

void PooledMemoryAllocatorTest::create_withoutOptions_allocates16MiBAsFourChunks() {
    auto allocator = MemoryAllocator::create();
    MemoryGroup group = allocator->allocateGroup(16 * MiB, 1, 1024);
    QCOMPARE(group.count(), 4);
    QCOMPARE(group.bufferLength(), 4 * MiB);
    QCOMPARE(group.tier(), MemoryTier::Pooled);
}

void PooledMemoryAllocatorTest::create_limitPoolSize_secondGroupUnpooled_thenReusesFirst() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 8});
    MemoryGroup first = allocator->allocateGroup(8 * MiB, 1, 1024);
    QCOMPARE(first.tier(), MemoryTier::Pooled);
    fill(first.chunkBytes(0), 42);
    fill(first.chunkBytes(1), 42);
    MemoryGroup second = allocator->allocateGroup(8 * MiB, 1, 1024);
    QCOMPARE(second.tier(), MemoryTier::Unpooled);
    first.dispose();
    MemoryGroup third = allocator->allocateGroup(8 * MiB, 1, 1024);
    QCOMPARE(third.tier(), MemoryTier::Pooled);
    QVERIFY(allEqual(third.chunkBytes(0), 42));
    QVERIFY(allEqual(third.chunkBytes(1), 42));
}

void PooledMemoryAllocatorTest::allocate_contiguousRequest_givesOneBuffer() {
    auto allocator = MemoryAllocator::create();
    MemoryOwner buffer = allocator->allocate<std::uint32_t>(2048 * 2048);
    QCOMPARE(buffer.length(), 2048 * 2048);
    QCOMPARE(buffer.span<std::uint32_t>().size(), std::size_t{2048 * 2048});
    buffer.span<std::uint32_t>().back() = 7;  // the whole range is addressable
    QCOMPARE(buffer.tier(), MemoryTier::Unpooled);
}

void PooledMemoryAllocatorTest::allocate_largerThanChunk_isUnpooledAtExactSize() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    MemoryOwner buffer = allocator.allocate(5000, 1);  // above the 256 B group chunk cap too
    QCOMPARE(buffer.tier(), MemoryTier::Unpooled);
    QCOMPARE(buffer.bytes().size(), std::size_t{5000});
}

void PooledMemoryAllocatorTest::disposedBuffer_returnsToPool_reuseShowsOldBytes_data() {
    QTest::addColumn<qint64>("length");
    QTest::addColumn<int>("tier");
    QTest::newRow("small buffer") << 100LL << static_cast<int>(MemoryTier::Small);
    QTest::newRow("pool chunk") << 1000LL << static_cast<int>(MemoryTier::Pooled);
}

void PooledMemoryAllocatorTest::disposedBuffer_returnsToPool_reuseShowsOldBytes() {
    QFETCH(qint64, length);
    QFETCH(int, tier);
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    MemoryOwner first = allocator.allocate(length, 1);
    QCOMPARE(static_cast<int>(first.tier()), tier);
    fill(first.bytes(), 42);
    first.dispose();
    MemoryOwner second = allocator.allocate(length, 1);
    QVERIFY(allEqual(second.bytes(), 42));
}

void PooledMemoryAllocatorTest::disposedGroup_returnsToPool_reuseShowsOldBytes() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    MemoryGroup first = allocator.allocateGroup(3000, 1, 100);
    for (int i = 0; i < first.count(); ++i) {
        fill(first.chunkBytes(i), 42);
    }
    first.dispose();
    MemoryGroup second = allocator.allocateGroup(3000, 1, 100);
    QCOMPARE(second.count(), 3);  // 1000-byte chunks: ten rows of 100 in each 1024-byte chunk
    for (int i = 0; i < second.count(); ++i) {
        QVERIFY(allEqual(second.chunkBytes(i), 42));
    }
}

void PooledMemoryAllocatorTest::clean_zeroesReusedMemory_everyTime() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    for (std::int64_t length : {1LL, 7LL, 100LL, 1000LL, 3000LL}) {
        for (int iteration = 0; iteration < 10; ++iteration) {
            MemoryOwner buffer = allocator.allocate(length, 1, AllocationOptions::Clean);
            QVERIFY(allEqual(buffer.bytes(), 0));
            fill(buffer.bytes(), 42);
        }
        for (int iteration = 0; iteration < 10; ++iteration) {
            MemoryGroup group = allocator.allocateGroup(length, 1, 1, AllocationOptions::Clean);
            for (int i = 0; i < group.count(); ++i) {
                QVERIFY(allEqual(group.chunkBytes(i), 0));
                fill(group.chunkBytes(i), 42);
            }
        }
    }
}

void PooledMemoryAllocatorTest::releaseRetained_freesPooledMemory() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 8, 256));
    const std::int64_t before = OsMemory::outstandingMappings();
    {
        std::vector<MemoryOwner> buffers;
        for (int i = 0; i < 4; ++i) {
            buffers.push_back(allocator.allocate(1000, 1));
        }
    }
    QCOMPARE(OsMemory::outstandingMappings() - before, 4);
    QCOMPARE(allocator.pool().stats().retained, 4);
    allocator.releaseRetainedResources();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
    QCOMPARE(allocator.pool().stats().retained, 0);
}

void PooledMemoryAllocatorTest::releaseRetained_leavesOutstandingMemoryAlone() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 8, 256));
    const std::int64_t before = OsMemory::outstandingMappings();
    std::vector<MemoryOwner> buffers;
    for (int i = 0; i < 5; ++i) {
        buffers.push_back(allocator.allocate(1000, 1));
        fill(buffers.back().bytes(), 9);
    }
    allocator.releaseRetainedResources();
    QCOMPARE(OsMemory::outstandingMappings() - before, 5);
    for (MemoryOwner& buffer : buffers) {
        QVERIFY(allEqual(buffer.bytes(), 9));
    }
    buffers.clear();
    allocator.releaseRetainedResources();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void PooledMemoryAllocatorTest::limits_negativeLength_isRefusedWithItsLength() {
    auto allocator = MemoryAllocator::create();
    QCOMPARE(refusalMessage([&] { allocator->allocate(-1, 4); }),
             QString("Attempted to allocate a buffer of negative length=-1."));
    QCOMPARE(refusalMessage([&] { allocator->allocateGroup(-5, 4, 1); }),
             QString("Attempted to allocate a buffer of negative length=-5."));
}

void PooledMemoryAllocatorTest::limits_singleBufferOverOneGiB_isRefusedWithBytesAndLimit() {
    auto allocator = MemoryAllocator::create();
    // (1 GiB / 512 + 1) elements of 512 bytes: one element over the limit.
    const std::int64_t length = 1024 * MiB / 512 + 1;
    QCOMPARE(refusalMessage([&] { allocator->allocate(length, 512); }),
             QString("Attempted to allocate a buffer of length=%1 that exceeded the limit %2.")
                 .arg(length * 512)
                 .arg(1024 * MiB));
}

void PooledMemoryAllocatorTest::limits_groupOverFourGiB_isRefused() {
    auto allocator = MemoryAllocator::create();
    QCOMPARE(refusalMessage([&] { allocator->allocateGroup(4 * 1024 * MiB + 1, 1, 1024); }),
             QString("Attempted to allocate a buffer of length=%1 that exceeded the limit %2.")
                 .arg(4 * 1024 * MiB + 1)
                 .arg(4 * 1024 * MiB));
}

void PooledMemoryAllocatorTest::limits_sizeOverflow_isRefusedNotWrapped() {
    auto allocator = MemoryAllocator::create();
    const QString message = refusalMessage([&] { allocator->allocateGroup(INT64_MAX / 2, 64, 1); });
    QVERIFY2(message.contains("overflows 64-bit"), qPrintable(message));
    QVERIFY(message.contains(QString::number(INT64_MAX / 2)));
}

void PooledMemoryAllocatorTest::limits_allocationLimitMegabytes_4MiBSucceeds5MiBFails() {
    auto allocator = MemoryAllocator::create({.allocationLimitMegabytes = 4});
    QCOMPARE(allocator->groupAllocationLimitBytes(), 4 * MiB);
    QCOMPARE(allocator->singleBufferAllocationLimitBytes(), 4 * MiB);
    MemoryOwner fits = allocator->allocate(4 * MiB, 1);
    MemoryGroup groupFits = allocator->allocateGroup(4 * MiB, 1, 1024);
    QVERIFY(!fits.isDisposed());
    QCOMPARE(refusalMessage([&] { allocator->allocate(5 * MiB, 1); }),
             QString("Attempted to allocate a buffer of length=%1 that exceeded the limit %2.")
                 .arg(5 * MiB)
                 .arg(4 * MiB));
    QVERIFY(!refusalMessage([&] { allocator->allocateGroup(5 * MiB, 1, 1024); }).isEmpty());
}

void PooledMemoryAllocatorTest::limits_highLimit_allowsThreeGiBGroup() {
    auto allocator =
        MemoryAllocator::create({.maximumPoolSizeMegabytes = 0, .allocationLimitMegabytes = 5000});
    QCOMPARE(allocator->singleBufferAllocationLimitBytes(), 1024 * MiB);
    // Mapped, never touched: costs address space, not memory.
    MemoryGroup group = allocator->allocateGroup(3 * 1024 * MiB, 1, 4096);
    QCOMPARE(group.count(), 96);
    QCOMPARE(group.totalLength(), 3 * 1024 * MiB);
}

void PooledMemoryAllocatorTest::limits_largeMegabyteValuesDoNotOverflow() {
    // ImageSharp 3.1.4 computed N * 1024 * 1024 in 32 bits and overflowed from N = 2048.
    auto allocator = MemoryAllocator::create({.allocationLimitMegabytes = 2048});
    QCOMPARE(allocator->groupAllocationLimitBytes(), 2048 * MiB);
    allocator->setAllocationLimitMegabytes(1'000'000);
    QCOMPARE(allocator->groupAllocationLimitBytes(), 1'000'000 * MiB);
    QCOMPARE(allocator->singleBufferAllocationLimitBytes(), 1024 * MiB);
}

void PooledMemoryAllocatorTest::limits_refusedRequest_allocatesNothing() {
    PooledMemoryAllocator allocator(tinySettings(128, 1024, 4, 256));
    allocator.setAllocationLimitMegabytes(1);
    const std::int64_t mappings = OsMemory::outstandingMappings();
    const std::int64_t undisposed = MemoryDiagnostics::totalUndisposedAllocationCount();
    const std::size_t live = MemoryDiagnostics::liveAllocations().size();
    QVERIFY(!refusalMessage([&] { allocator.allocateGroup(2 * MiB, 1, 1); }).isEmpty());
    QVERIFY(!refusalMessage([&] { allocator.allocate(-3, 1); }).isEmpty());
    QCOMPARE(OsMemory::outstandingMappings(), mappings);
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposed);
    QCOMPARE(MemoryDiagnostics::liveAllocations().size(), live);
    QCOMPARE(allocator.pool().stats().rented, 0);
}

void PooledMemoryAllocatorTest::options_invalidValues_areRefusedWithFieldAndValue() {
    try {
        MemoryAllocator::create({.maximumPoolSizeMegabytes = -1});
        QFAIL("a negative pool size was accepted");
    } catch (const std::out_of_range& error) {
        QCOMPARE(QString(error.what()),
                 QString("MemoryAllocatorOptions.maximumPoolSizeMegabytes must be >= 0, got -1."));
    }
    try {
        MemoryAllocator::create({.allocationLimitMegabytes = 0});
        QFAIL("a zero allocation limit was accepted");
    } catch (const std::out_of_range& error) {
        QCOMPARE(QString(error.what()),
                 QString("MemoryAllocatorOptions.allocationLimitMegabytes must be > 0, got 0."));
    }
}

void PooledMemoryAllocatorTest::options_zeroPoolSize_poolsNothingOverSmallThreshold() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    MemoryOwner chunkSized = allocator->allocate(2 * MiB, 1);
    QCOMPARE(chunkSized.tier(), MemoryTier::Unpooled);
    MemoryOwner small = allocator->allocate(1024, 1);
    QCOMPARE(small.tier(), MemoryTier::Small);
}

void PooledMemoryAllocatorTest::options_poolLargerThanTheMachine_isHeldToPhysicalMemory() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 1LL << 40});
    const int capacity = dynamic_cast<PooledMemoryAllocator&>(*allocator).pool().capacity();
    QCOMPARE(static_cast<std::uint64_t>(capacity),
             SystemMemory::physicalMemoryBytes() / (4 * 1024 * 1024));
}

void PooledMemoryAllocatorTest::allocatorDestroyed_outstandingChunksAreFreedOnReturn() {
    const std::int64_t before = OsMemory::outstandingMappings();
    MemoryGroup survivor;
    {
        PooledMemoryAllocator allocator(tinySettings(128, 1024, 8, 256));
        MemoryGroup retained = allocator.allocateGroup(2048, 1, 1);
        retained.dispose();
        survivor = allocator.allocateGroup(3072, 1, 1);
        QCOMPARE(OsMemory::outstandingMappings() - before, 3);
    }
    // The retained chunks went with the allocator; the survivor's chunks are still usable.
    fill(survivor.chunkBytes(2), 5);
    QVERIFY(allEqual(survivor.chunkBytes(2), 5));
    survivor.dispose();
    QCOMPARE(OsMemory::outstandingMappings() - before, 0);
}

void PooledMemoryAllocatorTest::zeroLength_givesEmptyBufferAndGroup() {
    auto allocator = MemoryAllocator::create();
    MemoryOwner empty = allocator->allocate(0, 4);
    QCOMPARE(empty.bytes().size(), std::size_t{0});
    MemoryGroup emptyGroup = allocator->allocateGroup(0, 4, 16);
    QCOMPARE(emptyGroup.count(), 1);
    QCOMPARE(emptyGroup.totalLength(), 0);
}

QTEST_GUILESS_MAIN(PooledMemoryAllocatorTest)
#include "PooledMemoryAllocatorTest.moc"
