// The what-if replay: a recording's large buffers through the pool model, on recordings with
// known patterns, and against a recording of the pool itself.
#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfBufferRuns.h"
#include "analysis/WhatIfReplay.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/PoolDirectory.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/ScenarioRunner.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kMillisecond = 1'000'000;

// A buffer of `bytes` made at `madeMs` and freed at `freedMs` (none when negative).
void addBuffer(std::vector<MemoryEvent>& events, AllocationId id, std::uint64_t bytes,
               StackId stackId, std::int64_t madeMs, std::int64_t freedMs,
               MemoryTier tier = MemoryTier::NativeHeap) {
    events.push_back(allocationEvent(MemoryEventKind::UnpooledAllocate, id, bytes, stackId, 1,
                                     madeMs * kMillisecond, tier));
    if (freedMs >= 0) {
        events.push_back(allocationEvent(MemoryEventKind::UnpooledFree, id, bytes, stackId, 1,
                                         freedMs * kMillisecond, tier));
    }
}

// The highest of each side over the series: what the peak figures must be.
std::pair<std::uint64_t, std::uint64_t> highestOf(const std::vector<WhatIfHeldSample>& series) {
    std::uint64_t actual = 0;
    std::uint64_t pooled = 0;
    for (const WhatIfHeldSample& sample : series) {
        actual = std::max(actual, sample.actualBytes);
        pooled = std::max(pooled, sample.pooledBytes);
    }
    return {actual, pooled};
}

// The series ends on the idle figures and peaks at the peak figures.
void verifySeriesAgreesWithFigures(const WhatIfResult& result) {
    QVERIFY(!result.heldOverTime.empty());
    QCOMPARE(result.heldOverTime.back().actualBytes, result.actual.idleHeldBytes);
    QCOMPARE(result.heldOverTime.back().pooledBytes, result.pooled.idleHeldBytes);
    const auto [actualPeak, pooledPeak] = highestOf(result.heldOverTime);
    QCOMPARE(actualPeak, result.actual.peakHeldBytes);
    QCOMPARE(pooledPeak, result.pooled.peakHeldBytes);
    for (std::size_t i = 1; i < result.heldOverTime.size(); ++i) {
        QVERIFY(result.heldOverTime[i].nanoseconds >= result.heldOverTime[i - 1].nanoseconds);
    }
}

// More buffers than the replay decodes at once: 2 MiB each, over 50 sites, two in three freed a
// few milliseconds later, the others never.
constexpr int kManyBuffers = 10'000;

std::vector<MemoryEvent> manyBuffers() {
    std::vector<MemoryEvent> events;
    for (int i = 0; i < kManyBuffers; ++i) {
        addBuffer(events, static_cast<AllocationId>(i + 1), 2 * kMiB,
                  static_cast<StackId>(1 + i % 50), i, i % 3 == 0 ? -1 : i + 1 + i % 7);
    }
    // In the order of their times, as a recording holds them.
    std::stable_sort(events.begin(), events.end(), [](const MemoryEvent& a, const MemoryEvent& b) {
        return a.timeNanoseconds < b.timeNanoseconds;
    });
    return events;
}

WhatIfReplay::Options optionsOf(std::int64_t poolSizeMegabytes,
                                std::chrono::milliseconds trimPeriod) {
    WhatIfReplay::Options options;
    options.poolSizeMegabytes = poolSizeMegabytes;
    options.trimPeriod = trimPeriod;
    return options;
}

}  // namespace

class WhatIfReplayTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;

    std::string recordingOf(const std::vector<MemoryEvent>& events, const char* name) {
        const std::string path = directory_.filePath(QString::fromLatin1(name)).toStdString();
        writeRecording(path, events);
        return path;
    }

private slots:
    void replay_reusesOneChunkForBuffersMadeOneAfterAnother() {
        std::vector<MemoryEvent> events;
        for (int i = 0; i < 10; ++i) {
            addBuffer(events, static_cast<AllocationId>(i + 1), 4 * kMiB, 7, i * 10, i * 10 + 5);
        }
        const RecordingReader reader(recordingOf(events, "ten.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));

        QCOMPARE(result.largeRequests, std::uint64_t{10});
        QCOMPARE(result.actual.mapCalls, std::uint64_t{10});
        QCOMPARE(result.actual.unmapCalls, std::uint64_t{10});
        QCOMPARE(result.actual.bytesFaultedIn, 40 * kMiB);
        QCOMPARE(result.actual.peakHeldBytes, 4 * kMiB);
        QCOMPARE(result.actual.idleHeldBytes, std::uint64_t{0});
        QCOMPARE(result.pooled.mapCalls, std::uint64_t{1});
        QCOMPARE(result.pooled.unmapCalls, std::uint64_t{0});
        QCOMPARE(result.pooled.bytesFaultedIn, 4 * kMiB);
        QCOMPARE(result.pooled.peakHeldBytes, 4 * kMiB);
        // The pool keeps its chunk after the last buffer: that is the price of the reuse.
        QCOMPARE(result.pooled.idleHeldBytes, 4 * kMiB);
        QCOMPARE(result.sites.size(), std::size_t{1});
        QCOMPARE(result.sites.front().stackId, StackId{7});
        QCOMPARE(result.sites.front().requests, std::uint64_t{10});
        QCOMPARE(result.sites.front().mapCallsSaved, std::int64_t{9});
        QCOMPARE(result.sites.front().bytesFaultedInSaved, static_cast<std::int64_t>(36 * kMiB));
    }

    void replay_heldOverTimeStepsWithEveryBufferBothWays() {
        std::vector<MemoryEvent> events;
        for (int i = 0; i < 3; ++i) {
            addBuffer(events, static_cast<AllocationId>(i + 1), 4 * kMiB, 7, i * 10, i * 10 + 5);
        }
        const RecordingReader reader(recordingOf(events, "three.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));

        // Nothing held at the first event, then the first buffer made at that same moment.
        // Freed, a buffer leaves the actual side at zero and its chunk held by the pool.
        const std::vector<std::array<std::uint64_t, 3>> expected = {
            {0, 0, 0},         {0, 4 * kMiB, 4 * kMiB},
            {5, 0, 4 * kMiB},  {10, 4 * kMiB, 4 * kMiB},
            {15, 0, 4 * kMiB}, {20, 4 * kMiB, 4 * kMiB},
            {25, 0, 4 * kMiB},
        };
        QCOMPARE(result.heldOverTime.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const WhatIfHeldSample& sample = result.heldOverTime[i];
            QCOMPARE(sample.nanoseconds, static_cast<std::int64_t>(expected[i][0]) * kMillisecond);
            QCOMPARE(sample.actualBytes, expected[i][1]);
            QCOMPARE(sample.pooledBytes, expected[i][2]);
        }
        verifySeriesAgreesWithFigures(result);
    }

    void replay_heldOverTimeDropsWhenATrimFreesTheRetainedChunk() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 4 * kMiB, 1, 0, 1);
        addBuffer(events, 2, 4 * kMiB, 1, 10'000, 10'001);
        events.push_back(
            allocationEvent(MemoryEventKind::UnpooledAllocate, 3, 64, 2, 1, 12'000 * kMillisecond));
        const RecordingReader reader(recordingOf(events, "trimmed.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 1'000ms));

        // Trim passes every 250 ms; one that finds a period passed since the last trim frees
        // half the retained chunks, rounded up: the only one. They trim at 1250 ms, then every
        // 1250 ms (10000 ms the last before the second buffer) and so at 11250 ms. The small
        // buffer at 12 s changes nothing, but its moment ends the series.
        const std::vector<std::array<std::int64_t, 3>> expected = {
            {0, 0, 0},      {0, 4, 4},      {1, 0, 4},      {1'250, 0, 0},
            {10'000, 4, 4}, {10'001, 0, 4}, {11'250, 0, 0}, {12'000, 0, 0},
        };
        QCOMPARE(result.heldOverTime.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const WhatIfHeldSample& sample = result.heldOverTime[i];
            QCOMPARE(sample.nanoseconds, expected[i][0] * kMillisecond);
            QCOMPARE(sample.actualBytes, static_cast<std::uint64_t>(expected[i][1]) * kMiB);
            QCOMPARE(sample.pooledBytes, static_cast<std::uint64_t>(expected[i][2]) * kMiB);
        }
        verifySeriesAgreesWithFigures(result);
    }

    void replay_heldOverTimeOfARecordingWithoutLargeBuffersStaysAtZero() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 100, 1, 0, 3);
        const RecordingReader reader(recordingOf(events, "none.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));
        QCOMPARE(result.largeRequests, std::uint64_t{0});
        QCOMPARE(result.heldOverTime.size(), std::size_t{2});
        QCOMPARE(result.heldOverTime.back().nanoseconds, 3 * kMillisecond);
        QCOMPARE(result.heldOverTime.back().actualBytes, std::uint64_t{0});
        QCOMPARE(result.heldOverTime.back().pooledBytes, std::uint64_t{0});
    }

    void replay_heldOverTimeKeepsABufferMadeAndFreedWithinOneMoment() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 4 * kMiB, 1, 0, -1);
        addBuffer(events, 2, 8 * kMiB, 1, 5, 5);
        events.push_back(allocationEvent(MemoryEventKind::UnpooledFree, 1, 4 * kMiB, 1, 1,
                                         10 * kMillisecond, MemoryTier::NativeHeap));
        const RecordingReader reader(recordingOf(events, "spike.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));
        QCOMPARE(result.actual.peakHeldBytes, 12 * kMiB);
        // At 5 ms: 12 MiB held, then 4 MiB again, both at one moment.
        QCOMPARE(result.heldOverTime.size(), std::size_t{5});
        QCOMPARE(result.heldOverTime[2].nanoseconds, 5 * kMillisecond);
        QCOMPARE(result.heldOverTime[2].actualBytes, 12 * kMiB);
        QCOMPARE(result.heldOverTime[3].nanoseconds, 5 * kMillisecond);
        QCOMPARE(result.heldOverTime[3].actualBytes, 4 * kMiB);
        verifySeriesAgreesWithFigures(result);
    }

    void replay_ignoresSmallBuffersAndCountsEveryMapping() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, kMiB, 1, 0, 1);  // at the threshold: the small-buffer pool's
        addBuffer(events, 2, 64 * 1024, 2, 2, 3, MemoryTier::Mapped);
        addBuffer(events, 3, 100, 3, 4, 5, MemoryTier::Descriptor);
        const RecordingReader reader(recordingOf(events, "small.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));

        QCOMPARE(result.largeRequests, std::uint64_t{1});
        QCOMPARE(result.actual.mapCalls, std::uint64_t{1});
        QCOMPARE(result.actual.bytesFaultedIn, std::uint64_t{64 * 1024});
        QCOMPARE(result.pooled.mapCalls, std::uint64_t{1});
        QCOMPARE(result.pooled.bytesFaultedIn, 4 * kMiB);
        QCOMPARE(result.sites.front().stackId, StackId{2});
        QCOMPARE(result.sites.front().mapCallsSaved, std::int64_t{0});
    }

    void replay_trimsChunksRetainedLongerThanThePeriodAndMapsAgain() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 4 * kMiB, 1, 0, 1);
        addBuffer(events, 2, 4 * kMiB, 1, 10'000, 10'001);
        const RecordingReader reader(recordingOf(events, "gap.psrec"));

        const WhatIfResult trimmed = WhatIfReplay::of(reader, optionsOf(64, 1'000ms));
        QCOMPARE(trimmed.pooled.mapCalls, std::uint64_t{2});
        QCOMPARE(trimmed.pooled.unmapCalls, std::uint64_t{1});
        QCOMPARE(trimmed.pooled.bytesFaultedIn, 8 * kMiB);
        QCOMPARE(trimmed.pooled.idleHeldBytes, 4 * kMiB);

        const WhatIfResult kept = WhatIfReplay::of(reader, optionsOf(64, 60'000ms));
        QCOMPARE(kept.pooled.mapCalls, std::uint64_t{1});
        QCOMPARE(kept.pooled.unmapCalls, std::uint64_t{0});
        QCOMPARE(kept.pooled.bytesFaultedIn, 4 * kMiB);
    }

    void replay_ofFarMoreChangesThanAPlotShows_keepsAFewAColumnWithThePeaksAndIdleFigures() {
        // 40,000 buffers of 4 MiB, one at a time, each freed a millisecond after it was made,
        // over 80 s; the one made at 40 s takes 64 MiB for that millisecond alone.
        WhatIfEvents events;
        std::int64_t sequence = 1;
        for (std::int64_t i = 0; i < 40'000; ++i) {
            WhatIfBuffer buffer;
            buffer.stackId = 7;
            buffer.tier = MemoryTier::NativeHeap;
            buffer.bytes = i == 20'000 ? 64 * kMiB : 4 * kMiB;
            buffer.pieces = 1;
            buffer.piecesFreed = 1;
            buffer.madeSequence = sequence++;
            buffer.madeNanoseconds = i * 2 * kMillisecond;
            buffer.freedSequence = sequence++;
            buffer.freedNanoseconds = buffer.madeNanoseconds + kMillisecond;
            events.buffers.push_back(buffer);
        }
        events.lastNanoseconds = 80'000 * kMillisecond;
        const WhatIfResult result = WhatIfReplay::of(events, optionsOf(256, 60'000ms));

        // 80,000 changes of what was held; a plot's 4,096 columns keep at most six each.
        QCOMPARE(result.actual.peakHeldBytes, 64 * kMiB);
        QVERIFY(result.heldOverTime.size() <= 4096 * 6 + 2);
        QVERIFY(result.heldOverTime.size() > 4096);
        verifySeriesAgreesWithFigures(result);
        // The lows stay too: nothing held between buffers, late in the recording as early.
        QVERIFY(std::any_of(result.heldOverTime.begin(), result.heldOverTime.end(),
                            [](const WhatIfHeldSample& sample) {
                                return sample.nanoseconds > 70'000 * kMillisecond &&
                                       sample.actualBytes == 0;
                            }));
    }

    void replay_publishesNoPoolEventsAndListsNoPool_whileTheProcessIsWatched() {
        // As in a live run's process, or a recording's writer that replays at its end.
        const std::unique_ptr<EventStream::Subscription> watching = EventStream::subscribe();
        const std::uint64_t poolsListed = PoolDirectory::generation();
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 8 * kMiB, 1, 0, 1);
        addBuffer(events, 2, 8 * kMiB, 1, 10'000, 10'001);
        const RecordingReader reader(recordingOf(events, "watched.psrec"));
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 1'000ms));
        // The model made chunks and trimmed them, and nobody was told.
        QVERIFY(result.pooled.mapCalls >= 2 && result.pooled.unmapCalls >= 2);
        std::vector<MemoryEvent> published;
        watching->drain(published);
        QCOMPARE(published.size(), std::size_t{0});
        QCOMPARE(PoolDirectory::generation(), poolsListed);
    }

    void replay_leavesBuffersOverThePoolsCapacityUnpooled() {
        std::vector<MemoryEvent> events;
        addBuffer(events, 1, 16 * kMiB, 1, 0, 1);
        addBuffer(events, 2, 16 * kMiB, 1, 2, 3);
        addBuffer(events, 3, 4 * kMiB, 2, 4, -1);
        const RecordingReader reader(recordingOf(events, "big.psrec"));
        // Two chunks of 4 MiB: the 16 MiB buffers need four.
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(8, 60'000ms));

        QCOMPARE(result.poolCapacityChunks, 2);
        QCOMPARE(result.actual.mapCalls, std::uint64_t{3});
        QCOMPARE(result.actual.unmapCalls, std::uint64_t{2});
        QCOMPARE(result.actual.bytesFaultedIn, 36 * kMiB);
        QCOMPARE(result.actual.idleHeldBytes, 4 * kMiB);
        QCOMPARE(result.pooled.mapCalls, std::uint64_t{3});
        QCOMPARE(result.pooled.unmapCalls, std::uint64_t{2});
        QCOMPARE(result.pooled.bytesFaultedIn, 36 * kMiB);
        QCOMPARE(result.pooled.peakHeldBytes, 16 * kMiB);
        QCOMPARE(result.pooled.idleHeldBytes, 4 * kMiB);
        verifySeriesAgreesWithFigures(result);
    }

    void replay_matchesWhatThePoolDidInARecordedScenarioRun() {
        const std::string path =
            directory_.filePath(QStringLiteral("leak-hunt.psrec")).toStdString();
        {
            RecordingWriter writer(path, {{"scenario", LeakHuntScenario::kName}});
            ScenarioRunner::Options options;
            options.poolSizeMegabytes = 256;
            // A clock that stands still: the real pool never trims, nor does the model within
            // the default period.
            options.manualClock = std::make_shared<ManualClock>();
            options.eventSink = &writer;
            ScenarioRunner runner(options);
            LeakHuntScenario scenario;
            const ScenarioRunReport report = runner.run(scenario, scenario.resolveParameters({}));
            writer.finish({}, report.droppedEvents);
        }
        const RecordingReader reader(path);
        std::uint64_t slotsCreated = 0;
        std::uint64_t chunksFreedBeforeEnd = 0;
        std::uint64_t chunksFreed = 0;
        std::uint64_t held = 0;
        std::uint64_t peakHeld = 0;
        std::uint64_t chunkBytes = 0;
        RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
            for (const RecordedEvent& recorded : page) {
                const MemoryEvent& event = recorded.event;
                if (event.kind == MemoryEventKind::SlotCreated) {
                    ++slotsCreated;
                    chunkBytes = event.bytes;
                    held += event.bytes;
                    peakHeld = std::max(peakHeld, held);
                } else if (event.kind == MemoryEventKind::ChunkFreed) {
                    ++chunksFreed;
                    held -= event.bytes;
                } else if (event.kind == MemoryEventKind::Trim ||
                           event.kind == MemoryEventKind::ReleaseRetained) {
                    chunksFreedBeforeEnd += event.chunksFreed();
                }
            }
        });
        QVERIFY(slotsCreated > 0);

        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(256, 60'000ms));
        QCOMPARE(result.pooled.mapCalls, slotsCreated);
        QCOMPARE(result.pooled.bytesFaultedIn, slotsCreated * chunkBytes);
        QCOMPARE(result.pooled.unmapCalls, chunksFreedBeforeEnd);
        QCOMPARE(result.pooled.peakHeldBytes, peakHeld);
        QCOMPARE(result.pooled.idleHeldBytes, held);
        verifySeriesAgreesWithFigures(result);
    }

    void replay_ofASummarysBuffersInManyChunks_countsEveryBufferOnce() {
        const std::string path = directory_.filePath("many.psrec").toStdString();
        writeSummarized(path, manyBuffers());
        const RecordingReader reader(path);
        QVERIFY(WhatIfBufferRuns::ofSummary(reader) != nullptr);
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 1'000ms));
        const auto buffers = static_cast<std::uint64_t>(kManyBuffers);
        const std::uint64_t freed = buffers - (buffers + 2) / 3;
        QCOMPARE(result.largeRequests, buffers);
        QCOMPARE(result.actual.mapCalls, buffers);
        QCOMPARE(result.actual.unmapCalls, freed);
        QCOMPARE(result.actual.bytesFaultedIn, buffers * 2 * kMiB);
        QCOMPARE(result.actual.idleHeldBytes, (buffers - freed) * 2 * kMiB);
        QCOMPARE(result.sites.size(), std::size_t{50});
        std::uint64_t requests = 0;
        for (const WhatIfSite& site : result.sites) {
            requests += site.requests;
        }
        QCOMPARE(requests, buffers);
        QVERIFY(result ==
                WhatIfReplay::of(WhatIfReplay::eventsByPass(reader), optionsOf(64, 1'000ms)));
        verifySeriesAgreesWithFigures(result);
    }

    void pass_overTheDecodedBlocks_collectsTheSummarysBuffersAndReleasesNumberedAlike() {
        // Blocks of 97 events: mappings, pooled groups, releases of the pool, buffers never
        // freed, over a few hundred blocks decoded on other threads.
        const std::string path = directory_.filePath("blocks.psrec").toStdString();
        writeSummarized(path, craftedEvents(12'000, 5));
        const RecordingReader reader(path);
        const std::optional<WhatIfEvents> stored = AnalysisSummary::whatIfOf(reader);
        QVERIFY(stored.has_value());
        QVERIFY(!stored->buffers.empty());
        QVERIFY(!stored->releases.empty());
        const WhatIfEvents passed = WhatIfReplay::eventsByPass(reader);
        QCOMPARE(passed.buffers.size(), stored->buffers.size());
        QCOMPARE(passed.releases.size(), stored->releases.size());
        QVERIFY(passed == *stored);
    }

    void replay_ofASummaryOutOfOrderFurtherOn_replaysWhatThePassCollects() {
        const std::string path = directory_.filePath("disorder.psrec").toStdString();
        writeSummarized(path, manyBuffers());
        std::optional<WhatIfEvents> stored;
        {
            const RecordingReader reader(path);
            stored = AnalysisSummary::whatIfOf(reader);
            QVERIFY(stored.has_value());
        }
        // Two buffers after the first chunks swapped, one of them claiming a terabyte: a
        // replay that took them would show it.
        std::swap(stored->buffers[9000], stored->buffers[9001]);
        stored->buffers[9000].bytes = std::uint64_t{1} << 40;
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            SqliteDatabase::Statement update(
                database, "UPDATE analysis_summary SET data = ? WHERE encoding = ?");
            update.bindBlob(1, AnalysisSummaryCodec::encodeWhatIf(*stored))
                .bind(2, std::int64_t{AnalysisSummaryCodec::kWhatIfEncoding})
                .execute();
        }
        const RecordingReader reader(path);
        QVERIFY(!AnalysisSummary::whatIfOf(reader).has_value());
        QVERIFY(WhatIfBufferRuns::ofSummary(reader) != nullptr);
        const WhatIfResult result = WhatIfReplay::of(reader, optionsOf(64, 1'000ms));
        QCOMPARE(result.actual.bytesFaultedIn, static_cast<std::uint64_t>(kManyBuffers) * 2 * kMiB);
        QVERIFY(result ==
                WhatIfReplay::of(WhatIfReplay::eventsByPass(reader), optionsOf(64, 1'000ms)));
    }
};

QTEST_GUILESS_MAIN(WhatIfReplayTest)
#include "WhatIfReplayTest.moc"
