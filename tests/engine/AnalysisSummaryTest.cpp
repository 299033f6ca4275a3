// The analysis summary a recording's writer stores at its end (AnalysisSummarizer,
// AnalysisSummaryCodec): what it says equals what a pass over the file's events finds, figure by
// figure, for the allocation analysis and the what-if replay; a recording without one (cut
// short, older, its row deleted, written while commits failed) or with a damaged one is
// analysed by the pass, which finds the same.

#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisSummarizer.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfReplay.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

namespace {

void compareFigures(const WhatIfFigures& actual, const WhatIfFigures& expected) {
    QCOMPARE(actual.mapCalls, expected.mapCalls);
    QCOMPARE(actual.unmapCalls, expected.unmapCalls);
    QCOMPARE(actual.bytesFaultedIn, expected.bytesFaultedIn);
    QCOMPARE(actual.peakHeldBytes, expected.peakHeldBytes);
    QCOMPARE(actual.idleHeldBytes, expected.idleHeldBytes);
}

void compareReplays(const WhatIfResult& actual, const WhatIfResult& expected) {
    compareFigures(actual.actual, expected.actual);
    compareFigures(actual.pooled, expected.pooled);
    QCOMPARE(actual.largeRequests, expected.largeRequests);
    QCOMPARE(actual.poolCapacityChunks, expected.poolCapacityChunks);
    QCOMPARE(actual.chunkBytes, expected.chunkBytes);
    QCOMPARE(actual.trimPeriodMilliseconds, expected.trimPeriodMilliseconds);
    QCOMPARE(actual.heldOverTime.size(), expected.heldOverTime.size());
    for (std::size_t i = 0; i < actual.heldOverTime.size(); ++i) {
        QCOMPARE(actual.heldOverTime[i].nanoseconds, expected.heldOverTime[i].nanoseconds);
        QCOMPARE(actual.heldOverTime[i].actualBytes, expected.heldOverTime[i].actualBytes);
        QCOMPARE(actual.heldOverTime[i].pooledBytes, expected.heldOverTime[i].pooledBytes);
    }
    QCOMPARE(actual.sites.size(), expected.sites.size());
    for (std::size_t i = 0; i < actual.sites.size(); ++i) {
        QCOMPARE(actual.sites[i].stackId, expected.sites[i].stackId);
        QCOMPARE(actual.sites[i].requests, expected.sites[i].requests);
        QCOMPARE(actual.sites[i].mapCallsSaved, expected.sites[i].mapCallsSaved);
        QCOMPARE(actual.sites[i].bytesFaultedInSaved, expected.sites[i].bytesFaultedInSaved);
    }
}

WhatIfReplay::Options replayOptions() {
    WhatIfReplay::Options options;
    options.poolSizeMegabytes = 64;
    options.trimPeriod = 1'000ms;
    return options;
}

// The summary and the pass agree on everything the analyses read.
void verifyAnalysesEqualThePass(const std::string& path) {
    const RecordingReader reader(path);
    const AllocationAnalysis expected = analysedEventByEvent(reader);
    compareAnalyses(AllocationAnalyzer::of(reader), expected);
    const WhatIfEvents collected = collectedEventByEvent(reader);
    compareReplays(WhatIfReplay::of(reader, replayOptions()),
                   WhatIfReplay::of(collected, replayOptions()));
    compareReplays(WhatIfReplay::of(reader, WhatIfReplay::summaryOptions()),
                   WhatIfReplay::of(collected, WhatIfReplay::summaryOptions()));
}

// Any part, so that a check that one is missing cannot pass with another there.
bool hasSummary(const RecordingReader& reader) {
    const bool allocations = AnalysisSummary::allocationsOf(reader).has_value();
    const bool whatIf = AnalysisSummary::whatIfOf(reader).has_value();
    const bool replay = AnalysisSummary::whatIfResultOf(reader).has_value();
    const bool ends = AnalysisSummary::allocationEndsOf(reader).has_value();
    return allocations || whatIf || replay || ends;
}

constexpr std::uint64_t kMarkedRequests = 424'242;

// The analyses' own summarizer, but its stored replay claims a count of large buffers that no
// replay of these events gives: a what-if that shows it read the stored replay.
class MarkedReplaySummarizer final : public RecordingSummarizer {
public:
    void apply(std::int64_t firstSequence, std::span<const MemoryEvent> events) override {
        inner_.apply(firstSequence, events);
    }
    std::vector<Part> finish() override {
        std::vector<Part> parts = inner_.finish();
        for (Part& part : parts) {
            if (part.encoding == AnalysisSummaryCodec::kWhatIfResultEncoding) {
                WhatIfResult result = AnalysisSummaryCodec::decodeWhatIfResult(part.data, "marked");
                result.largeRequests = kMarkedRequests;
                part.data = AnalysisSummaryCodec::encodeWhatIfResult(result);
            }
        }
        return parts;
    }

private:
    AnalysisSummarizer inner_;
};

}  // namespace

class AnalysisSummaryTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;

    std::string file(const char* name) {
        return directory_.filePath(QString::fromLatin1(name)).toStdString();
    }

private slots:
    void summary_equalsThePassOverTheFileFigureByFigure() {
        const std::string path = file("crafted.psrec");
        writeSummarized(path, craftedEvents(3000, 7));
        const RecordingReader reader(path);
        const std::optional<AllocationAnalysis> summary = AnalysisSummary::allocationsOf(reader);
        QVERIFY(summary.has_value());
        const AllocationAnalysis expected = analysedEventByEvent(reader);
        QVERIFY(expected.total().temporaryAllocations > 0 && expected.total().leakedBytes > 0);
        compareAnalyses(*summary, expected);
        compareAnalyses(AllocationAnalyzer::of(reader), expected);
    }

    void summary_holdsTheBuffersOfTheFullReplay_andReplaysTheSame() {
        const std::string path = file("buffers.psrec");
        writeSummarized(path, craftedEvents(3000, 11));
        const RecordingReader reader(path);
        const std::optional<WhatIfEvents> summary = AnalysisSummary::whatIfOf(reader);
        QVERIFY(summary.has_value());
        const WhatIfEvents expected = collectedEventByEvent(reader);
        QVERIFY(!expected.buffers.empty() && !expected.releases.empty());
        QVERIFY(*summary == expected);
        // Far fewer than the events: mappings and large buffers only.
        QVERIFY(expected.buffers.size() < static_cast<std::size_t>(reader.lastEventSequence()) / 2);
        compareReplays(WhatIfReplay::of(reader, replayOptions()),
                       WhatIfReplay::of(expected, replayOptions()));
    }

    void summary_storesTheReplayWithTheWindowsOptions_whichReplayingItsBuffersGives() {
        const std::string path = file("stored.psrec");
        writeSummarized(path, craftedEvents(3000, 31));
        const RecordingReader reader(path);
        const std::optional<WhatIfResult> stored = AnalysisSummary::whatIfResultOf(reader);
        QVERIFY(stored.has_value());
        QVERIFY(stored->largeRequests > 0 && stored->pooled.mapCalls > 0);
        const WhatIfReplay::Options window = WhatIfReplay::summaryOptions();
        QCOMPARE(window.poolSizeMegabytes, std::int64_t{256});
        QVERIFY(WhatIfReplay::isReplayWith(*stored, window));
        QVERIFY(!WhatIfReplay::isReplayWith(*stored, replayOptions()));
        compareReplays(*stored, WhatIfReplay::of(collectedEventByEvent(reader), window));
    }

    void whatIf_withTheWindowsOptions_readsTheStoredReplay_andWithOthersReplays() {
        const std::string path = file("marked.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(800, 37);
        RecordingWriter::Options options = summarizingOptions(events.size());
        options.summarizer = [] { return std::make_unique<MarkedReplaySummarizer>(); };
        {
            RecordingWriter writer(path, {{"scenario", "summary"}}, options);
            writer.consume(events);
            writer.finish({}, 0);
        }
        const RecordingReader reader(path);
        const WhatIfEvents collected = collectedEventByEvent(reader);
        QVERIFY(collected.buffers.size() < kMarkedRequests);
        QCOMPARE(WhatIfReplay::of(reader, WhatIfReplay::summaryOptions()).largeRequests,
                 kMarkedRequests);
        // Another pool, or the same pool trimmed on another period, is replayed.
        compareReplays(WhatIfReplay::of(reader, replayOptions()),
                       WhatIfReplay::of(collected, replayOptions()));
        WhatIfReplay::Options otherTrim = WhatIfReplay::summaryOptions();
        otherTrim.trimPeriod = 5'000ms;
        compareReplays(WhatIfReplay::of(reader, otherTrim), WhatIfReplay::of(collected, otherTrim));
    }

    void summary_ofTheKnownPattern_equalsThePass() {
        const std::string path = file("known.psrec");
        writeSummarized(path, knownAllocationPattern());
        QVERIFY(hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void summary_ofAnEmptyRecording_equalsThePass() {
        const std::string path = file("empty.psrec");
        writeSummarized(path, {});
        QVERIFY(hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void analyzer_withTheSummary_reportsItsProgressDone() {
        const std::string path = file("progress.psrec");
        writeSummarized(path, craftedEvents(500, 3));
        const RecordingReader reader(path);
        std::vector<std::pair<std::uint64_t, std::uint64_t>> told;
        AllocationAnalyzer::of(reader, {}, [&](std::uint64_t read, std::uint64_t total) {
            told.emplace_back(read, total);
            return true;
        });
        const auto events = static_cast<std::uint64_t>(reader.lastEventSequence());
        QCOMPARE(told.size(), std::size_t{1});
        QCOMPARE(told.front(), std::make_pair(events, events));
    }

    void analyzer_ofATimeRange_passesOverTheEventsDespiteTheSummary() {
        const std::string path = file("range.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(2000, 5);
        writeSummarized(path, events);
        const RecordingReader reader(path);
        const AnalysisRange range{events[events.size() / 3].timeNanoseconds,
                                  events[events.size() / 2].timeNanoseconds};
        AllocationAnalyzer analyzer(range, reader.metaInteger("chunk_bytes"));
        for (const MemoryEvent& event : events) {
            analyzer.apply(event);
        }
        const AllocationAnalysis expected = analyzer.finish();
        QVERIFY(expected.total().allocations < analysedEventByEvent(reader).total().allocations);
        compareAnalyses(AllocationAnalyzer::of(reader, range), expected);
    }

    void analyzer_ofARangeStartingLate_skipsTheBlocksBeforeIt_andFindsWhatEveryEventSays() {
        const std::string path = file("late.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(3000, 41);
        writeSummarized(path, events);
        const RecordingReader reader(path);
        // Times step back now and then, as several threads' do: a block may hold events
        // earlier than the block before.
        for (const std::size_t at : {events.size() / 4, events.size() / 2, events.size() - 3}) {
            for (const std::int64_t to :
                 {events[std::min(at + 500, events.size() - 1)].timeNanoseconds,
                  std::numeric_limits<std::int64_t>::max()}) {
                const AnalysisRange range{events[at].timeNanoseconds, to};
                std::uint64_t firstReported = 0;
                const AllocationAnalysis skipping =
                    AllocationAnalyzer::pass(reader, range, [&](std::uint64_t read, std::uint64_t) {
                        firstReported = firstReported == 0 ? read : firstReported;
                        return true;
                    });
                compareAnalyses(skipping, analysedEventByEvent(reader, range));
                // Its first block read came after the blocks before the range.
                QVERIFY2(firstReported > 2 * kEventsPerBlock,
                         std::to_string(firstReported).c_str());
            }
        }
    }

    void writer_withoutASummarizer_storesNoSummary_andThePassAnalyses() {
        const std::string path = file("plain.psrec");
        writeRecording(path, craftedEvents(500, 9));
        QVERIFY(!hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void recordingCutShort_hasNoSummary_andThePassAnalyses() {
        // A killed run's file: its writer never reached its last transaction, which both marks
        // it finished and stores the summary. A file marked unfinished is read as one.
        const std::string path = file("cut.psrec");
        writeSummarized(path, craftedEvents(800, 13));
        changeFile(path, "DELETE FROM meta WHERE key = 'finished'");
        const RecordingReader reader(path);
        QVERIFY(!reader.finished());
        QVERIFY(!hasSummary(reader));
        verifyAnalysesEqualThePass(path);
    }

    void summaryRowDeleted_thePassAnalyses() {
        const std::string path = file("deleted.psrec");
        writeSummarized(path, craftedEvents(800, 17));
        changeFile(path, "DELETE FROM analysis_summary");
        QVERIFY(!hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void summaryOfOtherEvents_isIgnored() {
        // A summary that does not end at the file's last event says nothing of its events.
        const std::string path = file("other.psrec");
        writeSummarized(path, craftedEvents(800, 19));
        changeFile(path, "UPDATE analysis_summary SET last_seq = last_seq - 1");
        QVERIFY(!hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void damagedSummary_isIgnored_andThePassAnalyses_data() {
        QTest::addColumn<QString>("damage");
        QTest::newRow("emptied") << "UPDATE analysis_summary SET data = x''";
        QTest::newRow("truncated") << "UPDATE analysis_summary SET data = substr(data, 1, "
                                      "length(data) / 2)";
        QTest::newRow("a huge size") << "UPDATE analysis_summary SET data = "
                                        "x'ffffffffffffffff7f' || substr(data, 2)";
        QTest::newRow("random bytes") << "UPDATE analysis_summary SET data = randomblob(300)";
        QTest::newRow("a text") << "UPDATE analysis_summary SET data = 'summary'";
    }

    void damagedSummary_isIgnored_andThePassAnalyses() {
        QFETCH(QString, damage);
        const std::string path = file("damaged.psrec");
        std::filesystem::remove(path);
        writeSummarized(path, craftedEvents(800, 23));
        changeFile(path, damage.toStdString());
        QVERIFY(!hasSummary(RecordingReader(path)));
        verifyAnalysesEqualThePass(path);
    }

    void codec_refusesDamagedBytes_namingTheFileAndTheProblem() {
        const std::string path = file("codec.psrec");
        writeSummarized(path, craftedEvents(300, 29));
        const RecordingReader reader(path);
        const std::optional<RecordedSummary> allocations =
            reader.summary(AnalysisSummaryCodec::kAllocationsEncoding);
        const std::optional<RecordedSummary> whatIf =
            reader.summary(AnalysisSummaryCodec::kWhatIfEncoding);
        const std::optional<RecordedSummary> replay =
            reader.summary(AnalysisSummaryCodec::kWhatIfResultEncoding);
        const std::optional<RecordedSummary> ends =
            reader.summary(AnalysisSummaryCodec::kAllocationEndsEncoding);
        QVERIFY(allocations.has_value() && whatIf.has_value() && replay.has_value() &&
                ends.has_value());
        const auto verifyRefused = [](const auto& decode) {
            try {
                decode();
                QFAIL("a truncated summary was decoded");
            } catch (const RecordingError& error) {
                const std::string message = error.what();
                QVERIFY2(message.find("the analysis summary of codec.psrec is damaged: ") == 0,
                         message.c_str());
            }
        };
        // Every cut of the bytes is refused, none crashes.
        for (std::size_t length = 0; length < allocations->data.size(); ++length) {
            verifyRefused([&] {
                AnalysisSummaryCodec::decodeAllocations(std::span(allocations->data).first(length),
                                                        "codec.psrec");
            });
        }
        for (std::size_t length = 0; length < whatIf->data.size(); ++length) {
            verifyRefused([&] {
                AnalysisSummaryCodec::decodeWhatIf(std::span(whatIf->data).first(length),
                                                   "codec.psrec");
            });
        }
        for (std::size_t length = 0; length < replay->data.size(); ++length) {
            verifyRefused([&] {
                AnalysisSummaryCodec::decodeWhatIfResult(std::span(replay->data).first(length),
                                                         "codec.psrec");
            });
        }
        for (std::size_t length = 0; length < ends->data.size(); ++length) {
            verifyRefused([&] {
                AnalysisSummaryCodec::decodeAllocationEnds(std::span(ends->data).first(length),
                                                           "codec.psrec");
            });
        }
        AnalysisSummaryCodec::decodeAllocations(allocations->data, "codec.psrec");
        AnalysisSummaryCodec::decodeAllocationEnds(ends->data, "codec.psrec");
        AnalysisSummaryCodec::decodeWhatIf(whatIf->data, "codec.psrec");
        AnalysisSummaryCodec::decodeWhatIfResult(replay->data, "codec.psrec");
    }

    void writer_whoseCommitsFailed_summarizesOnlyWhatTheFileHolds() {
        const std::string path = file("busy.psrec");
        const std::vector<MemoryEvent> events = craftedEvents(400, 31);
        RecordingWriter::Options options = summarizingOptions(events.size());
        options.commitInterval = 5ms;
        options.blockInterval = 1ms;
        options.busyTimeout = 50ms;
        const std::size_t third = events.size() / 3;
        {
            RecordingWriter writer(path, {{"scenario", "busy"}}, options);
            writer.consume(std::span(events).first(third));
            QTRY_COMPARE(writer.committedEvents(), std::uint64_t{third});
            {
                // Another connection holds the write lock for longer than the writer waits.
                SqliteDatabase other(path, SqliteDatabase::Mode::CreateNew);
                other.execute("BEGIN IMMEDIATE");
                writer.consume(std::span(events).subspan(third, third));
                QTRY_COMPARE(writer.unwrittenEvents(), std::uint64_t{third});
                other.execute("COMMIT");
            }
            writer.consume(std::span(events).subspan(2 * third));
            QTRY_COMPARE(writer.committedEvents(), std::uint64_t{events.size() - third});
            QVERIFY_THROWS_EXCEPTION(RecordingError, writer.finish({}, 0));
        }
        const RecordingReader reader(path);
        QCOMPARE(reader.lastEventSequence(), static_cast<std::int64_t>(events.size() - third));
        QVERIFY(hasSummary(reader));
        verifyAnalysesEqualThePass(path);
    }

    void aVersion4Recording_opensAndIsAnalysedByThePass() {
        // Version 4 is version 5 without the summary table.
        const std::string path = file("version-4.psrec");
        writeSummarized(path, craftedEvents(800, 37));
        changeFile(path,
                   "DROP TABLE analysis_summary; "
                   "UPDATE meta SET value = '4' WHERE key = 'schema_version'; "
                   "PRAGMA user_version = 4");
        const RecordingReader reader(path);
        QCOMPARE(reader.schemaVersion(), 4);
        QVERIFY(!hasSummary(reader));
        verifyAnalysesEqualThePass(path);
    }
};

QTEST_GUILESS_MAIN(AnalysisSummaryTest)
#include "AnalysisSummaryTest.moc"
