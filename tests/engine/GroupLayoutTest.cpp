#include <QtTest>

#include "memory/GroupLayout.h"

using poolscope::GroupLayout;

class GroupLayoutTest : public QObject {
    Q_OBJECT

private slots:
    void chunkSizes_areWholeRowsWithAShorterLastChunk_data();
    void chunkSizes_areWholeRowsWithAShorterLastChunk();
    void rowWiderThanCapacity_hasNoLayout();
    void emptyTotal_hasNoChunks();
};

void GroupLayoutTest::chunkSizes_areWholeRowsWithAShorterLastChunk_data() {
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("alignment");
    QTest::addColumn<qint64>("capacity");
    QTest::addColumn<qint64>("bufferLength");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<qint64>("lastLength");

    // ImageSharp's worked example: 1024-byte chunks of 4-byte pixels, rows of 20.
    QTest::newRow("S4 rows of 20 in 256-element chunks")
        << 800LL << 20LL << 256LL << 240LL << 4LL << 80LL;
    // 16 MiB of bytes in 4 MiB chunks, alignment 1024: four full chunks.
    QTest::newRow("16 MiB in 4 MiB chunks") << 16LL * 1024 * 1024 << 1024LL << 4LL * 1024 * 1024
                                            << 4LL * 1024 * 1024 << 4LL << 4LL * 1024 * 1024;
    // 2048x2048 Rgba32 in 4 MiB chunks: 512 rows a chunk.
    QTest::newRow("2048x2048 Rgba32")
        << 2048LL * 2048 << 2048LL << 1024LL * 1024 << 512LL * 2048 << 4LL << 512LL * 2048;
    QTest::newRow("total smaller than one chunk")
        << 100LL << 10LL << 256LL << 100LL << 1LL << 100LL;
    QTest::newRow("pool too small: 511 in 256") << 511LL << 1LL << 256LL << 256LL << 2LL << 255LL;
    QTest::newRow("exact multiple") << 1000LL << 10LL << 500LL << 500LL << 2LL << 500LL;
    QTest::newRow("row equals capacity") << 300LL << 100LL << 100LL << 100LL << 3LL << 100LL;
}

void GroupLayoutTest::chunkSizes_areWholeRowsWithAShorterLastChunk() {
    QFETCH(qint64, total);
    QFETCH(qint64, alignment);
    QFETCH(qint64, capacity);
    const auto layout = GroupLayout::compute(total, alignment, capacity);
    QVERIFY(layout.has_value());
    QTEST(static_cast<qint64>(layout->bufferLength), "bufferLength");
    QTEST(static_cast<qint64>(layout->count), "count");
    QTEST(static_cast<qint64>(layout->lastLength), "lastLength");
    QCOMPARE(layout->bufferLength % alignment == 0 || layout->count == 1, true);
    QCOMPARE((layout->count - 1) * layout->bufferLength + layout->lastLength, total);
}

void GroupLayoutTest::rowWiderThanCapacity_hasNoLayout() {
    QVERIFY(!GroupLayout::compute(1000, 300, 256).has_value());
    QVERIFY(!GroupLayout::compute(1000, 0, 256).has_value());
}

void GroupLayoutTest::emptyTotal_hasNoChunks() {
    const auto layout = GroupLayout::compute(0, 4, 256);
    QVERIFY(layout.has_value());
    QCOMPARE(layout->count, 0);
}

QTEST_GUILESS_MAIN(GroupLayoutTest)
#include "GroupLayoutTest.moc"
