// `poolscope report` end to end: the analyses of a recording in the JSON report, the flame
// graph's collapsed stacks, the time range, and the arguments it refuses.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "diagnostics/StackTable.h"

#include "AnalysisTestSupport.h"
#include "PoolscopeProcess.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

// Three functions of the same code: noipa keeps the compiler from folding them into one.
[[gnu::noipa]] StackId reportedThumbnailSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

[[gnu::noipa]] StackId reportedDecodeSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

[[gnu::noipa]] StackId reportedRenderSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

constexpr qint64 kPeak = 2 * kMiB + 300 + 8 * kMiB;

QStringList linesOf(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// The line of the stack whose innermost frame is `function`'s, without its cost.
QString lineEndingIn(const QStringList& lines, const QString& function, qint64 cost) {
    for (const QString& line : lines) {
        const qsizetype space = line.lastIndexOf(QLatin1Char(' '));
        const QString innermost = line.left(space).section(QLatin1Char(';'), -1);
        if (innermost.contains(function) && line.mid(space + 1).toLongLong() == cost) {
            return line.left(space);
        }
    }
    return {};
}

}  // namespace

class ReportCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(directory_.isValid());
        recording_ = directory_.filePath(QStringLiteral("pattern.psrec"));
        writeRecording(recording_.toStdString(),
                       knownAllocationPattern({reportedThumbnailSite(), reportedDecodeSite(),
                                               reportedRenderSite(), 0}));
    }

    void reportJson_holdsEveryAnalysisWithItsFigures() {
        const QString json = directory_.filePath(QStringLiteral("analyses.json"));
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording_, QStringLiteral("--report"), json});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        const QJsonObject root = readJson(json);
        QVERIFY(root.value(QStringLiteral("analysisRange")).isNull());

        const QJsonObject peak = root.value(QStringLiteral("peakConsumers")).toObject();
        QCOMPARE(peak.value(QStringLiteral("peakBytes")).toInteger(), kPeak);
        QCOMPARE(peak.value(QStringLiteral("peakTimeMs")).toDouble(), 0.004001);
        const QJsonArray stacks = peak.value(QStringLiteral("stacks")).toArray();
        QCOMPARE(stacks.size(), 3);
        QCOMPARE(stacks[0].toObject().value(QStringLiteral("bytes")).toInteger(), qint64{8 * kMiB});
        QVERIFY(stacks[0]
                    .toObject()
                    .value(QStringLiteral("stack"))
                    .toArray()[0]
                    .toString()
                    .contains(QStringLiteral("reportedRenderSite")));
        const QJsonArray frames = peak.value(QStringLiteral("frames")).toArray();
        QCOMPARE(frames.size(), 3);
        QVERIFY(frames[2]
                    .toObject()
                    .value(QStringLiteral("frame"))
                    .toString()
                    .contains(QStringLiteral("reportedThumbnailSite")));
        QCOMPARE(frames[2].toObject().value(QStringLiteral("bytes")).toInteger(), qint64{300});

        const QJsonObject temporary = root.value(QStringLiteral("temporaryAllocations")).toObject();
        QCOMPARE(temporary.value(QStringLiteral("temporaryAllocations")).toInteger(), qint64{2});
        QCOMPARE(temporary.value(QStringLiteral("temporaryBytes")).toInteger(), qint64{400});
        const QJsonArray temporarySites = temporary.value(QStringLiteral("sites")).toArray();
        QCOMPARE(temporarySites.size(), 1);
        QCOMPARE(temporarySites[0].toObject().value(QStringLiteral("allocations")).toInteger(),
                 qint64{3});

        const QJsonObject sites = root.value(QStringLiteral("callSites")).toObject();
        QCOMPARE(sites.value(QStringLiteral("allocations")).toInteger(), qint64{6});
        QCOMPARE(sites.value(QStringLiteral("bytes")).toInteger(), qint64{10 * kMiB + 450});
        QCOMPARE(sites.value(QStringLiteral("leakedBytes")).toInteger(), qint64{2 * kMiB + 50});
        QCOMPARE(sites.value(QStringLiteral("siteCount")).toInteger(), qint64{4});
        const QJsonObject first = sites.value(QStringLiteral("sites")).toArray()[0].toObject();
        QCOMPARE(first.value(QStringLiteral("allocations")).toInteger(), qint64{3});
        QCOMPARE(first.value(QStringLiteral("bytes")).toInteger(), qint64{450});
        QCOMPARE(first.value(QStringLiteral("temporaryAllocations")).toInteger(), qint64{2});
        const QJsonObject bottomUp = sites.value(QStringLiteral("bottomUp")).toObject();
        QCOMPARE(bottomUp.value(QStringLiteral("allocations")).toInteger(), qint64{6});
        QVERIFY(bottomUp.value(QStringLiteral("children"))
                    .toArray()[0]
                    .toObject()
                    .value(QStringLiteral("frame"))
                    .toString()
                    .contains(QStringLiteral("reportedRenderSite")));
        QVERIFY(
            sites.value(QStringLiteral("topDown")).toObject().contains(QStringLiteral("children")));

        const QJsonObject sizes = root.value(QStringLiteral("sizeHistogram")).toObject();
        QCOMPARE(sizes.value(QStringLiteral("requests")).toInteger(), qint64{5});
        const QJsonArray thresholds = sizes.value(QStringLiteral("thresholds")).toArray();
        QCOMPARE(thresholds.size(), 2);
        QCOMPARE(thresholds[0].toObject().value(QStringLiteral("bytes")).toInteger(), qint64{kMiB});
        QCOMPARE(thresholds[1].toObject().value(QStringLiteral("bytes")).toInteger(),
                 qint64{4 * kMiB});
        const QJsonArray buckets = sizes.value(QStringLiteral("buckets")).toArray();
        QCOMPARE(buckets.size(), 18);
        const QJsonObject largest = buckets.last().toObject();
        QCOMPARE(largest.value(QStringLiteral("fromBytes")).toInteger(), qint64{4 * kMiB});
        QCOMPARE(largest.value(QStringLiteral("toBytes")).toInteger(), qint64{8 * kMiB});
        QCOMPARE(largest.value(QStringLiteral("requests")).toInteger(), qint64{1});

        // The run report's own sections are still there.
        QVERIFY(root.contains(QStringLiteral("pool")));
        QVERIFY(root.contains(QStringLiteral("leaks")));
    }

    void cutShortRecording_reportsAsLeaksExactlyTheAllocationsLiveAtItsLastEvent() {
        // The known pattern leaves 2 (2 MiB), 5 (50 bytes) and 6 (a descriptor) live; 7 is
        // released without its dispose, which its release says first; 8 is given back in two
        // chunks, so it is not left behind.
        const StackId site = reportedThumbnailSite();
        std::vector<MemoryEvent> events =
            knownAllocationPattern({site, reportedDecodeSite(), reportedRenderSite(), 0});
        using Kind = MemoryEventKind;
        events.push_back(allocationEvent(Kind::UnpooledAllocate, 7, 64, site, 4, 9000));
        events.push_back(allocationEvent(Kind::Undisposed, 7, 64, site, 4, 9001));
        events.push_back(allocationEvent(Kind::UnpooledFree, 7, 64, site, 4, 9002));
        events.push_back(
            allocationEvent(Kind::Rent, 8, 4 * kMiB, site, 4, 9100, MemoryTier::Pooled));
        events.push_back(
            allocationEvent(Kind::Rent, 8, 4 * kMiB, site, 4, 9101, MemoryTier::Pooled));
        events.push_back(
            allocationEvent(Kind::Return, 8, 4 * kMiB, site, 4, 9102, MemoryTier::Pooled));
        events.push_back(
            allocationEvent(Kind::Return, 8, 4 * kMiB, site, 4, 9103, MemoryTier::Pooled));
        const QString recording = directory_.filePath(QStringLiteral("cut.psrec"));
        writeRecording(recording.toStdString(), events);
        changeFile(recording.toStdString(), "DELETE FROM meta WHERE key = 'finished'");
        const QString json = directory_.filePath(QStringLiteral("cut.json"));
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording, QStringLiteral("--report"), json});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        QVERIFY2(report.err.contains(QStringLiteral("was not finished")), qPrintable(report.err));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray leaks = QJsonDocument::fromJson(file.readAll())
                                     .object()
                                     .value(QStringLiteral("leaks"))
                                     .toArray();
        QList<QList<qint64>> found;
        for (const QJsonValue& leak : leaks) {
            const QJsonObject entry = leak.toObject();
            found.append({entry.value(QStringLiteral("id")).toInteger(),
                          entry.value(QStringLiteral("bytes")).toInteger(),
                          entry.value(QStringLiteral("releasedWithoutDispose")).toBool() ? 1 : 0});
        }
        const QList<QList<qint64>> expected{
            {2, 2 * static_cast<qint64>(kMiB), 0}, {5, 50, 0}, {6, 0, 0}, {7, 64, 1}};
        QCOMPARE(found, expected);
    }

    void flamegraph_writesOneCollapsedStackPerCallSiteWithTheCostAskedFor() {
        const QString allocations = directory_.filePath(QStringLiteral("allocations.txt"));
        Finished report = runPoolscope(
            {QStringLiteral("report"), recording_, QStringLiteral("--flamegraph"), allocations});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        QStringList lines = linesOf(allocations);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines.contains(QStringLiteral("[no stack] 1")));
        const QString thumbnail = lineEndingIn(lines, QStringLiteral("reportedThumbnailSite"), 3);
        QVERIFY2(!thumbnail.isEmpty(), qPrintable(lines.join(QLatin1Char('\n'))));
        QVERIFY(thumbnail.contains(QLatin1Char(';')));  // its callers come first
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedDecodeSite"), 1).isEmpty());
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedRenderSite"), 1).isEmpty());

        const QString leaked = directory_.filePath(QStringLiteral("leaked.txt"));
        report =
            runPoolscope({QStringLiteral("report"), recording_, QStringLiteral("--flamegraph"),
                          leaked, QStringLiteral("--flamegraph-cost"), QStringLiteral("leaked")});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        lines = linesOf(leaked);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lineEndingIn(lines, QStringLiteral("reportedThumbnailSite"), 50), thumbnail);
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedDecodeSite"), 2 * kMiB).isEmpty());

        const QString peak = directory_.filePath(QStringLiteral("peak.txt"));
        report = runPoolscope({QStringLiteral("report"), recording_, QStringLiteral("--flamegraph"),
                               peak, QStringLiteral("--flamegraph-cost"), QStringLiteral("peak")});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        lines = linesOf(peak);
        QCOMPARE(lines.size(), 3);
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedRenderSite"), 8 * kMiB).isEmpty());
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedThumbnailSite"), 300).isEmpty());
    }

    void timeRange_restrictsTheAnalysesToTheAllocationsMadeInIt() {
        const QString json = directory_.filePath(QStringLiteral("range.json"));
        const QString flamegraph = directory_.filePath(QStringLiteral("range.txt"));
        const Finished report = runPoolscope(
            {QStringLiteral("report"), recording_, QStringLiteral("--report"), json,
             QStringLiteral("--flamegraph"), flamegraph, QStringLiteral("--from-ms"),
             QStringLiteral("0.002"), QStringLiteral("--to-ms"), QStringLiteral("0.004001")});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        const QJsonObject root = readJson(json);
        const QJsonObject range = root.value(QStringLiteral("analysisRange")).toObject();
        QCOMPARE(range.value(QStringLiteral("fromMs")).toDouble(), 0.002);
        QCOMPARE(range.value(QStringLiteral("toMs")).toDouble(), 0.004001);
        const QJsonObject sites = root.value(QStringLiteral("callSites")).toObject();
        QCOMPARE(sites.value(QStringLiteral("allocations")).toInteger(), qint64{3});
        QCOMPARE(sites.value(QStringLiteral("leakedBytes")).toInteger(), qint64{2 * kMiB});
        QCOMPARE(root.value(QStringLiteral("temporaryAllocations"))
                     .toObject()
                     .value(QStringLiteral("temporaryAllocations"))
                     .toInteger(),
                 qint64{1});
        QCOMPARE(root.value(QStringLiteral("sizeHistogram"))
                     .toObject()
                     .value(QStringLiteral("requests"))
                     .toInteger(),
                 qint64{3});
        const QStringList lines = linesOf(flamegraph);
        QCOMPARE(lines.size(), 3);
        QVERIFY(!lineEndingIn(lines, QStringLiteral("reportedThumbnailSite"), 1).isEmpty());
    }

    void badArguments_areRefusedSayingWhy_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString out = directory_.filePath(QStringLiteral("refused.txt"));
        QTest::newRow("unknown cost")
            << QStringList{QStringLiteral("--flamegraph"), out, QStringLiteral("--flamegraph-cost"),
                           QStringLiteral("bytes")}
            << QStringLiteral("must be allocations, leaked or peak, not 'bytes'");
        QTest::newRow("cost without a flame graph")
            << QStringList{QStringLiteral("--flamegraph-cost"), QStringLiteral("peak")}
            << QStringLiteral("--flamegraph-cost goes with --flamegraph FILE");
        QTest::newRow("empty flame graph name")
            << QStringList{QStringLiteral("--flamegraph"), QString()}
            << QStringLiteral("--flamegraph needs a file name");
        QTest::newRow("time not a number")
            << QStringList{QStringLiteral("--report"), out, QStringLiteral("--from-ms"),
                           QStringLiteral("soon")}
            << QStringLiteral("--from-ms needs milliseconds");
        QTest::newRow("negative time")
            << QStringList{QStringLiteral("--report"), out, QStringLiteral("--to-ms"),
                           QStringLiteral("-1")}
            << QStringLiteral("--to-ms needs milliseconds");
        QTest::newRow("range backwards")
            << QStringList{QStringLiteral("--report"),  out,
                           QStringLiteral("--from-ms"), QStringLiteral("5"),
                           QStringLiteral("--to-ms"),   QStringLiteral("1")}
            << QStringLiteral("--from-ms (5) is after --to-ms (1)");
        QTest::newRow("range without an analysis")
            << QStringList{QStringLiteral("--from-ms"), QStringLiteral("1")}
            << QStringLiteral("restrict the analyses of --report and --flamegraph");
    }

    void badArguments_areRefusedSayingWhy() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Finished report =
            runPoolscope(QStringList{QStringLiteral("report"), recording_} + arguments);
        QCOMPARE(report.exitCode, 1);
        QVERIFY2(report.err.contains(message), qPrintable(report.err));
        QVERIFY(!QFile::exists(directory_.filePath(QStringLiteral("refused.txt"))));
    }

    void unwritableFlamegraph_exitsOneNamingTheFile() {
        const QString path = directory_.filePath(QStringLiteral("missing/flame.txt"));
        const Finished report = runPoolscope(
            {QStringLiteral("report"), recording_, QStringLiteral("--flamegraph"), path});
        QCOMPARE(report.exitCode, 1);
        QVERIFY2(report.err.contains(QStringLiteral("cannot write the flame graph to ") + path),
                 qPrintable(report.err));
    }

private:
    QTemporaryDir directory_;
    QString recording_;
};

QTEST_GUILESS_MAIN(ReportCommandLineTest)
#include "ReportCommandLineTest.moc"
