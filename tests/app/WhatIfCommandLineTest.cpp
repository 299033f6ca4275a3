// `poolscope whatif` end to end: the two columns, the JSON's figures, memory held over time and
// sites, the pool's options, and the arguments and files it refuses.
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <vector>

#include "diagnostics/StackTable.h"

#include "AnalysisTestSupport.h"
#include "PoolscopeProcess.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

[[gnu::noipa]] StackId whatIfDecodeSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

constexpr std::int64_t kMillisecond = 1'000'000;

// Ten 4 MiB buffers, each made 10 ms after the one before and freed 5 ms after it was made.
std::vector<MemoryEvent> tenBuffersOneAfterAnother(StackId stackId) {
    std::vector<MemoryEvent> events;
    for (int i = 0; i < 10; ++i) {
        const auto id = static_cast<AllocationId>(i + 1);
        events.push_back(allocationEvent(MemoryEventKind::UnpooledAllocate, id, 4 * kMiB, stackId,
                                         1, i * 10 * kMillisecond, MemoryTier::NativeHeap));
        events.push_back(allocationEvent(MemoryEventKind::UnpooledFree, id, 4 * kMiB, stackId, 1,
                                         (i * 10 + 5) * kMillisecond, MemoryTier::NativeHeap));
    }
    return events;
}

// A side's heldOverTime as (nanoseconds, bytes) pairs.
std::vector<std::pair<qint64, qint64>> pointsOf(const QJsonObject& side) {
    std::vector<std::pair<qint64, qint64>> points;
    for (const QJsonValue& point : side.value(QStringLiteral("heldOverTime")).toArray()) {
        const QJsonArray pair = point.toArray();
        if (pair.size() != 2) {
            return {};
        }
        points.emplace_back(pair[0].toInteger(), pair[1].toInteger());
    }
    return points;
}

}  // namespace

class WhatIfCommandLineTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;
    QString recording_;

private slots:
    void initTestCase() {
        QVERIFY(directory_.isValid());
        recording_ = directory_.filePath(QStringLiteral("ten.psrec"));
        writeRecording(recording_.toStdString(), tenBuffersOneAfterAnother(whatIfDecodeSite()));
    }

    void whatIfJson_holdsActualAndPooledFiguresAndTheSites() {
        const QString json = directory_.filePath(QStringLiteral("whatif.json"));
        const Finished run =
            runPoolscope({QStringLiteral("whatif"), recording_, QStringLiteral("--pool-size"),
                          QStringLiteral("64"), QStringLiteral("--json"), json});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const QJsonObject root = readJson(json);
        QCOMPARE(root.value(QStringLiteral("largeBuffers")).toInteger(), qint64{10});
        const QJsonObject pool = root.value(QStringLiteral("pool")).toObject();
        QCOMPARE(pool.value(QStringLiteral("capacityChunks")).toInteger(), qint64{16});
        QCOMPARE(pool.value(QStringLiteral("trimPeriodMs")).toInteger(), qint64{60'000});

        const QJsonObject actual = root.value(QStringLiteral("actual")).toObject();
        QCOMPARE(actual.value(QStringLiteral("mapCalls")).toInteger(), qint64{10});
        QCOMPARE(actual.value(QStringLiteral("unmapCalls")).toInteger(), qint64{10});
        QCOMPARE(actual.value(QStringLiteral("bytesFaultedIn")).toInteger(), qint64{40 * kMiB});
        QCOMPARE(actual.value(QStringLiteral("peakHeldBytes")).toInteger(), qint64{4 * kMiB});
        QCOMPARE(actual.value(QStringLiteral("idleHeldBytes")).toInteger(), qint64{0});
        const QJsonObject pooled = root.value(QStringLiteral("pooled")).toObject();
        QCOMPARE(pooled.value(QStringLiteral("mapCalls")).toInteger(), qint64{1});
        QCOMPARE(pooled.value(QStringLiteral("unmapCalls")).toInteger(), qint64{0});
        QCOMPARE(pooled.value(QStringLiteral("bytesFaultedIn")).toInteger(), qint64{4 * kMiB});
        QCOMPARE(pooled.value(QStringLiteral("peakHeldBytes")).toInteger(), qint64{4 * kMiB});
        QCOMPARE(pooled.value(QStringLiteral("idleHeldBytes")).toInteger(), qint64{4 * kMiB});

        const QJsonArray sites = root.value(QStringLiteral("sites")).toArray();
        QCOMPARE(sites.size(), 1);
        const QJsonObject site = sites[0].toObject();
        QCOMPARE(site.value(QStringLiteral("buffers")).toInteger(), qint64{10});
        QCOMPARE(site.value(QStringLiteral("mapCallsSaved")).toInteger(), qint64{9});
        QCOMPARE(site.value(QStringLiteral("bytesFaultedInSaved")).toInteger(), qint64{36 * kMiB});
        QVERIFY(site.value(QStringLiteral("site"))
                    .toString()
                    .contains(QStringLiteral("whatIfDecodeSite")));
        QVERIFY(site.value(QStringLiteral("stack"))
                    .toArray()[0]
                    .toString()
                    .contains(QStringLiteral("whatIfDecodeSite")));
    }

    void whatIfJson_heldOverTimeStepsWithEachBufferActuallyAndKeepsTheChunkPooled() {
        const QString json = directory_.filePath(QStringLiteral("held.json"));
        const Finished run =
            runPoolscope({QStringLiteral("whatif"), recording_, QStringLiteral("--pool-size"),
                          QStringLiteral("64"), QStringLiteral("--json"), json});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const QJsonObject root = readJson(json);
        // Actually: nothing before the first event, then each buffer held from its making at
        // i * 10 ms to its freeing 5 ms later.
        std::vector<std::pair<qint64, qint64>> actual{{0, 0}};
        for (qint64 i = 0; i < 10; ++i) {
            actual.emplace_back(i * 10 * kMillisecond, qint64{4 * kMiB});
            actual.emplace_back((i * 10 + 5) * kMillisecond, 0);
        }
        QCOMPARE(pointsOf(root.value(QStringLiteral("actual")).toObject()), actual);
        // Pooled: the first buffer's chunk is made and, within the trim period, kept to the end;
        // the last point is the last event's moment.
        const std::vector<std::pair<qint64, qint64>> pooled{
            {0, 0}, {0, qint64{4 * kMiB}}, {95 * kMillisecond, qint64{4 * kMiB}}};
        QCOMPARE(pointsOf(root.value(QStringLiteral("pooled")).toObject()), pooled);
    }

    void whatIf_printsBothColumnsAndTheSites() {
        const Finished run = runPoolscope({QStringLiteral("whatif"), recording_,
                                           QStringLiteral("--pool-size"), QStringLiteral("64")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const QStringList lines = run.out.split(QLatin1Char('\n'));
        const auto row = [&lines](const QString& name) {
            for (const QString& line : lines) {
                if (line.startsWith(name)) {
                    return line.mid(name.size()).simplified();
                }
            }
            return QString();
        };
        QCOMPARE(row(QStringLiteral("map calls")), QStringLiteral("10 1"));
        QCOMPARE(row(QStringLiteral("unmap calls")), QStringLiteral("10 0"));
        QCOMPARE(row(QStringLiteral("bytes faulted in")), QStringLiteral("40.0 MiB 4.0 MiB"));
        QVERIFY(run.out.contains(QStringLiteral("whatIfDecodeSite")));
    }

    void whatIf_trimPeriodShorterThanTheGapsMapsEveryBufferAgain() {
        const QString json = directory_.filePath(QStringLiteral("trimmed.json"));
        const Finished run =
            runPoolscope({QStringLiteral("whatif"), recording_, QStringLiteral("--pool-size"),
                          QStringLiteral("64"), QStringLiteral("--trim-period-ms"),
                          QStringLiteral("1"), QStringLiteral("--json"), json});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const QJsonObject pooled = readJson(json).value(QStringLiteral("pooled")).toObject();
        QCOMPARE(pooled.value(QStringLiteral("mapCalls")).toInteger(), qint64{10});
        // The last buffer's chunk is still retained when the recording ends.
        QCOMPARE(pooled.value(QStringLiteral("unmapCalls")).toInteger(), qint64{9});
    }

    void whatIf_refusesBadArgumentsAndFilesThatAreNotRecordings() {
        const QString notRecording = directory_.filePath(QStringLiteral("notes.txt"));
        QFile file(notRecording);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a recording\n");
        file.close();
        const QList<QPair<QStringList, QString>> cases = {
            {{}, QStringLiteral("which recording?")},
            {{recording_, recording_}, QStringLiteral("one recording at a time")},
            {{recording_, QStringLiteral("--pool-size"), QStringLiteral("lots")},
             QStringLiteral("--pool-size needs a whole number >= 0, not 'lots'")},
            {{recording_, QStringLiteral("--trim-period-ms"), QStringLiteral("0")},
             QStringLiteral("--trim-period-ms needs a whole number >= 1, not '0'")},
            {{recording_, QStringLiteral("--json"), QString()},
             QStringLiteral("--json needs a file name")},
            {{notRecording}, QStringLiteral("is not a PoolScope recording")},
        };
        for (const auto& [arguments, message] : cases) {
            const Finished run = runPoolscope(QStringList{QStringLiteral("whatif")} + arguments);
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(message), qPrintable(run.err));
        }
    }
};

QTEST_GUILESS_MAIN(WhatIfCommandLineTest)
#include "WhatIfCommandLineTest.moc"
