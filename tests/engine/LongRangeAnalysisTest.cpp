// A long time range, which begins after the recording's start, is analysed from the summary and
// the resume points (LongRangeAnalysis): the range's own events up to the first point after its
// start where it parts from the whole recording's analyzer, then only the stretches between
// points that may hold its peak, and for a range that ends early a pass from the last point
// inside it. Every figure equals what reading every event finds, from any start to the end or to
// any later moment; a peak in one stretch leaves the others unread; a recording that cannot answer
// so (a late rent, a damaged point, points stored without the most they held) is still analysed
// exactly, by a pass or with looser bounds.

#include <QtTest>

#include <QTemporaryDir>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisResumeCodec.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/LongRangeAnalysis.h"
#include "diagnostics/AllocationEvents.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

using Kind = MemoryEventKind;

constexpr std::uint64_t kTebibyte = 1024 * 1024 * kMiB;
// The range from `fraction` of the recording's time span on to its end.
AnalysisRange rangeFrom(const std::vector<MemoryEvent>& events, double fraction) {
    std::int64_t first = events.front().timeNanoseconds;
    std::int64_t last = first;
    for (const MemoryEvent& event : events) {
        first = std::min(first, event.timeNanoseconds);
        last = std::max(last, event.timeNanoseconds);
    }
    return {first + static_cast<std::int64_t>(static_cast<double>(last - first) * fraction),
            AnalysisRange{}.toNanoseconds};
}

// `events` with one huge buffer made at `at` by thread 9 and freed a few events later by thread
// 8 (not at once): the most any range that holds it holds is there.
std::vector<MemoryEvent> withSpikeAt(std::vector<MemoryEvent> events, std::size_t at) {
    const std::int64_t time = events[at].timeNanoseconds;
    const MemoryEvent made = allocationEvent(Kind::UnpooledAllocate, 9'000'001, kTebibyte, 41, 9,
                                             time, MemoryTier::NativeHeap);
    MemoryEvent freed = made;
    freed.kind = Kind::UnpooledFree;
    freed.threadId = 8;
    events.insert(events.begin() + static_cast<std::ptrdiff_t>(at + 5), freed);
    events.insert(events.begin() + static_cast<std::ptrdiff_t>(at), made);
    return events;
}

// Threads 1 and 2 each make a buffer and free it at once, then the pool releases what it
// kept, `count` events in all: at every point nothing is live and no thread's last allocation.
std::vector<MemoryEvent> pairedEvents(std::size_t count) {
    std::vector<MemoryEvent> events;
    std::int64_t time = 1'000'000;
    for (AllocationId id = 1; events.size() < count; id += 2) {
        for (const std::uint32_t thread : {1u, 2u}) {
            const AllocationId made = id + thread - 1;
            events.push_back(allocationEvent(Kind::UnpooledAllocate, made, 1000 + made, thread,
                                             thread, time += 1000));
            events.push_back(allocationEvent(Kind::UnpooledFree, made, 1000 + made, thread, thread,
                                             time += 1000));
        }
        MemoryEvent release;
        release.kind = Kind::ReleaseRetained;
        release.timeNanoseconds = time += 1000;
        events.push_back(release);
    }
    return events;
}

// The stored states and ends as a writer before "the most held since the point before" stored
// them: without it.
void forgetTheMostHeld(const std::string& path) {
    std::vector<std::pair<std::int64_t, std::vector<unsigned char>>> points;
    std::vector<unsigned char> ends;
    {
        const RecordingReader reader(path);
        for (const RecordedResumePoint& point :
             reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding)) {
            AllocationAnalyzer::State state = AnalysisResumeCodec::decodeAllocationState(
                reader
                    .resumePart(AnalysisResumeCodec::kAllocationStateEncoding, point.lastSequence)
                    ->data,
                path);
            state.heldMostSincePoint.reset();
            points.emplace_back(point.lastSequence,
                                AnalysisResumeCodec::encodeAllocationState(state));
        }
        AllocationEnds stored = *AnalysisSummary::allocationEndsOf(reader);
        stored.heldMostSinceLastPoint.reset();
        ends = AnalysisSummaryCodec::encodeAllocationEnds(stored);
    }
    SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
    for (const auto& [lastSequence, data] : points) {
        database
            .cached(
                "UPDATE analysis_resume_points SET data = ? WHERE encoding = ? AND "
                "last_seq = ?")
            .bindBlob(1, data)
            .bind(2, std::int64_t{AnalysisResumeCodec::kAllocationStateEncoding})
            .bind(3, lastSequence)
            .execute();
    }
    database.cached("UPDATE analysis_summary SET data = ? WHERE encoding = ?")
        .bindBlob(1, ends)
        .bind(2, std::int64_t{AnalysisSummaryCodec::kAllocationEndsEncoding})
        .execute();
}

// The analysis to the end, how many blocks it reported reading, and the furthest event it
// reported before its last report (of every event).
struct Answer {
    std::optional<AllocationAnalysis> analysis;
    std::size_t reports = 0;
    std::uint64_t furthestBeforeTheLast = 0;
};

Answer answerOf(const RecordingReader& reader, const AnalysisRange& range) {
    Answer answer;
    std::uint64_t last = 0;
    answer.analysis = LongRangeAnalysis::of(reader, range, [&](std::uint64_t read, std::uint64_t) {
        ++answer.reports;
        answer.furthestBeforeTheLast = std::max(answer.furthestBeforeTheLast, last);
        last = read;
        return true;
    });
    return answer;
}

}  // namespace

class LongRangeAnalysisTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;

    std::string file(const char* name) {
        return directory_.filePath(QString::fromLatin1(name)).toStdString();
    }

private slots:
    void fromAnyMomentToTheEnd_everyFigureEqualsEveryEvent() {
        const std::string path = file("any.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 71);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        QVERIFY(reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding).size() >= 8);
        int answered = 0;
        for (int step = 1; step < 20; ++step) {
            const AnalysisRange range = rangeFrom(events, step / 20.0);
            const std::optional<AllocationAnalysis> analysis = LongRangeAnalysis::of(reader, range);
            answered += analysis ? 1 : 0;
            const AllocationAnalysis expected = analysedEventByEvent(reader, range);
            if (analysis) {
                compareAnalyses(*analysis, expected);
            }
            compareAnalyses(AllocationAnalyzer::of(reader, range), expected);
        }
        // Only a start after the last point leaves none to part at.
        QVERIFY(answered >= 15);
    }

    void fromAnyMomentToAnyLater_everyFigureEqualsEveryEvent() {
        const std::string path = file("between.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 113);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        int answered = 0;
        for (int from = 1; from < 10; from += 2) {
            for (int to = from + 1; to < 10; to += 2) {
                const AnalysisRange range{rangeFrom(events, from / 10.0).fromNanoseconds,
                                          rangeFrom(events, to / 10.0).fromNanoseconds};
                const std::optional<AllocationAnalysis> analysis =
                    LongRangeAnalysis::of(reader, range);
                answered += analysis ? 1 : 0;
                const AllocationAnalysis expected = analysedEventByEvent(reader, range);
                if (analysis) {
                    compareAnalyses(*analysis, expected);
                }
                compareAnalyses(AllocationAnalyzer::of(reader, range), expected);
            }
        }
        // Each of the six that span three tenths or more holds two points; a tenth holds one or
        // none, read by a pass.
        QCOMPARE(answered, 6);
    }

    void peakInOneStretch_leavesTheOtherStretchesUnread() {
        const std::string path = file("spike.psrec");
        std::vector<MemoryEvent> plain = craftedEvents(3000, 73);
        // Site 44's one allocation, made in the range well before the spike and never freed,
        // is held at the peak though nothing of its site happens near it.
        const std::size_t early = plain.size() * 3 / 10;
        plain.insert(plain.begin() + static_cast<std::ptrdiff_t>(early),
                     allocationEvent(Kind::UnpooledAllocate, 9'000'005, 7 * kMiB, 44, 3,
                                     plain[early].timeNanoseconds, MemoryTier::NativeHeap));
        const std::vector<MemoryEvent> events = withSpikeAt(plain, plain.size() / 2);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const AnalysisRange range = rangeFrom(events, 0.2);
        const Answer answer = answerOf(reader, range);
        QVERIFY(answer.analysis.has_value());
        const AllocationAnalysis expected = analysedEventByEvent(reader, range);
        compareAnalyses(*answer.analysis, expected);
        QVERIFY(expected.peakBytes > kTebibyte);
        const auto site44 =
            std::find_if(expected.sites.begin(), expected.sites.end(),
                         [](const CallSiteCost& site) { return site.stackId == 44; });
        QVERIFY(site44 != expected.sites.end());
        QCOMPARE(site44->peakBytes, 7 * kMiB);
        // Up to the first point after the start, and the spike's stretch: a few points' blocks
        // of the eight or so the range spans.
        const std::size_t blocksAfterStart = 8 * events.size() / 10 / kEventsPerBlock;
        QVERIFY2(
            answer.reports * 3 < blocksAfterStart,
            qPrintable(QString("%1 blocks read of %2").arg(answer.reports).arg(blocksAfterStart)));

        // Ending early, after the spike: its peak found before the last point inside the range
        // is the range's, though a pass goes on from that point.
        const AnalysisRange endingEarly{range.fromNanoseconds,
                                        rangeFrom(events, 0.9).fromNanoseconds};
        const std::optional<AllocationAnalysis> ending = LongRangeAnalysis::of(reader, endingEarly);
        QVERIFY(ending.has_value());
        const AllocationAnalysis expectedEnding = analysedEventByEvent(reader, endingEarly);
        compareAnalyses(*ending, expectedEnding);
        QVERIFY(expectedEnding.peakBytes > kTebibyte);
    }

    void peakReachingTheMostItsStretchMayHold_endsTheReading() {
        // Nothing made before the range is live after it begins, so the most the recording held
        // in the spike's stretch is the range's: once reached, no later event can pass it.
        const std::string path = file("bound.psrec");
        const std::size_t at = 10 * kPointEvents + 2 * kEventsPerBlock + 10;
        const std::vector<MemoryEvent> events = withSpikeAt(pairedEvents(20 * kPointEvents), at);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const AnalysisRange range = rangeFrom(events, 0.2);
        const Answer answer = answerOf(reader, range);
        QVERIFY(answer.analysis.has_value());
        compareAnalyses(*answer.analysis, analysedEventByEvent(reader, range));
        QVERIFY(answer.analysis->peakBytes > kTebibyte);
        // The spike's stretch read up to the spike's block, which is not its last.
        QVERIFY(answer.furthestBeforeTheLast > at);
        QVERIFY(answer.furthestBeforeTheLast <= at + kEventsPerBlock);
    }

    void pointsWithoutTheMostHeld_stillGiveEveryEventsFigures() {
        const std::string path = file("older.psrec");
        const std::vector<MemoryEvent> plain = craftedEvents(3000, 79);
        const std::vector<MemoryEvent> events = withSpikeAt(plain, plain.size() / 3);
        writeWithPoints(path, events);
        forgetTheMostHeld(path);
        const RecordingReader reader(path);
        QVERIFY(!AnalysisSummary::allocationEndsOf(reader)->heldMostSinceLastPoint.has_value());
        for (const double fraction : {0.1, 0.5, 0.8}) {
            const AnalysisRange range = rangeFrom(events, fraction);
            const std::optional<AllocationAnalysis> analysis = LongRangeAnalysis::of(reader, range);
            QVERIFY(analysis.has_value());
            compareAnalyses(*analysis, analysedEventByEvent(reader, range));
        }
    }

    void allocationAfterTheSplitButBeforeTheRange_isNotTheRanges() {
        // The range begins after every event up to a point, but the first allocation after the
        // point is earlier (threads' times step back), so the range cannot split there.
        const std::string path = file("back.psrec");
        std::vector<MemoryEvent> events = pairedEvents(20 * kPointEvents);
        const std::size_t point = 4 * kPointEvents;
        const AnalysisRange range{events[point - 1].timeNanoseconds + 1,
                                  AnalysisRange{}.toNanoseconds};
        QVERIFY(isAllocation(events[point].kind));
        events[point].timeNanoseconds = range.fromNanoseconds - 1;
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const std::optional<AllocationAnalysis> analysis = LongRangeAnalysis::of(reader, range);
        QVERIFY(analysis.has_value());
        compareAnalyses(*analysis, analysedEventByEvent(reader, range));
    }

    void lateRent_isNotAnswered_andThePassEqualsEveryEvent() {
        const std::string path = file("late.psrec");
        std::vector<MemoryEvent> events = craftedEvents(3000, 83);
        // Thread 7 rents one chunk of a group, makes a small buffer, then rents its second.
        const std::size_t at = events.size() / 4;
        const std::int64_t time = events[at].timeNanoseconds;
        MemoryEvent first =
            allocationEvent(Kind::Rent, 9'000'002, 4 * kMiB, 42, 7, time, MemoryTier::Pooled);
        first.chunkCount = 2;
        MemoryEvent second = first;
        second.chunkIndex = 1;
        events.insert(events.begin() + static_cast<std::ptrdiff_t>(at) + 600, second);
        events.insert(
            events.begin() + static_cast<std::ptrdiff_t>(at) + 1,
            allocationEvent(Kind::SmallRent, 9'000'003, 64, 42, 7, time, MemoryTier::Small));
        events.insert(events.begin() + static_cast<std::ptrdiff_t>(at), first);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        QCOMPARE(AnalysisSummary::allocationEndsOf(reader)->lateRents, std::uint64_t{1});
        const AnalysisRange range = rangeFrom(events, 0.5);
        QVERIFY(!LongRangeAnalysis::of(reader, range).has_value());
        compareAnalyses(AllocationAnalyzer::of(reader, range), analysedEventByEvent(reader, range));
    }

    void threadsLastAllocationBeforeTheRange_freedAtOnceLater_isLeftToTheWholeRecording() {
        // Thread 9 makes a buffer at site 5 just before the range and nothing else until it frees
        // it, three points later: the whole recording counts it temporary there, the range never
        // met it, though it has other allocations of site 5.
        const std::string path = file("idle.psrec");
        std::vector<MemoryEvent> events = craftedEvents(3000, 103);
        const AnalysisRange range = rangeFrom(events, 0.4);
        std::size_t at = 0;
        while (events[at].timeNanoseconds < range.fromNanoseconds) {
            ++at;
        }
        MemoryEvent made = allocationEvent(Kind::UnpooledAllocate, 9'000'004, 3 * kMiB, 5, 9,
                                           range.fromNanoseconds - 1, MemoryTier::NativeHeap);
        MemoryEvent freed = made;
        freed.kind = Kind::UnpooledFree;
        freed.timeNanoseconds = events[at + 3 * kPointEvents].timeNanoseconds;
        events.insert(events.begin() + static_cast<std::ptrdiff_t>(at + 3 * kPointEvents), freed);
        events.insert(events.begin() + static_cast<std::ptrdiff_t>(at), made);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const std::optional<AllocationAnalysis> analysis = LongRangeAnalysis::of(reader, range);
        QVERIFY(analysis.has_value());
        const AllocationAnalysis expected = analysedEventByEvent(reader, range);
        compareAnalyses(*analysis, expected);
        QVERIFY(std::any_of(expected.sites.begin(), expected.sites.end(),
                            [](const CallSiteCost& site) { return site.stackId == 5; }));
    }

    void damagedLaterPoint_isNotAnswered_andThePassEqualsEveryEvent() {
        const std::string path = file("damaged.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 89);
        writeWithPoints(path, events);
        std::vector<RecordedResumePoint> points;
        {
            const RecordingReader reader(path);
            points = reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        }
        QVERIFY(points.size() >= 4);
        changeFile(path,
                   "UPDATE analysis_resume_points SET data = randomblob(300) WHERE last_seq = " +
                       std::to_string(points[points.size() - 2].lastSequence) + " AND encoding = " +
                       std::to_string(AnalysisResumeCodec::kAllocationStateEncoding));
        const RecordingReader reader(path);
        const AnalysisRange range = rangeFrom(events, 0.3);
        QVERIFY(!LongRangeAnalysis::of(reader, range).has_value());
        compareAnalyses(AllocationAnalyzer::of(reader, range), analysedEventByEvent(reader, range));
    }

    void rangeFromTheStart_orWithoutTwoPointsInside_isNotAnswered() {
        const std::string path = file("whole.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(1000, 97);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        QVERIFY(points.size() >= 3);
        QVERIFY(!LongRangeAnalysis::of(reader, AnalysisRange{}).has_value());
        QVERIFY(!LongRangeAnalysis::of(
                     reader, {AnalysisRange{}.fromNanoseconds, points[1].latestNanoseconds})
                     .has_value());
        // From the earliest event on: a pass goes on from the last point, all of whose events lie
        // in the range.
        QVERIFY(!LongRangeAnalysis::of(
                     reader, {points[0].earliestNanoseconds, AnalysisRange{}.toNanoseconds})
                     .has_value());
        QVERIFY(points[0].earliestNanoseconds > AnalysisRange{}.fromNanoseconds);
        // From just after the first point to the latest event up to the second.
        const AnalysisRange oneInside{points[0].latestNanoseconds + 1, points[1].latestNanoseconds};
        QVERIFY(!LongRangeAnalysis::of(reader, oneInside).has_value());
    }

    void idleThreadsLiveLastAllocation_doesNotKeepTheRangeFromParting() {
        // Thread 9 makes a buffer at the start and never allocates or frees again: its last
        // allocation, live and made before the range, can no longer change.
        const std::string path = file("waiting.psrec");
        std::vector<MemoryEvent> events = craftedEvents(3000, 127);
        events.insert(events.begin(),
                      allocationEvent(Kind::UnpooledAllocate, 9'000'006, 5 * kMiB, 5, 9,
                                      events.front().timeNanoseconds, MemoryTier::NativeHeap));
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        const AnalysisRange range = rangeFrom(events, 0.3);
        const Answer answer = answerOf(reader, range);
        QVERIFY(answer.analysis.has_value());
        compareAnalyses(*answer.analysis, analysedEventByEvent(reader, range));
        // Parted at a point soon after the start: far fewer blocks than the range's were read.
        const std::size_t blocksAfterStart = 7 * events.size() / 10 / kEventsPerBlock;
        QVERIFY2(
            answer.reports * 2 < blocksAfterStart,
            qPrintable(QString("%1 blocks read of %2").arg(answer.reports).arg(blocksAfterStart)));
    }

    void storedMost_isTheMostHeldBetweenPoints_andOlderPointsReadWithoutIt() {
        const std::string path = file("most.psrec");
        const std::vector<MemoryEvent> plain = craftedEvents(2000, 101);
        const std::vector<MemoryEvent> events = withSpikeAt(plain, plain.size() / 2);
        writeWithPoints(path, events);
        const RecordingReader reader(path);
        // What every event says the recording held after each, against each point's stored most.
        AllocationAnalyzer analyzer;
        std::uint64_t mostSince = 0;
        std::size_t pointsChecked = 0;
        const std::vector<RecordedResumePoint> points =
            reader.resumePoints(AnalysisResumeCodec::kAllocationStateEncoding);
        const std::vector<RecordedEvent> all =
            reader.events(0, static_cast<std::int64_t>(events.size()));
        std::size_t next = 0;
        for (const RecordedEvent& recorded : all) {
            analyzer.apply(recorded.event);
            mostSince = std::max(mostSince, analyzer.state().heldBytes);
            if (next < points.size() && points[next].lastSequence == recorded.sequence) {
                const AllocationAnalyzer::State stored = AnalysisResumeCodec::decodeAllocationState(
                    reader
                        .resumePart(AnalysisResumeCodec::kAllocationStateEncoding,
                                    recorded.sequence)
                        ->data,
                    path);
                QCOMPARE(stored.heldMostSincePoint, std::optional<std::uint64_t>(mostSince));
                mostSince = stored.heldBytes;
                ++next;
                ++pointsChecked;
            }
        }
        QCOMPARE(pointsChecked, points.size());
        QCOMPARE(AnalysisSummary::allocationEndsOf(reader)->heldMostSinceLastPoint,
                 std::optional<std::uint64_t>(mostSince));

        AllocationAnalyzer::State older = analyzer.state();
        older.heldMostSincePoint.reset();
        QCOMPARE(AnalysisResumeCodec::decodeAllocationState(
                     AnalysisResumeCodec::encodeAllocationState(older), path),
                 older);
    }

    void storedMost_lessThanWhatIsHeld_isRefusedAsDamage() {
        AllocationAnalyzer analyzer;
        for (const MemoryEvent& event : craftedEvents(200, 131)) {
            analyzer.apply(event);
        }
        AllocationAnalyzer::State state = analyzer.state();
        QVERIFY(state.heldBytes > 0);
        state.heldMostSincePoint = state.heldBytes - 1;
        AllocationEnds ends = analyzer.ends();
        QVERIFY(!ends.leftLive.empty());
        ends.heldMostSinceLastPoint = 0;
        const auto refused = [](auto decode, const char* what) {
            try {
                decode();
                return QString("taken");
            } catch (const RecordingError& error) {
                return QString::fromUtf8(error.what()).contains(QString::fromUtf8(what))
                           ? QString()
                           : QString::fromUtf8(error.what());
            }
        };
        QCOMPARE(refused(
                     [&] {
                         AnalysisResumeCodec::decodeAllocationState(
                             AnalysisResumeCodec::encodeAllocationState(state), "m.psrec");
                     },
                     "the most it held since the point before is less than it holds"),
                 QString());
        QCOMPARE(refused(
                     [&] {
                         AnalysisSummaryCodec::decodeAllocationEnds(
                             AnalysisSummaryCodec::encodeAllocationEnds(ends), "m.psrec");
                     },
                     "the most held since the last resume point is less than it holds at the end"),
                 QString());
    }
};

QTEST_GUILESS_MAIN(LongRangeAnalysisTest)
#include "LongRangeAnalysisTest.moc"
