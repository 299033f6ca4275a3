// A time range's analysis stops reading soon after the range ends, and settles what comes later
// from what the recording's summary says its allocations come to at its end (AllocationEnds):
// every figure equals what reading every event finds. It reads on past the range while a
// thread's last allocation in it may yet be freed at once or grow, and to the end when the
// summary cannot say (a rent after the thread did something else, an allocation begun before the
// range and live at the end, a summary without its ends).

#include <QtTest>

#include <QTemporaryDir>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AllocationEnds.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "diagnostics/AllocationEvents.h"
#include "recording/RecordingReader.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

using Kind = MemoryEventKind;

// A pass over a range, and how far it read: the events read when it last reported a block,
// and what its final report added, at most a block when it read every event.
struct Pass {
    AllocationAnalysis analysis;
    std::uint64_t readBeforeTheLast = 0;
    std::uint64_t lastStep = 0;
};

Pass passOf(const RecordingReader& reader, const AnalysisRange& range) {
    Pass pass;
    std::uint64_t last = 0;
    pass.analysis = AllocationAnalyzer::pass(reader, range, [&](std::uint64_t read, std::uint64_t) {
        pass.readBeforeTheLast = last;
        last = read;
        return true;
    });
    pass.lastStep = last - pass.readBeforeTheLast;
    return pass;
}

// Thread 2 makes `count` small buffers and frees each at once, from `time` on, 1000 ns apart.
void addBusyThread(std::vector<MemoryEvent>& events, AllocationId& nextId, std::int64_t& time,
                   int count) {
    for (int i = 0; i < count; ++i) {
        const AllocationId id = nextId++;
        events.push_back(allocationEvent(Kind::SmallRent, id, 64, 9, 2, time, MemoryTier::Small));
        events.push_back(
            allocationEvent(Kind::SmallReturn, id, 64, 9, 2, time + 10, MemoryTier::Small));
        time += 1000;
    }
}

MemoryEvent chunk(Kind kind, AllocationId id, std::uint32_t thread, std::int64_t time,
                  std::uint32_t index) {
    MemoryEvent event = allocationEvent(kind, id, 4 * kMiB, 3, thread, time, MemoryTier::Pooled);
    event.chunkIndex = index;
    event.chunkCount = 2;
    return event;
}

// `events`, then thread 2 busy for blocks, thread 1 giving group 1 its second chunk, and thread
// 2 busy for more blocks.
std::vector<MemoryEvent> withSecondChunkBlocksLater(std::vector<MemoryEvent> events) {
    AllocationId nextId = 100;
    std::int64_t time = 2000;
    addBusyThread(events, nextId, time, 200);
    events.push_back(chunk(Kind::Rent, 1, 1, time, 1));
    addBusyThread(events, nextId, time, 300);
    return events;
}

void deleteEnds(const std::string& path) {
    changeFile(path, "DELETE FROM analysis_summary WHERE encoding = " +
                         std::to_string(AnalysisSummaryCodec::kAllocationEndsEncoding));
}

}  // namespace

class AllocationEndsTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;

    std::string file(const char* name) {
        return directory_.filePath(QString::fromLatin1(name)).toStdString();
    }

    // `events` recorded with a summary in file `name`, and the pass over `range`, whose every
    // figure is compared with what reading every event finds.
    Pass passComparedWithEveryEvent(const char* name, const std::vector<MemoryEvent>& events,
                                    const AnalysisRange& range) {
        const std::string path = file(name);
        writeSummarized(path, events);
        const RecordingReader reader(path);
        Pass pass = passOf(reader, range);
        compareAnalyses(pass.analysis, analysedEventByEvent(reader, range));
        return pass;
    }

private slots:
    void ends_ofTheSummary_areWhatTheEventsComeTo() {
        const std::string path = file("ends.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(2000, 61);
        writeSummarized(path, events);
        const RecordingReader reader(path);
        const std::optional<AllocationEnds> ends = AnalysisSummary::allocationEndsOf(reader);
        QVERIFY(ends.has_value());
        // Each thread's last allocation or free, counted here from the events.
        std::map<std::uint32_t, std::int64_t> lastOfThread;
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (isAllocation(events[i].kind) || isFree(events[i].kind)) {
                lastOfThread[events[i].threadId] = static_cast<std::int64_t>(i + 1);
            }
        }
        QCOMPARE(ends->threads.size(), lastOfThread.size());
        for (const auto& [thread, last] : lastOfThread) {
            QCOMPARE(ends->lastSequenceOf(thread), last);
        }
        // The allocations live at the end are the whole analysis's leaks, each made by the
        // event it names.
        const CallSiteCost total = analysedEventByEvent(reader).total();
        QVERIFY(total.leakedAllocations > 10);
        QCOMPARE(ends->leftLive.size(), total.leakedAllocations);
        std::uint64_t held = 0;
        for (const AllocationEnds::LeftLive& live : ends->leftLive) {
            held += live.heldBytes;
            const MemoryEvent& made = events[static_cast<std::size_t>(live.firstSequence - 1)];
            QCOMPARE(made.allocationId, live.allocationId);
            QVERIFY(isAllocation(made.kind));
            QCOMPARE(ends->leftLiveOf(live.allocationId), &live);
        }
        QCOMPARE(held, total.leakedBytes);
        QCOMPARE(ends->lateRents, std::uint64_t{0});
    }

    void rangesEndingEarly_stopSoonAfter_andFindWhatEveryEventSays() {
        const std::string path = file("early.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 43);
        writeSummarized(path, events);
        const RecordingReader reader(path);
        const std::size_t n = events.size();
        for (const auto& [from, to] :
             {std::pair{std::size_t{0}, n / 4}, std::pair{n / 4, n / 2},
              std::pair{n / 3, n / 3 + 40}, std::pair{n / 10, 2 * n / 3}}) {
            const AnalysisRange range{
                from == 0 ? AnalysisRange{}.fromNanoseconds : events[from].timeNanoseconds,
                events[to].timeNanoseconds};
            const Pass pass = passOf(reader, range);
            compareAnalyses(pass.analysis, analysedEventByEvent(reader, range));
            QVERIFY(pass.analysis.total().allocations > 0);
            // It read a few blocks past the range at most, and left the rest unread.
            QVERIFY2(pass.readBeforeTheLast < to + 4 * kEventsPerBlock,
                     std::to_string(pass.readBeforeTheLast).c_str());
            QVERIFY2(pass.lastStep > n / 4, std::to_string(pass.lastStep).c_str());
        }
    }

    void aThreadsLastAllocationInTheRange_isFollowedPastItsEnd_toItsFree() {
        // Thread 1 makes a buffer in the range and frees it next, long after the range: it is
        // temporary, which only its free, blocks later, says.
        std::vector<MemoryEvent> events{
            allocationEvent(Kind::UnpooledAllocate, 1, 100, 1, 1, 1000)};
        AllocationId nextId = 100;
        std::int64_t time = 2000;
        addBusyThread(events, nextId, time, 300);
        events.push_back(allocationEvent(Kind::UnpooledFree, 1, 100, 1, 1, time));
        const std::size_t freeSequence = events.size();
        addBusyThread(events, nextId, time, 300);
        const Pass pass = passComparedWithEveryEvent("pending.psrec", events, {0, 1500});
        QCOMPARE(pass.analysis.total().temporaryAllocations, std::uint64_t{1});
        QCOMPARE(pass.analysis.total().leakedAllocations, std::uint64_t{0});
        QVERIFY(pass.readBeforeTheLast + kEventsPerBlock >= freeSequence);
        QVERIFY(pass.lastStep > 4 * kEventsPerBlock);
    }

    void aGroupsChunksAfterTheRangesEnd_areCountedWithIt() {
        // Thread 1's group gets its second chunk after the range, blocks later (thread 2 busy
        // between), and is never freed.
        const std::vector<MemoryEvent> events =
            withSecondChunkBlocksLater({chunk(Kind::Rent, 1, 1, 1000, 0)});
        const Pass pass = passComparedWithEveryEvent("group.psrec", events, {0, 1500});
        QCOMPARE(pass.analysis.total().bytes, 8 * kMiB);
        QCOMPARE(pass.analysis.total().leakedBytes, 8 * kMiB);
        QCOMPARE(pass.analysis.peakBytes, 8 * kMiB);
        QVERIFY(pass.lastStep > 4 * kEventsPerBlock);
    }

    void aLateRent_makesARangeReadEveryEvent() {
        // Thread 1's group gets its second chunk after thread 1 made and freed something else:
        // nothing but the events says when such a chunk comes.
        const std::vector<MemoryEvent> events = withSecondChunkBlocksLater({
            chunk(Kind::Rent, 1, 1, 1000, 0),
            allocationEvent(Kind::UnpooledAllocate, 2, 100, 1, 1, 1100),
            allocationEvent(Kind::UnpooledFree, 2, 100, 1, 1, 1200),
        });
        const Pass pass = passComparedWithEveryEvent("late.psrec", events, {0, 1500});
        const RecordingReader reader(file("late.psrec"));
        QCOMPARE(AnalysisSummary::allocationEndsOf(reader)->lateRents, std::uint64_t{1});
        QCOMPARE(pass.analysis.total().bytes, 8 * kMiB + 100);
        QVERIFY(pass.lastStep <= kEventsPerBlock);
    }

    void anAllocationBegunBeforeTheRange_liveAtTheEnd_makesTheRangeReadEveryEvent() {
        // Its first chunk comes before the range, its second in it: the range holds 4 MiB of it,
        // the whole recording's end 8 MiB.
        std::vector<MemoryEvent> events{chunk(Kind::Rent, 1, 1, 1000, 0),
                                        chunk(Kind::Rent, 1, 1, 1600, 1)};
        AllocationId nextId = 100;
        std::int64_t time = 2000;
        addBusyThread(events, nextId, time, 500);
        const Pass pass = passComparedWithEveryEvent("begun.psrec", events, {1500, 3000});
        QCOMPARE(pass.analysis.total().leakedBytes, 4 * kMiB);
        QVERIFY(pass.lastStep <= kEventsPerBlock);
    }

    void anIdMadeAgainAfterTheRange_isNotTheRangesLeak() {
        // Id 7, made in the range, is freed long after it by thread 3, which then makes id 7
        // again and keeps it to the end.
        std::vector<MemoryEvent> events{
            allocationEvent(Kind::UnpooledAllocate, 7, 100, 1, 1, 1000),
            allocationEvent(Kind::UnpooledAllocate, 8, 50, 2, 1, 1100),
            allocationEvent(Kind::UnpooledFree, 8, 50, 2, 1, 1200),
        };
        AllocationId nextId = 100;
        std::int64_t time = 2000;
        addBusyThread(events, nextId, time, 300);
        events.push_back(allocationEvent(Kind::UnpooledFree, 7, 100, 1, 3, time));
        events.push_back(allocationEvent(Kind::UnpooledAllocate, 7, 900, 4, 3, time + 10));
        addBusyThread(events, nextId, time, 100);
        const Pass pass = passComparedWithEveryEvent("reused.psrec", events, {0, 1500});
        const RecordingReader reader(file("reused.psrec"));
        QVERIFY(AnalysisSummary::allocationEndsOf(reader)->leftLiveOf(7) != nullptr);
        QCOMPARE(pass.analysis.total().leakedAllocations, std::uint64_t{0});
        QCOMPARE(pass.analysis.total().temporaryAllocations, std::uint64_t{1});
        QVERIFY(pass.lastStep > 4 * kEventsPerBlock);
    }

    void aSummaryWithoutItsEnds_makesARangeReadEveryEvent() {
        const std::string path = file("without.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(1500, 47);
        writeSummarized(path, events);
        deleteEnds(path);
        const RecordingReader reader(path);
        QVERIFY(!AnalysisSummary::allocationEndsOf(reader).has_value());
        QVERIFY(AnalysisSummary::allocationsOf(reader).has_value());
        const AnalysisRange range{AnalysisRange{}.fromNanoseconds,
                                  events[events.size() / 4].timeNanoseconds};
        const Pass pass = passOf(reader, range);
        compareAnalyses(pass.analysis, analysedEventByEvent(reader, range));
        QVERIFY(pass.lastStep <= kEventsPerBlock);
    }
};

QTEST_GUILESS_MAIN(AllocationEndsTest)
#include "AllocationEndsTest.moc"
