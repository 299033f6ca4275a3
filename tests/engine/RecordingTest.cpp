#include <QtTest>

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackTable.h"
#include "imaging/PixelTypeId.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingSchema.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/ScenarioRunner.h"

#include "RecordingTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

namespace {

[[gnu::noinline]] StackId stackOfRecordingTest() {
    return captureStack();
}

}  // namespace

class RecordingTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void eventsReadBackEqualTheEventsRecorded() {
        const std::string path = file("round-trip.psrec");
        const StackId stackId = stackOfRecordingTest();
        const std::vector<MemoryEvent> recorded = sampleEvents(2500, stackId);
        {
            RecordingWriter writer(path, {{"scenario", "sample"}});
            writer.setPool(7, 16, 4 * 1024 * 1024);
            for (std::size_t start = 0; start < recorded.size(); start += 300) {
                const std::size_t count = std::min<std::size_t>(300, recorded.size() - start);
                writer.consume(std::span(recorded).subspan(start, count));
            }
            writer.finish({{1, "kept", false}}, 3);
            QCOMPARE(writer.committedEvents(), std::uint64_t{recorded.size()});
            QCOMPARE(writer.droppedEvents(), std::uint64_t{0});
        }

        const RecordingReader reader(path);
        QVERIFY(reader.finished());
        QCOMPARE(reader.schemaVersion(), RecordingSchema::kVersion);
        QCOMPARE(reader.metadata().at("scenario"), std::string("sample"));
        QCOMPARE(reader.metadata().at("capacity_chunks"), std::string("16"));
        QCOMPARE(reader.metadata().at("engine_dropped_events"), std::string("3"));
        QCOMPARE(reader.metadata().at("writer_dropped_events"), std::string("0"));
        QCOMPARE(reader.lastEventSequence(), static_cast<std::int64_t>(recorded.size()));
        const std::vector<RecordedEvent> events = readAll(reader, 97);
        QCOMPARE(events.size(), recorded.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].sequence, static_cast<std::int64_t>(i + 1));
            QVERIFY2(sameEvent(events[i].event, recorded[i]), qPrintable(QString::number(i)));
        }
        QVERIFY(!reader.snapshots(0, 1000).empty());
        const std::vector<Frame> stack = reader.stack(stackId);
        QVERIFY(!stack.empty());
        QVERIFY2(
            std::any_of(stack.begin(), stack.end(),
                        [](const Frame& frame) {
                            return frame.function.find("eventsReadBackEqualTheEventsRecorded") !=
                                   std::string::npos;
                        }),
            stack.front().toString().c_str());
        QCOMPARE(reader.leaks().size(), std::size_t{1});
        QCOMPARE(reader.leaks().front().tag, std::string("kept"));
    }

    void aScenarioRunRecordsEveryEventItObservedAndItsLeaks() {
        const std::string path = file("leak-hunt.psrec");
        RecordingWriter writer(path, {{"scenario", LeakHuntScenario::kName}});
        ScenarioRunner::Options options;
        options.poolSizeMegabytes = 64;
        options.eventSink = &writer;
        options.onAllocatorReady = [&writer](const PooledMemoryAllocator& allocator) {
            writer.setPool(allocator.sourceId(), allocator.pool().capacity(),
                           static_cast<std::int64_t>(allocator.pool().chunkBytes()));
        };
        ScenarioRunner runner(options);
        LeakHuntScenario scenario;
        const ScenarioRunReport report = runner.run(scenario, scenario.resolveParameters({}));
        std::vector<RecordedLeak> leaks;
        for (const LeakRecord& leak : report.leaks) {
            leaks.push_back({leak.id, leak.tag, leak.releasedWithoutDispose});
        }
        writer.finish(leaks, report.droppedEvents);

        const RecordingReader reader(path);
        QCOMPARE(static_cast<std::uint64_t>(reader.lastEventSequence()), report.eventsObserved);
        const std::vector<RecordedAllocation> recordedLeaks = reader.leaks();
        QCOMPARE(recordedLeaks.size(), report.leaks.size());
        for (std::size_t i = 0; i < recordedLeaks.size(); ++i) {
            QCOMPARE(recordedLeaks[i].id, report.leaks[i].id);
            QCOMPARE(recordedLeaks[i].tag, report.leaks[i].tag);
            QCOMPARE(recordedLeaks[i].bytes, report.leaks[i].bytes);
            QVERIFY(!reader.stack(recordedLeaks[i].stackId).empty());
        }
        const std::vector<RecordedSnapshot> snapshots = reader.snapshots(0, 100000);
        QVERIFY(!snapshots.empty());
        // Three cached images, one subscriber preview and one decoder buffer left on the error
        // path, one pool chunk each, at the end.
        QCOMPARE(snapshots.back().rentedChunks, 5);
    }

    void leakHuntRecording_keepsTagNamesAndImageBuffers() {
        const std::string path = file("leak-hunt-tags.psrec");
        RecordingWriter writer(path, {{"scenario", LeakHuntScenario::kName}});
        ScenarioRunner::Options options;
        options.poolSizeMegabytes = 64;
        options.eventSink = &writer;
        ScenarioRunner runner(options);
        LeakHuntScenario scenario;
        runner.run(scenario, scenario.resolveParameters({}));
        writer.finish({}, 0);

        const RecordingReader reader(path);
        std::set<std::string> names;
        for (const auto& [id, name] : reader.tagNames()) {
            QCOMPARE(MemoryDiagnostics::tagName(id), name);
            names.insert(name);
        }
        QVERIFY(names.contains(LeakHuntScenario::kForgottenCacheTag));
        QVERIFY(names.contains(LeakHuntScenario::kSubscriberTag));
        // Each image the run made is named with its size and pixel type, as it was live.
        int images = 0;
        for (const RecordedEvent& recorded : readAll(reader, 1000)) {
            if (recorded.event.kind == MemoryEventKind::ImageBufferCreated) {
                QVERIFY(recorded.event.imageWidth() > 0 && recorded.event.imageHeight() > 0);
                QCOMPARE(recorded.event.pixelType(), PixelTypeId::Rgba32);
                images += 1;
            }
        }
        QVERIFY(images > 0);
    }

    void aFullQueueDropsBatchesAndTheRecordingSaysHowMany() {
        const std::string path = file("dropping.psrec");
        RecordingWriter::Options small;
        small.queueCapacityEvents = 100;
        RecordingWriter writer(path, {}, small);
        // A batch larger than the whole queue can never fit: it is dropped whole, whatever the
        // writer thread has drained by then; the next batch that fits is kept.
        writer.consume(sampleEvents(120, 0));
        QCOMPARE(writer.droppedEvents(), std::uint64_t{120});
        writer.consume(sampleEvents(80, 0));
        QCOMPARE(writer.droppedEvents(), std::uint64_t{120});
        writer.finish({}, 0);

        const RecordingReader reader(path);
        QCOMPARE(reader.lastEventSequence(), std::int64_t{80});
        QCOMPARE(reader.metadata().at("writer_dropped_events"), std::string("120"));
    }

    void aCopyTakenMidRecordingOpensWithEveryCommittedBatch() {
        // What a crash leaves is the file and its write-ahead log as they are at that moment.
        const std::string path = file("live.psrec");
        const std::string copy = file("crashed.psrec");
        RecordingWriter::Options quick;
        quick.commitInterval = 5ms;
        RecordingWriter writer(path, {{"scenario", "live"}}, quick);
        const std::vector<MemoryEvent> events = sampleEvents(500, stackOfRecordingTest());
        writer.consume(events);
        QTRY_VERIFY(writer.committedBatches() >= 1);
        const std::uint64_t committed = writer.committedEvents();
        std::filesystem::copy_file(path, copy);
        std::filesystem::copy_file(path + "-wal", copy + "-wal");

        const RecordingReader reader(copy);
        QVERIFY(!reader.finished());
        QVERIFY(static_cast<std::uint64_t>(reader.lastEventSequence()) >= committed);
        const std::vector<RecordedEvent> read = readAll(reader, 64);
        QCOMPARE(read.size(), static_cast<std::size_t>(reader.lastEventSequence()));
        for (std::size_t i = 0; i < read.size(); ++i) {
            QVERIFY(sameEvent(read[i].event, events[i]));
            // Its stack came with it, in the same transaction.
            QVERIFY(read[i].event.stackId == 0 || !reader.stack(read[i].event.stackId).empty());
        }
        writer.finish({}, 0);
    }

    void reader_readsSchemaVersion1Recordings() {
        // Version 1 kept one named frame per address and no modules.
        const std::string path = file("version1.psrec");
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            database.execute("PRAGMA application_id=" +
                             std::to_string(RecordingSchema::kApplicationId));
            database.execute(R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, kind INTEGER NOT NULL,
    allocation_id INTEGER NOT NULL, bytes INTEGER NOT NULL, value INTEGER NOT NULL,
    value2 INTEGER NOT NULL, stack_id INTEGER NOT NULL, thread_id INTEGER NOT NULL,
    slot INTEGER NOT NULL, chunk_index INTEGER NOT NULL, chunk_count INTEGER NOT NULL,
    source_id INTEGER NOT NULL, tier INTEGER NOT NULL);
CREATE TABLE stacks (stack_id INTEGER NOT NULL, depth INTEGER NOT NULL,
    address INTEGER NOT NULL, PRIMARY KEY (stack_id, depth));
CREATE TABLE frames (address INTEGER PRIMARY KEY, function TEXT, file TEXT, line INTEGER,
    module TEXT);
INSERT INTO meta VALUES ('format', 'poolscope-recording'), ('schema_version', '1'),
    ('finished', '1');
INSERT INTO events VALUES (1, 100, 0, 1, 4096, 0, 0, 3, 1, 0, 0, 1, 1, 0);
INSERT INTO stacks VALUES (3, 0, 4096), (3, 1, 8192), (3, 2, 12288);
INSERT INTO frames VALUES (4096, 'makeThumbnail()', '/src/thumbs.cpp', 42, '/usr/bin/app'),
    (8192, 'main', '', 0, '/usr/bin/app');
)sql");
        }
        const RecordingReader reader(path);
        QCOMPARE(reader.schemaVersion(), 1);
        QVERIFY(reader.modules().empty());
        QCOMPARE(reader.events(0, 10).size(), std::size_t{1});
        const std::vector<Frame> stack = reader.stack(3);
        QCOMPARE(stack.size(), std::size_t{3});
        QCOMPARE(stack[0].toString(), std::string("makeThumbnail() (/src/thumbs.cpp:42)"));
        QCOMPARE(stack[1].toString(), std::string("main [/usr/bin/app]"));
        QCOMPARE(stack[2].toString(), std::string("0x3000"));
        QVERIFY(!stack[0].inlined);
        std::vector<std::pair<StackId, std::vector<Frame>>> every;
        reader.forEachStack([&every](StackId stackId, std::vector<Frame> frames) {
            every.emplace_back(stackId, std::move(frames));
        });
        QCOMPARE(every.size(), std::size_t{1});
        QCOMPARE(every[0].first, StackId{3});
        QVERIFY(every[0].second == stack);
    }

    void reader_forEachStack_namesEveryStackAsStackDoes() {
        const std::string path = file("every-stack.psrec");
        const StackId first = stackOfRecordingTest();
        const StackId second = captureStack();
        {
            std::vector<MemoryEvent> events(2);
            events[0].allocationId = 1;
            events[0].stackId = first;
            events[1].allocationId = 2;
            events[1].stackId = second;
            RecordingWriter writer(path, {{"scenario", "stacks"}});
            writer.consume(events);
            writer.finish({}, 0);
        }
        const RecordingReader reader(path);
        std::map<StackId, std::vector<Frame>> every;
        reader.forEachStack([&every](StackId stackId, std::vector<Frame> frames) {
            every.emplace(stackId, std::move(frames));
        });
        QCOMPARE(every.size(), std::size_t{2});
        for (const StackId stackId : {first, second}) {
            QVERIFY(!every.at(stackId).empty());
            QVERIFY(every.at(stackId) == reader.stack(stackId));
        }
    }

    void aVersion3Recording_readsItsEventsAndStacks() {
        // Made by the PoolScope before stacks were stored as a tree: its stacks table holds a
        // row a frame, and each reads back as the frames it lists.
        const std::string path = file("version-3.psrec");
        std::filesystem::copy_file(POOLSCOPE_VERSION_3_RECORDING, path);
        std::map<StackId, std::vector<std::uint64_t>> listed;
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::ReadOnly);
            SqliteDatabase::Statement rows(
                database, "SELECT stack_id, address FROM stacks ORDER BY stack_id, depth");
            while (rows.step()) {
                listed[static_cast<StackId>(rows.integer(0))].push_back(
                    static_cast<std::uint64_t>(rows.integer(1)));
            }
        }
        QVERIFY(!listed.empty());
        const RecordingReader reader(path);
        QCOMPARE(reader.schemaVersion(), 3);
        QVERIFY(reader.finished());
        QCOMPARE(static_cast<std::int64_t>(reader.events(0, 1000).size()),
                 reader.metaInteger("event_count"));
        std::map<StackId, std::vector<std::uint64_t>> read;
        reader.forEachStack([&read](StackId stackId, std::vector<Frame> frames) {
            for (const Frame& frame : frames) {
                if (!frame.inlined) {
                    read[stackId].push_back(frame.address);
                }
            }
        });
        QVERIFY(read == listed);
    }

    void aMissingFileIsNamedInTheError() {
        const std::string path = file("nowhere.psrec");
        QCOMPARE(openingError(path),
                 QString::fromStdString("cannot open " + path + ": no such file"));
    }

    void anEmptyOrTextFileIsNotARecording() {
        const std::string empty = file("empty.psrec");
        writeBytes(empty, "");
        QCOMPARE(
            openingError(empty),
            QString::fromStdString(empty + " is not a PoolScope recording: the file is empty"));
        const std::string text = file("notes.psrec");
        writeBytes(text, std::string(4096, 'x'));
        QCOMPARE(openingError(text),
                 QString::fromStdString(text + " is not a PoolScope recording: file is not a "
                                               "database"));
    }

    void anotherApplicationsDatabaseIsForeign() {
        const std::string path = file("foreign.db");
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            database.execute("CREATE TABLE contacts (name TEXT)");
            database.execute("INSERT INTO contacts VALUES ('Ada')");
        }
        QCOMPARE(openingError(path),
                 QString::fromStdString(path + " is not a PoolScope recording: it is an SQLite "
                                               "database of some other kind"));
    }

    void aNewerSchemaIsRefusedWithBothVersions() {
        const std::string path = file("newer.psrec");
        {
            RecordingWriter writer(path, {});
            writer.finish({}, 0);
        }
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            database.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'");
        }
        QCOMPARE(openingError(path),
                 QString::fromStdString(path +
                                        " was written by a newer PoolScope (schema version "
                                        "9; this one reads up to " +
                                        std::to_string(RecordingSchema::kVersion) + ")"));
    }

    void aTruncatedOrCorruptRecordingIsAnErrorNamingTheFileNeverACrash() {
        const std::string path = file("big.psrec");
        {
            RecordingWriter writer(path, {});
            writer.consume(sampleEvents(20000, 0));
            writer.finish({}, 0);
        }
        const auto size = std::filesystem::file_size(path);
        QVERIFY(size > 100'000);

        const std::string truncated = file("truncated.psrec");
        std::filesystem::copy_file(path, truncated);
        std::filesystem::resize_file(truncated, size / 2);
        const QString truncatedError = openingError(truncated);
        QVERIFY2(truncatedError.startsWith(QString::fromStdString(truncated + " is truncated or "
                                                                              "corrupt: ")),
                 qPrintable(truncatedError));

        const std::string corrupt = file("corrupt.psrec");
        std::filesystem::copy_file(path, corrupt);
        {
            std::fstream bytes(corrupt, std::ios::in | std::ios::out | std::ios::binary);
            bytes.seekp(static_cast<std::streamoff>(size / 4));
            bytes << std::string(size / 2, '\xa5');
        }
        const QString corruptError = openingError(corrupt);
        QVERIFY2(corruptError.startsWith(QString::fromStdString(corrupt + " is truncated or "
                                                                          "corrupt: ")),
                 qPrintable(corruptError));
    }

private:
    std::string file(const char* name) const { return directory_.filePath(name).toStdString(); }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(RecordingTest)
#include "RecordingTest.moc"
