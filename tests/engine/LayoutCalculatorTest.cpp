#include <QtTest>

#include <memory>

#include "memory/InvalidMemoryOperation.h"
#include "memory/LayoutCalculator.h"
#include "memory/PooledMemoryAllocator.h"

using namespace poolscope;

namespace {

constexpr std::int64_t kPoolMegabytes = 16;  // four 4 MiB chunks

std::shared_ptr<MemoryAllocator> allocatorWithPoolOf(std::int64_t megabytes) {
    MemoryAllocatorOptions options;
    options.maximumPoolSizeMegabytes = megabytes;
    return MemoryAllocator::create(options);
}

ImageLayoutRequest request(std::int64_t width, std::int64_t height, int bytesPerPixel,
                           bool contiguous = false) {
    return {width, height, bytesPerPixel, kPoolMegabytes, contiguous};
}

QString refusal(const std::function<void()>& action) {
    try {
        action();
    } catch (const InvalidMemoryOperation& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class LayoutCalculatorTest : public QObject {
    Q_OBJECT

private slots:
    void theCalculatedLayoutIsWhatTheAllocatorGives_data() {
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<int>("bytesPerPixel");
        QTest::addColumn<bool>("contiguous");
        QTest::newRow("small rgba") << qint64(100) << qint64(100) << 4 << false;
        QTest::newRow("one pool chunk") << qint64(1000) << qint64(1000) << 4 << false;
        QTest::newRow("two pool chunks") << qint64(2000) << qint64(1000) << 4 << false;
        QTest::newRow("rgb24 rows that do not divide the chunk")
            << qint64(1500) << qint64(1500) << 3 << false;
        QTest::newRow("l8") << qint64(3000) << qint64(2000) << 1 << false;
        QTest::newRow("over the pool: unpooled 32 MiB chunks")
            << qint64(3000) << qint64(3000) << 4 << false;
        QTest::newRow("rgbavector") << qint64(512) << qint64(1024) << 16 << false;
        QTest::newRow("contiguous unpooled") << qint64(2000) << qint64(1000) << 4 << true;
        QTest::newRow("contiguous pooled") << qint64(1000) << qint64(1000) << 4 << true;
        QTest::newRow("contiguous small") << qint64(300) << qint64(200) << 2 << true;
    }

    void theCalculatedLayoutIsWhatTheAllocatorGives() {
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(int, bytesPerPixel);
        QFETCH(bool, contiguous);
        const ImageLayout layout =
            LayoutCalculator::calculate(request(width, height, bytesPerPixel, contiguous));
        const auto allocator = allocatorWithPoolOf(kPoolMegabytes);

        if (contiguous) {
            const MemoryOwner buffer = allocator->allocate(width * height, bytesPerPixel);
            QCOMPARE(layout.chunks.size(), std::size_t{1});
            QCOMPARE(layout.chunks[0].elements, buffer.length());
            QCOMPARE(layout.tier, buffer.tier());
        } else {
            const MemoryGroup group =
                allocator->allocateGroup(width * height, bytesPerPixel, width);
            QCOMPARE(static_cast<int>(layout.chunks.size()), group.count());
            QCOMPARE(layout.tier, group.tier());
            for (int i = 0; i < group.count(); ++i) {
                const std::int64_t elements =
                    static_cast<std::int64_t>(group.chunkBytes(i).size()) / bytesPerPixel;
                QCOMPARE(layout.chunks[static_cast<std::size_t>(i)].elements, elements);
                QCOMPARE(layout.chunks[static_cast<std::size_t>(i)].rows, elements / width);
                QCOMPARE(layout.chunks[static_cast<std::size_t>(i)].bytes,
                         elements * bytesPerPixel);
                QCOMPARE(elements % width, std::int64_t{0});
            }
        }
        QCOMPARE(layout.contiguous, layout.chunks.size() == 1);
        QCOMPARE(layout.singlePixelMemory, layout.contiguous);
        QCOMPARE(layout.pooled,
                 layout.tier == MemoryTier::Small || layout.tier == MemoryTier::Pooled);
    }

    void refusalsCarryTheAllocatorsOwnMessage() {
        const auto allocator = allocatorWithPoolOf(kPoolMegabytes);
        // Over the 4 GiB group limit.
        QCOMPARE(refusal([] { LayoutCalculator::calculate(request(70000, 70000, 4)); }),
                 refusal([&] { allocator->allocateGroup(70000ll * 70000, 4, 70000); }));
        // A row wider than an unpooled chunk.
        QCOMPARE(refusal([] { LayoutCalculator::calculate(request(9'000'000, 1, 4)); }),
                 refusal([&] { allocator->allocateGroup(9'000'000, 4, 9'000'000); }));
        // One buffer over the 1 GiB single-buffer limit.
        QCOMPARE(refusal([] { LayoutCalculator::calculate(request(20000, 20000, 4, true)); }),
                 refusal([&] { allocator->allocate(20000ll * 20000, 4); }));
        QVERIFY(!refusal([] { LayoutCalculator::calculate(request(70000, 70000, 4)); }).isEmpty());
    }

    void aPoolOfZeroSendsEverythingOverTheSmallTierToUnpooledMemory() {
        ImageLayoutRequest noPool = request(1000, 1000, 4);
        noPool.maximumPoolSizeMegabytes = 0;
        const ImageLayout layout = LayoutCalculator::calculate(noPool);
        QCOMPARE(layout.tier, MemoryTier::Unpooled);
        QVERIFY(!layout.pooled);
        QCOMPARE(layout.chunks.size(), std::size_t{1});
    }

    void nonPositiveSizesAreRefusedAsArguments() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 LayoutCalculator::calculate(request(0, 10, 4)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 LayoutCalculator::calculate(request(10, -1, 4)));
    }
};

QTEST_GUILESS_MAIN(LayoutCalculatorTest)
#include "LayoutCalculatorTest.moc"
