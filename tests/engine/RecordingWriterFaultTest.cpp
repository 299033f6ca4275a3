#include <QtTest>

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingSchema.h"
#include "recording/RecordingTarget.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

#include "RecordingTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

// What a recording does to the files around it and what it keeps when its database, its
// process or another writer gets in the way (issue 13, cases 3 to 6).
namespace {

// The error a writer at `path` is refused with; empty when it is not.
QString refusal(const std::string& path, RecordingWriter::Options options = {}) {
    try {
        RecordingWriter writer(path, {}, options);
        writer.finish({}, 0);
    } catch (const RecordingError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

void writeRecording(const std::string& path, const std::string& scenario, std::size_t events,
                    RecordingWriter::Options options = {}) {
    RecordingWriter writer(path, {{"scenario", scenario}}, options);
    writer.consume(sampleEvents(events, 0));
    writer.finish({}, 0);
}

std::string fileText(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::int64_t integerOf(SqliteDatabase& database, const std::string& sql) {
    SqliteDatabase::Statement query(database, sql);
    return query.step() ? query.integer(0) : -1;
}

// The events a copy of the recording's file alone, without its log, holds; -1 while the copy
// cannot be opened (the copy may catch a checkpoint halfway).
std::int64_t eventsInTheFileAlone(const std::string& path, const std::string& copy) {
    std::error_code error;
    std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing,
                               error);
    try {
        return RecordingReader(copy).lastEventSequence();
    } catch (const RecordingError&) {
        return -1;
    }
}

}  // namespace

class RecordingWriterFaultTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void writer_refusesATextFileAndLeavesItAsItWas() {
        const std::string path = file("notes.txt");
        const std::string text(8192, 'n');
        std::ofstream(path, std::ios::binary) << text;

        for (const bool replace : {false, true}) {
            RecordingWriter::Options options;
            options.replaceExisting = replace;
            const QString error = refusal(path, options);
            QCOMPARE(error, QString::fromStdString("refusing to record to " + path +
                                                   ": it holds a file of 8192 bytes that is not "
                                                   "an SQLite database, not a PoolScope "
                                                   "recording"));
        }
        QCOMPARE(fileText(path), text);
    }

    void writer_refusesAnotherApplicationsDatabaseAndLeavesItsTables() {
        const std::string path = file("o.db");
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
            database.execute("CREATE TABLE t (a)");
            database.execute("INSERT INTO t VALUES (42)");
        }
        RecordingWriter::Options replacing;
        replacing.replaceExisting = true;
        QCOMPARE(refusal(path, replacing),
                 QString::fromStdString("refusing to record to " + path +
                                        ": it holds an SQLite database of some other kind, not "
                                        "a PoolScope recording"));
        SqliteDatabase database(path, SqliteDatabase::Mode::ReadOnly);
        QCOMPARE(integerOf(database, "SELECT a FROM t"), std::int64_t{42});
    }

    void writer_refusesADirectory() {
        const std::string path = file("folder");
        std::filesystem::create_directory(path);
        QVERIFY(refusal(path).contains(QStringLiteral("it holds a directory")));
        QVERIFY(std::filesystem::is_directory(path));
    }

    void writer_takesAnEmptyFile() {
        const std::string path = file("made-by-mktemp");
        std::ofstream(path, std::ios::binary).close();
        writeRecording(path, "into-empty", 10);
        QCOMPARE(RecordingReader(path).lastEventSequence(), std::int64_t{10});
    }

    void writer_refusesAnExistingRecordingUnlessAskedToReplaceIt() {
        const std::string path = file("run.psrec");
        writeRecording(path, "first", 40);
        try {
            RecordingWriter writer(path, {{"scenario", "second"}});
            QFAIL("a second recording replaced the first without being asked");
        } catch (const RecordingExistsError& error) {
            QCOMPARE(QString::fromUtf8(error.what()),
                     QString::fromStdString("refusing to record to " + path +
                                            ": it holds a PoolScope recording already"));
        }
        QCOMPARE(RecordingReader(path).metadata().at("scenario"), std::string("first"));
        QCOMPARE(RecordingReader(path).lastEventSequence(), std::int64_t{40});
    }

    void writer_replacingARecording_keepsTheOldOneWholeUntilTheNewOneIsFinished() {
        const std::string path = file("replaced.psrec");
        const std::string partial = path + RecordingTarget::kPartialSuffix;
        writeRecording(path, "first", 40);

        RecordingWriter::Options replacing;
        replacing.replaceExisting = true;
        replacing.commitInterval = 5ms;
        RecordingWriter writer(path, {{"scenario", "second"}}, replacing);
        writer.consume(sampleEvents(70, 0));
        QTRY_COMPARE(writer.committedEvents(), std::uint64_t{70});
        // What a kill now would leave: the old recording whole, the new one beside it.
        QCOMPARE(RecordingReader(path).metadata().at("scenario"), std::string("first"));
        QCOMPARE(RecordingReader(path).lastEventSequence(), std::int64_t{40});
        QCOMPARE(RecordingReader(partial).metadata().at("scenario"), std::string("second"));

        writer.finish({}, 0);
        const RecordingReader reader(path);
        QCOMPARE(reader.metadata().at("scenario"), std::string("second"));
        QCOMPARE(reader.lastEventSequence(), std::int64_t{70});
        QVERIFY(reader.finished());
        QVERIFY(!std::filesystem::exists(partial));
        QVERIFY(!std::filesystem::exists(partial + "-wal"));
    }

    void writer_secondWriterToTheSamePathIsRefusedWhileTheFirstHoldsIt() {
        const std::string path = file("shared.psrec");
        RecordingWriter first(path, {{"scenario", "first"}});
        first.consume(sampleEvents(300, 0));

        RecordingWriter::Options replacing;
        replacing.replaceExisting = true;
        const QString error = refusal(path, replacing);
        QCOMPARE(error, QString::fromStdString("cannot record to " + path +
                                               ": another run is recording to it (it holds " +
                                               path + RecordingTarget::kLockSuffix + ")"));

        first.consume(sampleEvents(200, 0));
        first.finish({}, 0);
        const RecordingReader reader(path);
        QVERIFY(reader.finished());
        QCOMPARE(reader.metadata().at("scenario"), std::string("first"));
        QCOMPARE(readAll(reader, 1000).size(), std::size_t{500});
        // The lock goes with the writer that held it.
        QVERIFY(!std::filesystem::exists(path + RecordingTarget::kLockSuffix));
        writeRecording(path, "after", 5, replacing);
        QCOMPARE(RecordingReader(path).metadata().at("scenario"), std::string("after"));
    }

    void writer_busyDatabase_dropsAndCountsEveryEventItCouldNotCommit() {
        const std::string path = file("busy.psrec");
        RecordingWriter::Options options;
        options.commitInterval = 5ms;
        options.busyTimeout = 50ms;
        std::vector<std::string> failures;
        options.onWriteFailure = [&failures](const std::string& error) {
            failures.push_back(error);
        };
        RecordingWriter writer(path, {{"scenario", "busy"}}, options);
        const std::vector<MemoryEvent> events = sampleEvents(600, 0);
        writer.consume(std::span(events).first(100));
        QTRY_COMPARE(writer.committedEvents(), std::uint64_t{100});

        {
            // Another connection holds the write lock for longer than the writer waits.
            SqliteDatabase other(path, SqliteDatabase::Mode::CreateNew);
            other.execute("BEGIN IMMEDIATE");
            writer.consume(std::span(events).subspan(100, 200));
            QTRY_COMPARE(writer.unwrittenEvents(), std::uint64_t{200});
            writer.consume(std::span(events).subspan(300, 100));
            QTRY_COMPARE(writer.unwrittenEvents(), std::uint64_t{300});
            other.execute("COMMIT");
        }
        writer.consume(std::span(events).subspan(400, 200));
        QTRY_COMPARE(writer.committedEvents(), std::uint64_t{300});
        QCOMPARE(writer.droppedEvents(), std::uint64_t{300});
        // Said once when the writing stopped, not once per batch.
        QCOMPARE(failures.size(), std::size_t{1});
        QVERIFY2(failures.front().find("database is locked") != std::string::npos,
                 failures.front().c_str());

        QVERIFY_THROWS_EXCEPTION(RecordingError, writer.finish({}, 0));
        const RecordingReader reader(path);
        QVERIFY(reader.finished());
        const std::vector<RecordedEvent> read = readAll(reader, 1000);
        QCOMPARE(read.size(), std::size_t{300});
        QCOMPARE(reader.lastEventSequence(), std::int64_t{300});
        // What was dropped is exactly what the file lacks, and the file says why.
        QCOMPARE(reader.metadata().at("writer_dropped_events"),
                 std::to_string(events.size() - read.size()));
        const std::string reason = reader.metadata().at("writer_dropped_reason");
        QVERIFY2(reason.find("300 events: could not be committed") != std::string::npos &&
                     reason.find("database is locked") != std::string::npos,
                 reason.c_str());
        for (std::size_t i = 0; i < 100; ++i) {
            QVERIFY(sameEvent(read[i].event, events[i]));
        }
        for (std::size_t i = 100; i < read.size(); ++i) {
            QVERIFY(sameEvent(read[i].event, events[i + 300]));
        }
    }

    void writer_fileAloneWithoutItsLog_holdsTheCommittedBatches() {
        const std::string path = file("live.psrec");
        const std::string copy = file("main-file-only.psrec");
        RecordingWriter::Options options;
        options.commitInterval = 5ms;
        options.checkpointInterval = 0ms;
        RecordingWriter writer(path, {{"scenario", "checkpointed"}}, options);
        const std::vector<MemoryEvent> events = sampleEvents(500, 0);
        writer.consume(events);
        QTRY_COMPARE(eventsInTheFileAlone(path, copy), std::int64_t{500});

        const RecordingReader reader(copy);
        QVERIFY(!reader.finished());
        QCOMPARE(reader.metadata().at("scenario"), std::string("checkpointed"));
        const std::vector<RecordedEvent> read = readAll(reader, 64);
        QCOMPARE(read.size(), events.size());
        for (std::size_t i = 0; i < read.size(); ++i) {
            QVERIFY(sameEvent(read[i].event, events[i]));
        }
        writer.finish({}, 0);
    }

    void writer_blocksFollowOnWithoutGap_andTheLeftBehindGetWhatTheirEventsSay() {
        const std::string path = file("allocations.psrec");
        RecordingWriter::Options options;
        options.commitInterval = 5ms;
        options.blockInterval = 5ms;
        options.eventsPerBlock = 64;
        RecordingWriter writer(path, {}, options);
        std::vector<MemoryEvent> events = sampleEvents(400, 0);
        for (std::size_t i = 0; i < events.size(); ++i) {
            // Each allocation's events span blocks; those with an odd id are rented six times
            // and given back five, so that they are left behind.
            events[i].allocationId = 1 + i % 37;
            events[i].bytes = 1000 + i;
            events[i].tier = i % 5 == 0 ? MemoryTier::Unpooled : MemoryTier::Pooled;
            events[i].stackId = static_cast<StackId>(i % 3 == 0 ? 0 : 100 + i);
            events[i].threadId = static_cast<std::uint32_t>(50 + (i * 7) % 11);
        }
        for (std::size_t start = 0; start < events.size(); start += 100) {
            writer.consume(std::span(events).subspan(start, 100));
            QTRY_COMPARE(writer.committedEvents(), std::uint64_t{start + 100});
        }
        {
            // Before the end, as a reader of a run cut short sees it: blocks of at most 64
            // events numbered on without a gap, and no allocation marked yet.
            SqliteDatabase database(path, SqliteDatabase::Mode::ReadOnly);
            QCOMPARE(integerOf(database, "SELECT COUNT(*) FROM allocations"), std::int64_t{0});
            QCOMPARE(integerOf(database, "SELECT MAX(event_count) FROM event_blocks"),
                     std::int64_t{64});
            QCOMPARE(integerOf(database, "SELECT SUM(event_count) FROM event_blocks"),
                     std::int64_t{400});
            QCOMPARE(integerOf(database,
                               "SELECT COUNT(*) FROM event_blocks b WHERE first_seq != 1 AND NOT "
                               "EXISTS (SELECT 1 FROM event_blocks p WHERE p.last_seq = "
                               "b.first_seq - 1)"),
                     std::int64_t{0});
        }
        writer.finish({{5, "five", false}, {13, "thirteen", true}, {999, "no events", false}}, 0);

        std::map<AllocationId, AllocationFigures> expected;
        for (const MemoryEvent& event : events) {
            if (event.allocationId == 5 || event.allocationId == 13) {
                expected[event.allocationId].add(event);
            }
        }
        QVERIFY(expected.at(5).leftBehind());
        SqliteDatabase database(path, SqliteDatabase::Mode::ReadOnly);
        SqliteDatabase::Statement rows(
            database,
            "SELECT allocation_id, first_ns, last_ns, bytes, tier, stack_id, thread_id, tag, "
            "leak FROM allocations ORDER BY allocation_id");
        for (const auto& [id, figures] : expected) {
            QVERIFY(rows.step());
            QCOMPARE(rows.integer(0), static_cast<std::int64_t>(id));
            QCOMPARE(rows.integer(1), figures.firstNs);
            QCOMPARE(rows.integer(2), figures.lastNs);
            QCOMPARE(rows.integer(3), static_cast<std::int64_t>(figures.bytes));
            QCOMPARE(rows.integer(4), std::int64_t{figures.tier});
            QCOMPARE(rows.integer(5), std::int64_t{figures.stackId});
            QCOMPARE(rows.integer(6), std::int64_t{figures.threadId});
            QCOMPARE(rows.text(7), std::string(id == 5 ? "five" : "thirteen"));
            QCOMPARE(rows.text(8),
                     std::string(id == 5 ? "live-at-end" : "released-without-dispose"));
        }
        QVERIFY(!rows.step());  // 999: no event names it
        QCOMPARE(RecordingReader(path).leaks().size(), std::size_t{2});
    }

private:
    std::string file(const char* name) const { return directory_.filePath(name).toStdString(); }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(RecordingWriterFaultTest)
#include "RecordingWriterFaultTest.moc"
