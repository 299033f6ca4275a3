// A recording's blocks decoded on several threads (RecordingEventBlocks) give the events that
// reading it page by page gives, in the same order, and the analysis of a recording read that
// way gives exactly what applying its events one by one gives, for the whole recording and
// for time ranges.

#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "recording/RecordingError.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

void writeInSmallBlocks(const std::string& path, std::span<const MemoryEvent> events) {
    RecordingWriter::Options options;
    options.queueCapacityEvents = events.size() + 1;
    options.eventsPerBlock = kEventsPerBlock;
    RecordingWriter writer(path, {{"scenario", "blocks"}}, options);
    writer.consume(events);
    writer.finish({}, 0);
}

}  // namespace

class RecordingEventBlocksTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void blocks_giveEveryEventInOrderWhateverTheNumberOfDecoders() {
        const std::vector<MemoryEvent> events = craftedEvents(3000, 1);
        const std::string path = file("order.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        for (const unsigned decoders : {1u, 2u, 5u}) {
            std::vector<MemoryEvent> read;
            std::size_t blocks = 0;
            RecordingEventBlocks::forEach(
                reader,
                [&](std::span<const MemoryEvent> block) {
                    read.insert(read.end(), block.begin(), block.end());
                    ++blocks;
                    return true;
                },
                decoders);
            QCOMPARE(read.size(), events.size());
            QCOMPARE(blocks, (events.size() + kEventsPerBlock - 1) / kEventsPerBlock);
            for (std::size_t i = 0; i < events.size(); ++i) {
                QCOMPARE(read[i].allocationId, events[i].allocationId);
                QCOMPARE(read[i].timeNanoseconds, events[i].timeNanoseconds);
                QCOMPARE(read[i].kind, events[i].kind);
                QCOMPARE(read[i].threadId, events[i].threadId);
            }
        }
    }

    void blocks_afterAnEvent_startWithTheNextEvent_data() {
        QTest::addColumn<qint64>("after");
        QTest::newRow("at a block's end") << qint64{2 * kEventsPerBlock};
        // A resume point may fall inside a block: the events up to it are not visited again.
        QTest::newRow("inside a block") << qint64{2 * kEventsPerBlock + kEventsPerBlock / 3};
    }

    void blocks_afterAnEvent_startWithTheNextEvent() {
        QFETCH(qint64, after);
        const std::vector<MemoryEvent> events = craftedEvents(2000, 3);
        const std::string path = file("after.psrec");
        std::filesystem::remove(path);
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        std::vector<MemoryEvent> read;
        RecordingEventBlocks::forEach(
            reader,
            [&](std::span<const MemoryEvent> block) {
                read.insert(read.end(), block.begin(), block.end());
                return true;
            },
            2, after);
        const auto first = static_cast<std::size_t>(after);
        QCOMPARE(read.size(), events.size() - first);
        QCOMPARE(read.front().allocationId, events[first].allocationId);
        QCOMPARE(read.front().timeNanoseconds, events[first].timeNanoseconds);
        QCOMPARE(read.back().allocationId, events.back().allocationId);
    }

    void blocksBeforeATime_areTheLeadingOnesWhoseEveryEventIsEarlier() {
        // Four blocks: times from 1000, from 3000 with one event at 5000, from 2000 (all
        // earlier than the block before), from 6000.
        const std::array<std::int64_t, 4> starts{1000, 3000, 2000, 6000};
        std::vector<MemoryEvent> events;
        for (std::size_t block = 0; block < starts.size(); ++block) {
            for (std::size_t i = 0; i < kEventsPerBlock; ++i) {
                const bool late = block == 1 && i == kEventsPerBlock / 2;
                events.push_back(
                    allocationEvent(MemoryEventKind::UnpooledAllocate, events.size() + 1, 64, 1, 1,
                                    late ? 5000 : starts[block] + static_cast<std::int64_t>(i)));
            }
        }
        const std::string path = file("times.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        const auto blocks = [](std::int64_t count) {
            return count * static_cast<std::int64_t>(kEventsPerBlock);
        };
        QCOMPARE(reader.lastEventOfBlocksBefore(1000), blocks(0));
        QCOMPARE(reader.lastEventOfBlocksBefore(2000), blocks(1));
        // The third block's events are all earlier, but it follows one with a later event.
        QCOMPARE(reader.lastEventOfBlocksBefore(4000), blocks(1));
        QCOMPARE(reader.lastEventOfBlocksBefore(5000), blocks(1));
        QCOMPARE(reader.lastEventOfBlocksBefore(5001), blocks(3));
        QCOMPARE(reader.lastEventOfBlocksBefore(INT64_MAX), blocks(4));
    }

    void blocks_stopWhereTheVisitorSaysSo() {
        const std::vector<MemoryEvent> events = craftedEvents(2000, 2);
        const std::string path = file("stop.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        std::size_t visits = 0;
        RecordingEventBlocks::forEach(
            reader,
            [&](std::span<const MemoryEvent>) {
                ++visits;
                return visits < 3;
            },
            2);
        QCOMPARE(visits, std::size_t{3});
    }

    void damagedBlock_isRefusedAfterTheBlocksBeforeItWereVisited() {
        const std::vector<MemoryEvent> events = craftedEvents(2000, 3);
        const std::string path = file("damaged.psrec");
        writeInSmallBlocks(path, events);
        const std::int64_t damagedFirst = 3 * kEventsPerBlock + 1;
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            database.execute(
                "UPDATE event_blocks SET data = substr(data, 1, 20) || "
                "(CASE WHEN substr(data, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || "
                "substr(data, 22) WHERE first_seq = " +
                std::to_string(damagedFirst));
        }
        const RecordingReader reader(path);
        std::size_t read = 0;
        QString error;
        try {
            RecordingEventBlocks::forEach(
                reader,
                [&](std::span<const MemoryEvent> block) {
                    read += block.size();
                    return true;
                },
                2);
        } catch (const RecordingError& refused) {
            error = QString::fromUtf8(refused.what());
        }
        QCOMPARE(read, std::size_t{3 * kEventsPerBlock});
        QVERIFY2(error.startsWith(
                     QString::fromStdString(path + " is corrupt: its event block from event " +
                                            std::to_string(damagedFirst) + " ")),
                 qPrintable(error));
    }

    void analysis_ofTheBlocksIsExactlyTheEventByEventAnalysis() {
        const std::vector<MemoryEvent> events = craftedEvents(6000, 4);
        const std::string path = file("analysis.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        const AllocationAnalysis expected = analysedEventByEvent(reader, {});
        // The crafted recording has every figure the analyses read.
        const CallSiteCost total = expected.total();
        QVERIFY(total.temporaryAllocations > 0);
        QVERIFY(total.leakedAllocations > 0);
        QVERIFY(total.peakAllocations > 0);
        compareAnalyses(AllocationAnalyzer::of(reader), expected);
    }

    void analysis_ofTheBlocksIsExactlyTheEventByEventAnalysisForTimeRanges() {
        const std::vector<MemoryEvent> events = craftedEvents(6000, 5);
        const std::string path = file("ranges.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        const std::int64_t first = events.front().timeNanoseconds;
        const std::int64_t last = events.back().timeNanoseconds;
        const std::int64_t span = last - first;
        for (const AnalysisRange range :
             {AnalysisRange{first, first + span / 3}, AnalysisRange{first + span / 3, last},
              AnalysisRange{first + span / 2, first + span / 2 + span / 10},
              AnalysisRange{last + 1, last + 2}}) {
            const AllocationAnalysis expected = analysedEventByEvent(reader, range);
            compareAnalyses(AllocationAnalyzer::of(reader, range), expected);
        }
    }

    void analysis_toldItsProgressStopsWhenTold() {
        const std::vector<MemoryEvent> events = craftedEvents(2000, 6);
        const std::string path = file("progress.psrec");
        writeInSmallBlocks(path, events);
        const RecordingReader reader(path);
        std::vector<std::uint64_t> told;
        AllocationAnalyzer::of(reader, {}, [&](std::uint64_t read, std::uint64_t total) {
            told.push_back(read);
            return total == events.size();
        });
        QCOMPARE(told.back(), std::uint64_t{events.size()});
        QVERIFY(std::is_sorted(told.begin(), told.end()));
        told.clear();
        const AllocationAnalysis stopped =
            AllocationAnalyzer::of(reader, {}, [&](std::uint64_t read, std::uint64_t) {
                told.push_back(read);
                return false;
            });
        QCOMPARE(told.size(), std::size_t{1});
        QCOMPARE(stopped.events, std::uint64_t{kEventsPerBlock});
    }

private:
    std::string file(const char* name) const { return directory_.filePath(name).toStdString(); }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(RecordingEventBlocksTest)
#include "RecordingEventBlocksTest.moc"
