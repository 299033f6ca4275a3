// The widget-free parts of the Analyses dock's pages on the known allocation pattern
// (tests/engine/AnalysisTestSupport.h): the peak consumers and temporary allocations as
// RecordingAnalysis finds them and their models show them, and the size histogram's bars,
// tiers and threshold lines.

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <vector>

#include "analysis/SizeHistogram.h"
#include "memory/PooledMemoryAllocator.h"
#include "models/DisplayFormat.h"
#include "models/PeakConsumerModel.h"
#include "models/SizeHistogramChart.h"
#include "models/TemporaryAllocationModel.h"
#include "session/OpenRecording.h"
#include "session/RecordingAnalysis.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

constexpr std::uint64_t kPeak = 2 * kMiB + 300 + 8 * kMiB;

qulonglong figure(const QAbstractItemModel& model, int row, int column) {
    return model.data(model.index(row, column), Qt::UserRole).toULongLong();
}

std::vector<double> requestsOf(const SizeHistogramChart& chart) {
    std::vector<double> requests;
    for (const SizeHistogramChart::Bar& bar : chart.bars()) {
        requests.push_back(static_cast<double>(bar.requests));
    }
    return requests;
}

}  // namespace

class AnalysisModelsTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void peakConsumerModel_givesTheSitesHoldingThePeakMostBytesFirst() {
        const RecordingAnalysisResult result = RecordingAnalysis::analyse(recordingOfPattern());
        QCOMPARE(result.peakBytes, kPeak);
        QCOMPARE(result.peakNanoseconds, std::int64_t{5001});
        PeakConsumerModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(result.peakConsumers, result.peakBytes);
        // Stack 3's two chunks, stack 2's unpooled 2 MiB, stack 1's 300 bytes; the descriptor
        // held nothing.
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.row(0).cost.stackId, StackId{3});
        QCOMPARE(figure(model, 0, PeakConsumerModel::Bytes), qulonglong{8 * kMiB});
        QCOMPARE(figure(model, 0, PeakConsumerModel::Allocations), qulonglong{1});
        QCOMPARE(model.row(1).cost.stackId, StackId{2});
        QCOMPARE(figure(model, 1, PeakConsumerModel::Bytes), qulonglong{2 * kMiB});
        QCOMPARE(model.row(2).cost.stackId, StackId{1});
        QCOMPARE(figure(model, 2, PeakConsumerModel::Bytes), qulonglong{300});
        QCOMPARE(figure(model, 2, PeakConsumerModel::Allocations), qulonglong{1});
        QCOMPARE(model.data(model.index(0, PeakConsumerModel::Share)).toString(),
                 QStringLiteral("%1 %").arg(QLocale().toString(80.0, 'f', 1)));
        QCOMPARE(model.data(model.index(0, PeakConsumerModel::Bytes), Qt::ToolTipRole).toString(),
                 DisplayFormat::exactBytes(8 * kMiB));
    }

    void temporaryAllocationModel_givesTheSitesWithTemporaryAllocationsAndTheirShare() {
        const RecordingAnalysisResult result = RecordingAnalysis::analyse(recordingOfPattern());
        TemporaryAllocationModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(result.temporary);
        // Only stack 1: its 100 and 300 bytes were freed right after; its 50 bytes were not.
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.row(0).cost.stackId, StackId{1});
        QCOMPARE(figure(model, 0, TemporaryAllocationModel::Temporary), qulonglong{2});
        QCOMPARE(figure(model, 0, TemporaryAllocationModel::Allocations), qulonglong{3});
        QCOMPARE(figure(model, 0, TemporaryAllocationModel::Bytes), qulonglong{400});
        QCOMPARE(model.data(model.index(0, TemporaryAllocationModel::Share)).toString(),
                 QStringLiteral("%1 %").arg(QLocale().toString(200.0 / 3.0, 'f', 1)));
    }

    void recordingAnalysis_restrictsEveryFigureToTheRange() {
        // 3500 to 6000: the 300 bytes of stack 1 (temporary), the chunks of stack 3; the 100
        // bytes and the 2 MiB of stack 2 before, the 50 bytes and the descriptor after are out.
        AnalysisRange range;
        range.fromNanoseconds = 3500;
        range.toNanoseconds = 6000;
        const RecordingAnalysisResult result =
            RecordingAnalysis::analyse(recordingOfPattern(), range);
        QVERIFY(!result.wholeRecording());
        QCOMPARE(result.sites.size(), std::size_t{2});
        QCOMPARE(result.sites[0].cost.stackId, StackId{1});
        QCOMPARE(result.sites[0].cost.allocations, std::uint64_t{1});
        QCOMPARE(result.sites[1].cost.stackId, StackId{3});
        QCOMPARE(result.peakBytes, 8 * kMiB + 300);
        QCOMPARE(result.peakConsumers.size(), std::size_t{2});
        QCOMPARE(result.temporary.size(), std::size_t{1});
        QCOMPARE(result.temporary[0].cost.temporaryAllocations, std::uint64_t{1});
        QCOMPARE(result.bottomUp.cost.allocations, std::uint64_t{2});
        QCOMPARE(result.topDown.cost.bytes, 8 * kMiB + 300);
        const SizeHistogramChart chart = SizeHistogramChart::of(result.sizes, result.thresholds);
        QCOMPARE(chart.requests(), std::uint64_t{2});
        QVERIFY(RecordingAnalysis::analyse(recordingOfPattern()).wholeRecording());
    }

    void sizeHistogramChart_barsDoubleFromTheSmallestRequestToTheLargest() {
        const RecordingAnalysisResult result = RecordingAnalysis::analyse(recordingOfPattern());
        const SizeHistogramChart chart = SizeHistogramChart::of(result.sizes, result.thresholds);
        // 50 in (32, 64], 100 in (64, 128], 300 in (256, 512], 2 MiB in (1, 2] MiB, the group of
        // 8 MiB in (4, 8] MiB: the buckets of 2^6 to 2^23 bytes, 18 bars.
        std::vector<double> expected(18, 0.0);
        expected[0] = expected[1] = expected[3] = expected[15] = expected[17] = 1.0;
        QCOMPARE(requestsOf(chart), expected);
        QCOMPARE(chart.requests(), std::uint64_t{5});
        QCOMPARE(chart.bars().front().fromBytes, std::uint64_t{32});
        QCOMPARE(chart.bars().back().toBytes, 8 * kMiB);
        QCOMPARE(chart.bars()[17].bytes, 8 * kMiB);
        // Up to 1 MiB the small-buffer pool, to 4 MiB one chunk, then unpooled or a group.
        QCOMPARE(chart.bars()[14].tier, MemoryTier::Small);
        QCOMPARE(chart.bars()[15].tier, MemoryTier::Pooled);
        QCOMPARE(chart.bars()[16].tier, MemoryTier::Pooled);
        QCOMPARE(chart.bars()[17].tier, MemoryTier::Unpooled);
    }

    void sizeHistogramChart_drawsThePoolsThresholdsAtTheirBucketEdges() {
        const RecordingAnalysisResult result = RecordingAnalysis::analyse(recordingOfPattern());
        const SizeHistogramChart chart = SizeHistogramChart::of(result.sizes, result.thresholds);
        const PooledMemoryAllocator::Settings defaults;
        QCOMPARE(chart.lines().size(), std::size_t{2});
        QCOMPARE(chart.lines()[0].bytes,
                 static_cast<std::uint64_t>(defaults.smallBufferThresholdBytes));
        QCOMPARE(chart.lines()[0].position, 14.5);  // the top of (512 KiB, 1 MiB]
        QCOMPARE(chart.lines()[1].bytes, static_cast<std::uint64_t>(defaults.poolChunkBytes));
        QCOMPARE(chart.lines()[1].position, 16.5);  // the top of (2 MiB, 4 MiB]
        QCOMPARE(chart.tierLabel(MemoryTier::Small),
                 QStringLiteral("Small-buffer pool (up to 1 MiB)"));
        QCOMPARE(chart.tierLabel(MemoryTier::Unpooled),
                 QStringLiteral("Unpooled or a group of chunks (over 4 MiB)"));
    }

    void sizeHistogramChart_reachesTheThresholdsWhereNoRequestWas() {
        SizeHistogram sizes;
        sizes.add(64);
        sizes.add(64);
        sizes.add(100);
        const SizeHistogramChart chart =
            SizeHistogramChart::of(sizes.buckets(), SizeHistogram::poolThresholds(0));
        // (32, 64] to (2 MiB, 4 MiB]: 17 bars, only the first two with requests.
        QCOMPARE(chart.bars().size(), std::size_t{17});
        QCOMPARE(chart.bars()[0].requests, std::uint64_t{2});
        QCOMPARE(chart.bars()[1].requests, std::uint64_t{1});
        QCOMPARE(chart.bars().back().toBytes, 4 * kMiB);
        QCOMPARE(chart.lines().back().position, 16.5);

        SizeHistogram large;
        large.add(64 * kMiB);
        const SizeHistogramChart down =
            SizeHistogramChart::of(large.buckets(), SizeHistogram::poolThresholds(0));
        // From (512 KiB, 1 MiB], where the first threshold is, to (32, 64] MiB.
        QCOMPARE(down.bars().front().fromBytes, 512 * 1024u);
        QCOMPARE(down.bars().size(), std::size_t{7});
        QCOMPARE(down.lines()[0].position, 0.5);
        QCOMPARE(down.bars().back().requests, std::uint64_t{1});
    }

    void sizeHistogramChart_placesAThresholdInsideItsBucketOnTheDoublingScale() {
        SizeHistogram sizes;
        sizes.add(5 * kMiB);
        // A pool of 3 MiB chunks: 3 MiB lies inside (2, 4] MiB, log2(1.5) of the way.
        const SizeHistogramChart chart =
            SizeHistogramChart::of(sizes.buckets(), SizeHistogram::poolThresholds(3 * kMiB));
        QCOMPARE(chart.bars().size(), std::size_t{4});  // (512 KiB, 1 MiB] to (4, 8] MiB
        QCOMPARE(chart.lines()[1].bytes, 3 * kMiB);
        QVERIFY(qFuzzyCompare(chart.lines()[1].position, 2.0 - 0.5 + std::log2(1.5)));
        QCOMPARE(chart.bars()[2].tier, MemoryTier::Unpooled);  // (2, 4] MiB reaches over 3 MiB
    }

    void sizeHistogramChart_tooltipGivesABarsExactFigures() {
        SizeHistogram sizes;
        sizes.add(600);
        sizes.add(1000);
        const SizeHistogramChart chart =
            SizeHistogramChart::of(sizes.buckets(), SizeHistogram::poolThresholds(0));
        const QString tip = chart.toolTip(chart.bars().front());
        QCOMPARE(tip, QStringLiteral("Over 512 B, up to 1 KiB (%1 to %2 bytes)\n2 requests, %3 in "
                                     "all\nSmall-buffer pool (up to 1 MiB)")
                          .arg(QLocale().toString(513), QLocale().toString(1024),
                               DisplayFormat::exactBytes(1600)));
        QCOMPARE(SizeHistogramChart::edgeLabel(4 * kMiB), QStringLiteral("4 MiB"));
        QCOMPARE(SizeHistogramChart::edgeLabel(512), QStringLiteral("512 B"));
        QCOMPARE(SizeHistogramChart::edgeLabel(0), QStringLiteral("0 B"));
    }

    void sizeHistogramChart_ofNoRequestsHasNoBars() {
        const SizeHistogramChart chart =
            SizeHistogramChart::of({}, SizeHistogram::poolThresholds(0));
        QVERIFY(chart.bars().empty());
        QVERIFY(chart.lines().empty());
        QCOMPARE(chart.requests(), std::uint64_t{0});
    }

    void recordingAnalysis_keepsTheRecordingOpenForTheNextRange_untilTheFileIsAnother() {
        const QString path = directory_.filePath(QStringLiteral("kept.psrec"));
        writeRecording(path.toStdString(), knownAllocationPattern());
        RecordingAnalysis::Kept kept;
        const RecordingAnalysisResult whole = RecordingAnalysis::analyse(path, {}, {}, &kept);
        QVERIFY(whole.error.isEmpty());
        const std::shared_ptr<OpenRecording> first = kept.recording;
        QVERIFY(first != nullptr);
        AnalysisRange range;
        range.fromNanoseconds = 3500;
        range.toNanoseconds = 6000;
        const RecordingAnalysisResult ranged = RecordingAnalysis::analyse(path, range, {}, &kept);
        QCOMPARE(kept.recording, first);
        // The figures a recording opened afresh gives.
        const RecordingAnalysisResult fresh = RecordingAnalysis::analyse(path, range);
        QCOMPARE(ranged.peakBytes, 8 * kMiB + 300);
        QCOMPARE(ranged.peakBytes, fresh.peakBytes);
        QCOMPARE(ranged.sites.size(), fresh.sites.size());
        QCOMPARE(ranged.topDown.cost.bytes, fresh.topDown.cost.bytes);
        QCOMPARE(ranged.topDown.children.size(), fresh.topDown.children.size());

        // Another recording written in its place: opened afresh, its own stacks shown.
        QVERIFY(QFile::remove(path));
        writeRecording(path.toStdString(), knownAllocationPattern({5, 6, 7, 8}));
        const RecordingAnalysisResult other = RecordingAnalysis::analyse(path, {}, {}, &kept);
        QVERIFY(kept.recording != first);
        QVERIFY(other.error.isEmpty());
        QCOMPARE(other.sites.front().cost.stackId, StackId{5});
        QCOMPARE(other.peakBytes, kPeak);
    }

private:
    QString recordingOfPattern() const {
        const QString path = directory_.filePath(QStringLiteral("pattern.psrec"));
        if (!QFile::exists(path)) {
            writeRecording(path.toStdString(), knownAllocationPattern());
        }
        return path;
    }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(AnalysisModelsTest)
#include "AnalysisModelsTest.moc"
