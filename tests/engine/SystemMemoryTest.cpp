#include <QtTest>

#include "memory/MemoryAllocator.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"

using namespace poolscope;

class SystemMemoryTest : public QObject {
    Q_OBJECT

private slots:
    void meminfo_isParsedInBytes();
    void highLoad_startsAtFactorTimesNinetyPercent();
    void defaultPoolSize_isAnEighthOfWhatTheProcessMayUse();
    void defaultAllocator_poolCapacityIsPoolSizeOverChunkSize();
    void residentSet_growsWhenPagesAreTouched();
};

void SystemMemoryTest::meminfo_isParsedInBytes() {
    const MemoryLoad load = SystemMemory::parseMeminfo(
        "MemTotal:       24684084 kB\nMemFree:        22889040 kB\nMemAvailable:   24335184 kB\n");
    QCOMPARE(load.totalBytes, 24684084ull * 1024);
    QCOMPARE(load.availableBytes, 24335184ull * 1024);
    QCOMPARE(load.usedBytes(), (24684084ull - 24335184ull) * 1024);
    const MemoryLoad live = ProcMeminfoLoadSource::instance().read();
    QVERIFY(live.totalBytes > 0);
    QVERIFY(live.availableBytes <= live.totalBytes);
}

void SystemMemoryTest::highLoad_startsAtFactorTimesNinetyPercent() {
    QVERIFY(!MemoryLoad({1000, 1000 - 809}).isHigh(0.9));
    QVERIFY(MemoryLoad({1000, 1000 - 810}).isHigh(0.9));
    QVERIFY(!MemoryLoad({1000, 1000 - 899}).isHigh(1.0));
    QVERIFY(!MemoryLoad({0, 0}).isHigh(0.9));
}

void SystemMemoryTest::defaultPoolSize_isAnEighthOfWhatTheProcessMayUse() {
    const auto available = SystemMemory::availableToProcessBytes();
    QVERIFY(available.has_value());
    QVERIFY(*available <= SystemMemory::physicalMemoryBytes());
    if (const auto limit = SystemMemory::cgroupLimitBytes()) {
        QVERIFY(*available <= *limit);
    }
    QCOMPARE(SystemMemory::defaultMaximumPoolSizeBytes(), *available / 8);
}

void SystemMemoryTest::defaultAllocator_poolCapacityIsPoolSizeOverChunkSize() {
    PooledMemoryAllocator allocator;
    const auto expected =
        static_cast<int>(SystemMemory::defaultMaximumPoolSizeBytes() / (4 * 1024 * 1024));
    QCOMPARE(allocator.pool().capacity(), expected);
    auto limited = MemoryAllocator::create({.maximumPoolSizeMegabytes = 128});
    QCOMPARE(dynamic_cast<PooledMemoryAllocator&>(*limited).pool().capacity(), 32);
}

void SystemMemoryTest::residentSet_growsWhenPagesAreTouched() {
    auto allocator = MemoryAllocator::create({.maximumPoolSizeMegabytes = 0});
    MemoryOwner buffer = allocator->allocate(32 * 1024 * 1024, 1);
    const std::uint64_t before = SystemMemory::residentSetBytes();
    std::memset(buffer.bytes().data(), 1, buffer.bytes().size());
    const std::uint64_t after = SystemMemory::residentSetBytes();
    QVERIFY2(after >= before + 24ull * 1024 * 1024,
             qPrintable(QString("RSS %1 -> %2").arg(before).arg(after)));
}

QTEST_GUILESS_MAIN(SystemMemoryTest)
#include "SystemMemoryTest.moc"
