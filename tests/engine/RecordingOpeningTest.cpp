#include <QtTest>

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <string>

#include "RecordingTestSupport.h"
#include "diagnostics/StackTable.h"
#include "recording/RecordingChecks.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingSchema.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

using namespace poolscope;
using namespace poolscope::testing;
using namespace std::chrono_literals;

// What opening a recording checks before anything of it is shown: each damaged file is
// refused with a message that names the file and says what is wrong with it.
class RecordingOpeningTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void truncatedRecording_namesItsSizeAndTheLeastARecordingIs() {
        const std::string recording = finishedRecording("whole.psrec");
        const std::string oneByte = file("one-byte.psrec");
        std::filesystem::copy_file(recording, oneByte);
        std::filesystem::resize_file(oneByte, 1);
        QCOMPARE(openingError(oneByte),
                 QString::fromStdString(oneByte + " is truncated: 1 byte, a recording is at least "
                                                  "512 bytes (one page of its database)"));
        const std::string fiftyBytes = file("fifty-bytes.psrec");
        std::filesystem::copy_file(recording, fiftyBytes);
        std::filesystem::resize_file(fiftyBytes, 50);
        QCOMPARE(openingError(fiftyBytes),
                 QString::fromStdString(fiftyBytes +
                                        " is truncated: 50 bytes, a recording is at least " +
                                        std::to_string(RecordingSchema::kPageBytes) +
                                        " bytes (one page of its database)"));
    }

    void headerVersion_disagreeingWithTheMeta_isRefused() {
        // A schema 1 recording whose header claims version 2, and version 2 recordings whose
        // header claims 1 or a version no PoolScope wrote.
        const std::string older = finishedRecording("older.psrec");
        change(older,
               "UPDATE meta SET value = '1' WHERE key = 'schema_version'; "
               "PRAGMA user_version = 2");
        QCOMPARE(openingError(older), wrongVersion(older, 2, 1));
        for (const int claimed : {1, RecordingSchema::kVersion + 1}) {
            const std::string path = finishedRecording("claims.psrec");
            change(path, "PRAGMA user_version = " + std::to_string(claimed));
            QCOMPARE(openingError(path), wrongVersion(path, claimed, RecordingSchema::kVersion));
            std::filesystem::remove(path);
        }
    }

    void salvagedCopy_withoutHeaderFields_opensByItsMetaTable() {
        // What sqlite3's .dump or .recover makes of a recording: the tables, not the header.
        const std::string path = finishedRecording("salvaged.psrec");
        change(path, "PRAGMA application_id = 0; PRAGMA user_version = 0");
        QCOMPARE(openingError(path), QString());
        QCOMPARE(RecordingReader(path).schemaVersion(), RecordingSchema::kVersion);
    }

    void symbolicLinkLoop_isNamedAsALoopNotAMissingFile() {
        const std::string first = file("first.psrec");
        const std::string second = file("second.psrec");
        std::filesystem::create_symlink(second, first);
        std::filesystem::create_symlink(first, second);
        QCOMPARE(openingError(first),
                 QString::fromStdString("cannot open " + first +
                                        ": symbolic link loop (its links lead back to one "
                                        "another)"));
        const std::string dangling = file("dangling.psrec");
        std::filesystem::create_symlink(file("gone.psrec"), dangling);
        QCOMPARE(openingError(dangling),
                 QString::fromStdString("cannot open " + dangling + ": it is a symbolic link to " +
                                        file("gone.psrec") + ", which does not exist"));
    }

    void killedRecording_copiedWithoutItsLog_saysTheLogIsMissing() {
        // The writer copies its log into the file right after making its tables, so a run
        // killed later leaves a file that holds all but its last moments (RecordingWriterFault
        // Test). A run killed before that first checkpoint, or a recording of an earlier
        // version, leaves its tables in the log alone: that file copied without its log is
        // a recording header with nothing in it, and says so.
        const std::string path = file("running.psrec");
        const std::string copy = file("copied.psrec");
        SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
        database.execute("PRAGMA journal_mode=WAL");
        database.execute("PRAGMA wal_autocheckpoint=0");
        database.execute("PRAGMA application_id=" +
                         std::to_string(RecordingSchema::kApplicationId));
        database.execute("PRAGMA user_version=" + std::to_string(RecordingSchema::kVersion));
        database.execute(RecordingSchema::createStatements());
        database.execute("INSERT INTO meta (key, value) VALUES ('format', '" +
                         std::string(RecordingSchema::kFormat) + "'), ('schema_version', '" +
                         std::to_string(RecordingSchema::kVersion) + "')");
        std::filesystem::copy_file(path, copy);
        QCOMPARE(openingError(copy),
                 QString::fromStdString(RecordingChecks::missingLogMessage(copy)));
        QVERIFY(openingError(copy).contains("write-ahead log"));
    }

    void damagedPage_failsTheIntegrityCheckWhenOpening() {
        const std::string path = finishedRecording("damaged.psrec");
        damagePage(path);
        const QString error = openingError(path);
        QVERIFY2(error.startsWith(integrityCheckFound(path)), qPrintable(error));
    }

    void damagedPage_ofARecordingOpenedBefore_failsTheCheckWhenOpenedAgain() {
        // Its check passed once, which an unchanged file is not checked again for: a change in
        // place is still found.
        const std::string path = finishedRecording("opened-before.psrec");
        std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - 1h);
        QCOMPARE(openingError(path), QString());
        QCOMPARE(openingError(path), QString());
        damagePage(path);
        const QString error = openingError(path);
        QVERIFY2(error.startsWith(integrityCheckFound(path)), qPrintable(error));
    }

    void garbledEventBlock_isRefusedNamingTheFileAndTheBlock() {
        // A byte of the second block's compressed events changed on disk: its checksum fails,
        // so that no garbled event (a return turned into a rent) is ever shown.
        const std::string path = finishedRecording("garbled.psrec");
        change(path,
               "UPDATE event_blocks SET data = substr(data, 1, 20) || "
               "(CASE WHEN substr(data, 21, 1) = X'00' THEN X'01' ELSE X'00' END) || "
               "substr(data, 22) WHERE first_seq = 101");
        const QString error = openingError(path);
        QVERIFY2(error.startsWith(
                     QString::fromStdString(path + " is corrupt: its event block from event 101 ")),
                 qPrintable(error));
    }

    void garbledStackBlock_isRefusedNamingTheFileAndTheBlock() {
        // No stack of a damaged tree is shown: a stack with another's frames would send a
        // person to the wrong code.
        const std::string path = recordingWithStacks("garbled-stacks.psrec");
        change(path,
               "UPDATE stack_blocks SET data = substr(data, 1, 12) || "
               "(CASE WHEN substr(data, 13, 1) = X'00' THEN X'01' ELSE X'00' END) || "
               "substr(data, 14) WHERE block = 1");
        const QString error = openingError(path);
        QVERIFY2(error.startsWith(QString::fromStdString(path + " is corrupt: its stack block 1 ")),
                 qPrintable(error));
    }

    void missingStackBlock_isRefusedNamingIt() {
        // The blocks after a missing one hang their stacks from nodes it held.
        const std::string path = recordingWithStacks("missing-stacks.psrec");
        change(path, "UPDATE stack_blocks SET block = block + 1");
        QCOMPARE(openingError(path),
                 QString::fromStdString(path + " is corrupt: its stack block 1 is missing (the "
                                               "next is 2)"));
    }

    void recordedStacks_readBackAsCaptured() {
        const std::string path = recordingWithStacks("stacks.psrec");
        const RecordingReader reader(path);
        QCOMPARE(reader.schemaVersion(), RecordingSchema::kVersion);
        for (const StackId stackId : {stackA_, stackB_}) {
            const std::vector<Frame> frames = reader.stack(stackId);
            const std::vector<std::uintptr_t> captured = StackTable::instance().frames(stackId);
            QVERIFY(!captured.empty());
            std::vector<std::uintptr_t> read;
            for (const Frame& frame : frames) {
                if (!frame.inlined) {
                    read.push_back(static_cast<std::uintptr_t>(frame.address));
                }
            }
            QVERIFY(read == captured);
        }
    }

    void leakFiguresTheEventsDoNotBear_areRefused() {
        // Allocation 3 rented 16384 bytes and was kept to the end.
        const std::string path = leakyRecording("figures.psrec");
        change(path, "UPDATE allocations SET bytes = 8192 WHERE allocation_id = 3");
        QCOMPARE(openingError(path),
                 QString::fromStdString(
                     path + " is corrupt: its allocations table disagrees with its events (its "
                            "events: allocation 3 of 16384 bytes, 1028 to 1028 ns, tier 1, stack "
                            "0, thread 4242; its table: allocation 3 of 8192 bytes, 1028 to "
                            "1028 ns, tier 1, stack 0, thread 4242)"));
    }

    void leaksTheEventsDoNotLeave_areRefused() {
        // Allocation 3 marked as left behind, with the figures its events give it, though its
        // events gave it back.
        const std::string path = finishedRecording("marked.psrec");
        change(path,
               "INSERT INTO allocations (allocation_id, first_ns, last_ns, bytes, tier, stack_id, "
               "thread_id, tag, leak) VALUES (3, 1028, 1035, 16384, 1, 0, 4242, '', "
               "'live-at-end')");
        const QString error = openingError(path);
        QCOMPARE(error, QString::fromStdString(path + " is corrupt: its allocations table marks 1 "
                                                      "allocation (16384 bytes) as left behind "
                                                      "that its events gave back, first "
                                                      "allocation 3"));
    }

    void lostEvents_disagreeWithTheCountAndAreRefused() {
        const std::string path = finishedRecording("lost.psrec");
        change(path, "DELETE FROM event_blocks WHERE first_seq = 101");
        QCOMPARE(openingError(path),
                 QString::fromStdString(path + " is corrupt: its meta table counts 400 events, "
                                               "its event blocks hold 300 numbered up to 400, "
                                               "not one after another"));
    }

    void leftBehindAllocations_thatTheEventsAgreeWith_open() {
        // The allocations a run really left: their returns never came.
        const std::string path = file("leaky.psrec");
        {
            RecordingWriter writer(path, {});
            std::vector<MemoryEvent> events = sampleEvents(400, 0);
            events.erase(events.begin() + 5);  // allocation 3's return
            writer.consume(events);
            writer.finish({{3, "kept", false}}, 0);
        }
        QCOMPARE(openingError(path), QString());
        QCOMPARE(RecordingReader(path).leaks().size(), std::size_t{1});
    }

private:
    static QString integrityCheckFound(const std::string& path) {
        return QString::fromStdString(path +
                                      " is truncated or corrupt: SQLite's integrity check found: ");
    }

    // A page the opening itself does not read, damaged: only the integrity check sees it.
    static void damagePage(const std::string& path) {
        std::int64_t page = 0;
        {
            SqliteDatabase database(path, SqliteDatabase::Mode::ReadOnly);
            SqliteDatabase::Statement query(database,
                                            "SELECT rootpage FROM sqlite_master WHERE name = "
                                            "'event_kinds'");
            QVERIFY(query.step());
            page = query.integer(0);
        }
        QVERIFY(page > 1);
        std::fstream bytes(path, std::ios::in | std::ios::out | std::ios::binary);
        // Where the page's cells begin (bytes 5 and 6 of its header), moved: the page still
        // opens, and the integrity check finds its space miscounted.
        bytes.seekp(static_cast<std::streamoff>((page - 1) * RecordingSchema::kPageBytes + 5));
        bytes.put('\x00');
    }

    std::string file(const char* name) const { return directory_.filePath(name).toStdString(); }

    // A finished recording of 400 events, in blocks of 100, whose 200 allocations were all
    // given back.
    std::string finishedRecording(const char* name) const {
        const std::string path = file(name);
        RecordingWriter writer(path, {{"scenario", "sample"}}, inBlocksOf100());
        writer.consume(sampleEvents(400, 0));
        writer.finish({}, 0);
        return path;
    }

    // The same, but allocation 3's return never came, and it is marked as left behind.
    std::string leakyRecording(const char* name) const {
        const std::string path = file(name);
        RecordingWriter writer(path, {{"scenario", "sample"}}, inBlocksOf100());
        std::vector<MemoryEvent> events = sampleEvents(400, 0);
        events.erase(events.begin() + 5);
        writer.consume(events);
        writer.finish({{3, "kept", false}}, 0);
        return path;
    }

    // Two stacks that share their outer frames, each committed with its own block of events.
    std::string recordingWithStacks(const char* name) {
        stackA_ = captureStack();
        stackB_ = captureStack(1);
        const std::string path = file(name);
        RecordingWriter writer(path, {{"scenario", "sample"}}, inBlocksOf100());
        std::vector<MemoryEvent> events = sampleEvents(200, stackA_);
        const std::vector<MemoryEvent> more = sampleEvents(200, stackB_);
        events.insert(events.end(), more.begin(), more.end());
        for (std::size_t i = 0; i < events.size(); ++i) {
            events[i].allocationId = i / 2 + 1;
        }
        writer.consume(events);
        writer.finish({}, 0);
        return path;
    }

    static RecordingWriter::Options inBlocksOf100() {
        RecordingWriter::Options options;
        options.eventsPerBlock = 100;
        return options;
    }

    static void change(const std::string& path, const std::string& sql) {
        SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
        database.execute(sql);
    }

    static QString wrongVersion(const std::string& path, int header, int meta) {
        return QString::fromStdString(
            path + " has the wrong version: its SQLite header says " + "schema version " +
            std::to_string(header) + " (user_version), its meta table says " +
            std::to_string(meta) + "; a recording is written with both the same");
    }

    QTemporaryDir directory_;
    StackId stackA_ = 0;
    StackId stackB_ = 0;
};

QTEST_GUILESS_MAIN(RecordingOpeningTest)
#include "RecordingOpeningTest.moc"
