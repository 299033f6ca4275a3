// A recording's resume points (RecordingSummarizer::resumePoint, AnalysisResumeCodec,
// WhatIfBufferRuns): a recording cut short, which has no summary, is analysed from its last point
// on, and finds exactly what every event says; a time range from the recording's start goes on
// from the last point inside it; a damaged point is passed over for an earlier one or every event;
// a finished recording stores each large buffer once, at a point or in its summary's rest.

#include <QtTest>

#include <QTemporaryDir>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisResumeCodec.h"
#include "analysis/AnalysisSummarizer.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfBufferRuns.h"
#include "analysis/WhatIfCollector.h"
#include "analysis/WhatIfReplay.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

// A killed run's file: never marked finished, so without its summary.
void cutShort(const std::string& path) {
    changeFile(path, "DELETE FROM meta WHERE key = 'finished'");
}

// The events a pass read before it first said how far it got: where it began, plus a block.
std::uint64_t firstProgress(const RecordingReader& reader, const AnalysisRange& range,
                            AllocationAnalysis& analysis) {
    std::uint64_t first = 0;
    analysis = AllocationAnalyzer::of(reader, range, [&first](std::uint64_t read, std::uint64_t) {
        first = first == 0 ? read : first;
        return true;
    });
    return first;
}

}  // namespace

class AnalysisResumeTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;

    std::string file(const char* name) {
        return directory_.filePath(QString::fromLatin1(name)).toStdString();
    }

private slots:
    void writer_storesPointsAsFarApartAsAsked_eachWithEveryPart() {
        const std::string path = file("points.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 41);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY2(points.size() >= 3, qPrintable(QString::number(points.size())));
        std::int64_t previous = 0;
        for (const RecordedResumePoint& point : points) {
            QVERIFY(point.lastSequence - previous >= static_cast<std::int64_t>(kPointEvents));
            previous = point.lastSequence;
            for (const int encoding : {AnalysisResumeCodec::kWhatIfStateEncoding,
                                       AnalysisResumeCodec::kWhatIfKeptEncoding}) {
                QVERIFY(reader.resumePart(encoding, point.lastSequence).has_value());
            }
        }
    }

    void finished_storesEachBufferOnce_theSummaryTheRestAfterThePoints() {
        const std::string path = file("once.psrec");
        writeWithPoints(path, craftedEvents(3000, 73));
        const RecordingReader reader(path);
        QVERIFY(reader.finished());
        const WhatIfEvents expected = collectedEventByEvent(reader);
        QVERIFY(!reader.summary(AnalysisSummaryCodec::kWhatIfEncoding).has_value());
        const std::optional<RecordedSummary> rest =
            reader.summary(AnalysisSummaryCodec::kWhatIfRestEncoding);
        QVERIFY(rest.has_value());
        const AnalysisResumeCodec::WhatIfRest split =
            AnalysisResumeCodec::splitWhatIfRest(rest->data, path);
        const std::size_t inRest =
            AnalysisSummaryCodec::decodeWhatIf(split.part, path).buffers.size();
        std::size_t atPoints = 0;
        for (const RecordedResumePoint& point :
             reader.resumePoints(AnalysisResumeCodec::kWhatIfKeptEncoding)) {
            atPoints +=
                AnalysisSummaryCodec::decodeWhatIf(
                    reader.resumePart(AnalysisResumeCodec::kWhatIfKeptEncoding, point.lastSequence)
                        ->data,
                    path)
                    .buffers.size();
        }
        QVERIFY(atPoints > 0 && inRest > 0);
        QCOMPARE(split.keptAtPoints, std::uint64_t{atPoints});
        QCOMPARE(atPoints + inRest, expected.buffers.size());
        const std::optional<WhatIfEvents> stored = AnalysisSummary::whatIfOf(reader);
        QVERIFY(stored.has_value());
        QVERIFY(*stored == expected);
        // Other options than the stored replay's replay the merged buffers.
        QVERIFY(WhatIfReplay::of(reader, WhatIfReplay::Options{}) ==
                WhatIfReplay::of(expected, WhatIfReplay::Options{}));
    }

    void finished_withAPointMissing_hasNoWhatIfSummary_andThePassReplaysTheSame() {
        const std::string path = file("lost.psrec");
        writeWithPoints(path, craftedEvents(3000, 79));
        changeFile(path, "DELETE FROM analysis_resume_points WHERE encoding = " +
                             std::to_string(AnalysisResumeCodec::kWhatIfKeptEncoding) +
                             " AND last_seq = (SELECT MIN(last_seq) FROM analysis_resume_points)");
        const RecordingReader reader(path);
        QVERIFY(!AnalysisSummary::whatIfOf(reader).has_value());
        const WhatIfEvents expected = collectedEventByEvent(reader);
        QVERIFY(WhatIfReplay::of(reader, WhatIfReplay::Options{}) ==
                WhatIfReplay::of(expected, WhatIfReplay::Options{}));
    }

    void cutShort_allocationAnalysis_goesOnFromTheLastPoint_andEqualsEveryEvent() {
        const std::string path = file("cut.psrec");
        writeWithPoints(path, craftedEvents(3000, 43));
        cutShort(path);
        const RecordingReader reader(path);
        QVERIFY(!reader.finished());
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY(!points.empty());
        AllocationAnalysis analysis;
        const std::uint64_t first = firstProgress(reader, {}, analysis);
        QVERIFY2(first > static_cast<std::uint64_t>(points.back().lastSequence),
                 qPrintable(QString::number(first)));
        compareAnalyses(analysis, analysedEventByEvent(reader));
    }

    void cutShort_whatIf_mergesThePointsBuffersWithThePass_exactlyAsEveryEvent() {
        const std::string path = file("whatif.psrec");
        writeWithPoints(path, craftedEvents(3000, 47));
        cutShort(path);
        const RecordingReader reader(path);
        const WhatIfEvents expected = collectedEventByEvent(reader);
        const std::unique_ptr<WhatIfBufferRuns> resumed = WhatIfBufferRuns::resumed(reader);
        QVERIFY(resumed != nullptr);
        QCOMPARE(resumed->size(), expected.buffers.size());
        WhatIfEvents merged = resumed->header();
        std::vector<WhatIfBuffer> chunk;
        for (resumed->next(chunk, 7); !chunk.empty(); resumed->next(chunk, 7)) {
            merged.buffers.insert(merged.buffers.end(), chunk.begin(), chunk.end());
        }
        QVERIFY(merged == expected);
        QVERIFY(WhatIfReplay::eventsByPass(reader) == expected);
        for (const WhatIfReplay::Options& options :
             {WhatIfReplay::Options{}, WhatIfReplay::summaryOptions()}) {
            QVERIFY(WhatIfReplay::of(reader, options) == WhatIfReplay::of(expected, options));
        }
    }

    void rangeFromTheStart_goesOnFromTheLastPointInsideIt_andEqualsEveryEvent() {
        // Cut short, so that the pass reads on to the end (a summary's ends would settle the
        // events after the range unread), telling how far it got from where it began.
        const std::string path = file("range.psrec");
        writeWithPoints(path, craftedEvents(3000, 53));
        cutShort(path);
        const RecordingReader reader(path);
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY(points.size() >= 3);
        // To the latest event up to the second point: the second is the last inside it.
        const AnalysisRange range{points.front().earliestNanoseconds, points[1].latestNanoseconds};
        QVERIFY(points[2].latestNanoseconds > range.toNanoseconds);
        AllocationAnalysis analysis;
        const std::uint64_t first = firstProgress(reader, range, analysis);
        QVERIFY(first > static_cast<std::uint64_t>(points[1].lastSequence));
        QVERIFY(first < static_cast<std::uint64_t>(points[2].lastSequence));
        compareAnalyses(analysis, analysedEventByEvent(reader, range));
    }

    void rangeStartingAfterTheFirstEvent_readsEveryEventOfIt() {
        const std::string path = file("late.psrec");
        writeWithPoints(path, craftedEvents(3000, 59));
        const RecordingReader reader(path);
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY(!points.empty());
        // No point's events are all in it: a point would hold allocations made before it.
        const AnalysisRange range{points.front().earliestNanoseconds + 1,
                                  points.back().latestNanoseconds};
        AllocationAnalysis analysis;
        const std::uint64_t first = firstProgress(reader, range, analysis);
        QVERIFY(first <= static_cast<std::uint64_t>(points.front().lastSequence));
        compareAnalyses(analysis, analysedEventByEvent(reader, range));
    }

    void damagedLastPoint_isPassedOver_andTheAnalysesEqualEveryEvent_data() {
        QTest::addColumn<QString>("damage");
        QTest::newRow("emptied") << "SET data = x''";
        QTest::newRow("truncated") << "SET data = substr(data, 1, length(data) / 2)";
        QTest::newRow("a huge size") << "SET data = x'ffffffffffffffff7f' || substr(data, 2)";
        QTest::newRow("random bytes") << "SET data = randomblob(300)";
    }

    void damagedLastPoint_isPassedOver_andTheAnalysesEqualEveryEvent() {
        QFETCH(QString, damage);
        const std::string path = file("damaged.psrec");
        std::filesystem::remove(path);
        writeWithPoints(path, craftedEvents(3000, 61));
        cutShort(path);
        changeFile(path,
                   "UPDATE analysis_resume_points " + damage.toStdString() +
                       " WHERE last_seq = (SELECT MAX(last_seq) FROM analysis_resume_points)");
        const RecordingReader reader(path);
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY(points.size() >= 2);
        AllocationAnalysis analysis;
        const std::uint64_t first = firstProgress(reader, {}, analysis);
        // The point before the damaged one.
        QVERIFY(first > static_cast<std::uint64_t>(points[points.size() - 2].lastSequence));
        QVERIFY(first <= static_cast<std::uint64_t>(points.back().lastSequence));
        compareAnalyses(analysis, analysedEventByEvent(reader));
        const WhatIfEvents expected = collectedEventByEvent(reader);
        QVERIFY(WhatIfReplay::eventsByPass(reader) == expected);
        QVERIFY(WhatIfReplay::of(reader, {}) == WhatIfReplay::of(expected, {}));
    }

    void missingPointOfKeptBuffers_isNotResumedFrom() {
        // The buffers kept between two points are stored once: without them, resuming would
        // lose them, so the what-if reads every event.
        const std::string path = file("missing.psrec");
        writeWithPoints(path, craftedEvents(3000, 67));
        cutShort(path);
        changeFile(path, "DELETE FROM analysis_resume_points WHERE encoding = " +
                             std::to_string(AnalysisResumeCodec::kWhatIfKeptEncoding) +
                             " AND last_seq = (SELECT MIN(last_seq) FROM analysis_resume_points)");
        const RecordingReader reader(path);
        QVERIFY(WhatIfBufferRuns::resumed(reader) == nullptr);
        QVERIFY(WhatIfReplay::eventsByPass(reader) == collectedEventByEvent(reader));
    }

    void codec_givesBackTheStates_andRefusesDamage_namingTheFile() {
        const std::vector<MemoryEvent> events = craftedEvents(800, 71);
        AllocationAnalyzer analyzer;
        WhatIfCollector collector;
        for (std::size_t i = 0; i < events.size() / 2; ++i) {
            analyzer.apply(events[i]);
            collector.add(static_cast<std::int64_t>(i + 1), events[i]);
        }
        const AllocationAnalyzer::State state = analyzer.state();
        QVERIFY(!state.live.empty());
        const std::vector<unsigned char> bytes = AnalysisResumeCodec::encodeAllocationState(state);
        QVERIFY(AnalysisResumeCodec::decodeAllocationState(bytes, "r.psrec") == state);
        const WhatIfCollector::State following = collector.state();
        QVERIFY(!following.liveIds.empty());
        QVERIFY(AnalysisResumeCodec::decodeWhatIfState(
                    AnalysisResumeCodec::encodeWhatIfState(following), "r.psrec") == following);
        // The analyzer resumed from the state and the one that went on find the same.
        AllocationAnalyzer resumed(AnalysisResumeCodec::decodeAllocationState(bytes, "r.psrec"), {},
                                   0);
        for (std::size_t i = events.size() / 2; i < events.size(); ++i) {
            analyzer.apply(events[i]);
            resumed.apply(events[i]);
        }
        compareAnalyses(resumed.finish(), analyzer.finish());
        const std::vector<unsigned char> truncated(bytes.begin(), bytes.begin() + bytes.size() / 2);
        try {
            AnalysisResumeCodec::decodeAllocationState(truncated, "r.psrec");
            QFAIL("a truncated state was taken");
        } catch (const RecordingError& error) {
            QVERIFY2(QString::fromUtf8(error.what())
                         .startsWith("a resume point of the analyses of r.psrec is damaged: "),
                     error.what());
        }
    }
};

QTEST_GUILESS_MAIN(AnalysisResumeTest)
#include "AnalysisResumeTest.moc"
