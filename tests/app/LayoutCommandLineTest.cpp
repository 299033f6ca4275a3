#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include "PoolscopeProcess.h"

namespace {

constexpr qint64 kMiB = 1024 * 1024;

// The chunk rules of the default allocator, written out from its documentation (README,
// "Tiers" and "Groups") rather than from its code: small buffers up to 1 MiB, one 4 MiB pool
// chunk, row-aligned groups of 4 MiB chunks that fit the pool's capacity, otherwise unpooled
// row-aligned chunks of up to 32 MiB.
struct Expected {
    bool pooled = false;
    QList<qint64> rowsPerChunk;
};

Expected expectedLayout(qint64 width, qint64 height, qint64 pixelBytes, qint64 poolMegabytes,
                        bool contiguous) {
    const qint64 bytes = width * height * pixelBytes;
    const qint64 capacity = poolMegabytes * kMiB / (4 * kMiB);
    if (bytes <= kMiB || (bytes <= 4 * kMiB && capacity >= 1)) {
        return {true, {height}};
    }
    if (contiguous) {
        return {false, {height}};
    }
    const auto split = [&](qint64 chunkBytes) {
        const qint64 rows = chunkBytes / (width * pixelBytes);
        QList<qint64> chunks;
        for (qint64 done = 0; done < height; done += rows) {
            chunks.append(std::min(rows, height - done));
        }
        return chunks;
    };
    if (width * pixelBytes <= 4 * kMiB && split(4 * kMiB).size() <= capacity) {
        return {true, split(4 * kMiB)};
    }
    return {false, split(32 * kMiB)};
}

}  // namespace

class LayoutCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void json_followsTheChunkRules_data() {
        QTest::addColumn<qint64>("width");
        QTest::addColumn<qint64>("height");
        QTest::addColumn<QString>("pixel");
        QTest::addColumn<qint64>("pixelBytes");
        QTest::addColumn<qint64>("poolMegabytes");
        QTest::addColumn<bool>("contiguous");
        QTest::newRow("small") << qint64(100) << qint64(100) << "rgba32" << qint64(4) << qint64(16)
                               << false;
        QTest::newRow("full hd") << qint64(1920) << qint64(1080) << "bgra32" << qint64(4)
                                 << qint64(256) << false;
        QTest::newRow("12 MP over a 16 MiB pool")
            << qint64(4000) << qint64(3000) << "rgba32" << qint64(4) << qint64(16) << false;
        QTest::newRow("rgb24") << qint64(3000) << qint64(3000) << "rgb24" << qint64(3)
                               << qint64(256) << false;
        QTest::newRow("l8 one chunk")
            << qint64(2048) << qint64(2048) << "l8" << qint64(1) << qint64(256) << false;
        QTest::newRow("l16") << qint64(5000) << qint64(1000) << "l16" << qint64(2) << qint64(256)
                             << false;
        QTest::newRow("rgbavector")
            << qint64(640) << qint64(480) << "rgbavector" << qint64(16) << qint64(256) << false;
        QTest::newRow("no pool") << qint64(1000) << qint64(1000) << "rgba32" << qint64(4)
                                 << qint64(0) << false;
        QTest::newRow("contiguous 48 MP")
            << qint64(8000) << qint64(6000) << "rgba32" << qint64(4) << qint64(256) << true;
        QTest::newRow("contiguous one chunk")
            << qint64(1000) << qint64(1000) << "rgba32" << qint64(4) << qint64(256) << true;
    }

    void json_followsTheChunkRules() {
        QFETCH(qint64, width);
        QFETCH(qint64, height);
        QFETCH(QString, pixel);
        QFETCH(qint64, pixelBytes);
        QFETCH(qint64, poolMegabytes);
        QFETCH(bool, contiguous);
        QStringList arguments{QStringLiteral("layout"),
                              QStringLiteral("--width"),
                              QString::number(width),
                              QStringLiteral("--height"),
                              QString::number(height),
                              QStringLiteral("--pixel"),
                              pixel,
                              QStringLiteral("--max-pool-mb"),
                              QString::number(poolMegabytes),
                              QStringLiteral("--json")};
        if (contiguous) {
            arguments << QStringLiteral("--prefer-contiguous");
        }

        const Finished run = runPoolscope(arguments);

        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(run.out));
        const QJsonObject json = document.object();
        QCOMPARE(json.keys(),
                 (QStringList{QStringLiteral("chunks"), QStringLiteral("contiguous"),
                              QStringLiteral("pooled"), QStringLiteral("singlePixelMemory")}));
        // The keys come in the order the README documents them.
        QVERIFY(run.out.startsWith(QStringLiteral("{\"contiguous\": ")));

        const Expected expected =
            expectedLayout(width, height, pixelBytes, poolMegabytes, contiguous);
        const QJsonArray chunks = json[QStringLiteral("chunks")].toArray();
        QCOMPARE(chunks.size(), expected.rowsPerChunk.size());
        qint64 totalRows = 0;
        for (qsizetype i = 0; i < chunks.size(); ++i) {
            const QJsonObject chunk = chunks[i].toObject();
            const qint64 rows = expected.rowsPerChunk[i];
            QCOMPARE(chunk[QStringLiteral("rows")].toInteger(), rows);
            QCOMPARE(chunk[QStringLiteral("elements")].toInteger(), rows * width);
            QCOMPARE(chunk[QStringLiteral("bytes")].toInteger(), rows * width * pixelBytes);
            totalRows += rows;
        }
        QCOMPARE(totalRows, height);
        QCOMPARE(json[QStringLiteral("pooled")].toBool(), expected.pooled);
        QCOMPARE(json[QStringLiteral("contiguous")].toBool(), chunks.size() == 1);
        QCOMPARE(json[QStringLiteral("singlePixelMemory")].toBool(), chunks.size() == 1);
    }

    void refusedSizes_printTheAllocatorsMessageAndExitOne_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("over the group limit")
            << QStringList{"--width", "70000", "--height", "70000"}
            << QStringLiteral(
                   "Attempted to allocate a buffer of length=19600000000 that exceeded "
                   "the limit 4294967296.");
        QTest::newRow("a row wider than a chunk")
            << QStringList{"--width", "9000000", "--height", "1"}
            << QStringLiteral(
                   "The buffer capacity of the provided MemoryAllocator is "
                   "insufficient for the requested buffer alignment: 9000000. A row of "
                   "9000000 x 4 bytes = 36000000 bytes does not fit in one chunk of 33554432 "
                   "bytes (32 MiB), the most a row can take.");
        QTest::newRow("one buffer over the single-buffer limit")
            << QStringList{"--width", "20000", "--height", "20000", "--prefer-contiguous"}
            << QStringLiteral(
                   "Attempted to allocate a buffer of length=1600000000 that exceeded "
                   "the limit 1073741824.");
    }

    void refusedSizes_printTheAllocatorsMessageAndExitOne() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Finished run = runPoolscope(QStringList{QStringLiteral("layout")} + arguments +
                                          QStringList{QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.err.trimmed(), message);
        QVERIFY(run.out.isEmpty());
    }

    void sloppyNumbers_areRefusedNotReadLoosely() {
        for (const QString& sloppy :
             {QStringLiteral(" 10"), QStringLiteral("+10"), QStringLiteral("010")}) {
            const Finished run =
                runPoolscope({QStringLiteral("layout"), QStringLiteral("--width"), sloppy,
                              QStringLiteral("--height"), QStringLiteral("10")});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(QStringLiteral("--width must be a whole number from 1")),
                     qPrintable(run.err));
        }
    }

    void usageErrors_exitOneAndSayWhy() {
        Finished run = runPoolscope(
            {QStringLiteral("layout"), QStringLiteral("--width"), QStringLiteral("100")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("--height is required")));

        run = runPoolscope({QStringLiteral("layout"), QStringLiteral("--width"),
                            QStringLiteral("0"), QStringLiteral("--height"), QStringLiteral("5")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("--width must be a whole number from 1")));

        run = runPoolscope({QStringLiteral("layout"), QStringLiteral("--width"),
                            QStringLiteral("10"), QStringLiteral("--height"), QStringLiteral("5"),
                            QStringLiteral("--pixel"), QStringLiteral("cmyk")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(
            QStringLiteral("--pixel must be one of rgba32|bgra32|rgb24|l8|l16|rgbavector")));
    }

    void layout_withoutJson_printsTheLayoutForAPerson() {
        const Finished run = runPoolscope({QStringLiteral("layout"), QStringLiteral("--width"),
                                           QStringLiteral("1920"), QStringLiteral("--height"),
                                           QStringLiteral("1080"), QStringLiteral("--max-pool-mb"),
                                           QStringLiteral("256")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QStringLiteral("Chunks              2")));
        QVERIFY(run.out.contains(QStringLiteral("1: 546 rows")));
        QVERIFY(run.out.contains(QStringLiteral("Single pixel memory no")));
    }
};

QTEST_GUILESS_MAIN(LayoutCommandLineTest)
#include "LayoutCommandLineTest.moc"
