#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <filesystem>
#include <string>

#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/SqliteDatabase.h"
#include "session/RecordedRunSummary.h"

#include "PoolscopeProcess.h"

// `poolscope run --record` under faults, end to end (issue 13, cases 3 to 6 and 11): the files
// it must not destroy, a second run on the same path, a locked database, signals and kills.
namespace {

constexpr int kWaitMilliseconds = 60'000;

// A stress run long enough to be stopped from outside, recording to `recording`.
QStringList endlessStress(const QString& recording) {
    return {QStringLiteral("run"),      QStringLiteral("stress"),
            QStringLiteral("-p"),       QStringLiteral("threads=2"),
            QStringLiteral("-p"),       QStringLiteral("operations=100000000"),
            QStringLiteral("--record"), recording};
}

void start(QProcess& process, const QStringList& arguments) {
    process.setProcessEnvironment(withoutAnyDisplay());
    process.start(QStringLiteral(POOLSCOPE_BINARY), arguments);
}

// Events the recording at `path` has committed, read as another process would; 0 while
// there are none or it cannot be read yet.
std::int64_t committedEvents(const QString& path) {
    try {
        poolscope::SqliteDatabase database(path.toStdString(),
                                           poolscope::SqliteDatabase::Mode::ReadOnly);
        poolscope::SqliteDatabase::Statement count(
            database, "SELECT COALESCE(SUM(event_count), 0) FROM event_blocks");
        return count.step() ? count.integer(0) : 0;
    } catch (const poolscope::RecordingError&) {
        return 0;
    }
}

// The events a copy of the file alone, without its write-ahead log, holds; -1 while it
// cannot be opened as a recording (a copy may also catch a checkpoint halfway).
std::int64_t eventsInTheFileAlone(const QString& path, const QString& copy) {
    QFile::remove(copy);
    if (!QFile::copy(path, copy)) {
        return -1;
    }
    try {
        return poolscope::RecordingReader(copy.toStdString()).lastEventSequence();
    } catch (const poolscope::RecordingError&) {
        return -1;
    }
}

// Whether some stack of the recording's first events is named down to a function.
bool namesAStack(const poolscope::RecordingReader& reader) {
    for (const poolscope::RecordedEvent& recorded : reader.events(0, 10'000)) {
        if (recorded.event.stackId == 0) {
            continue;
        }
        for (const poolscope::Frame& frame : reader.stack(recorded.event.stackId)) {
            if (!frame.function.empty()) {
                return true;
            }
        }
    }
    return false;
}

// Functions the recording at `path` has named in its frames table so far.
std::int64_t namedFrames(const QString& path) {
    try {
        poolscope::SqliteDatabase database(path.toStdString(),
                                           poolscope::SqliteDatabase::Mode::ReadOnly);
        poolscope::SqliteDatabase::Statement count(
            database, "SELECT COUNT(*) FROM frames WHERE function != ''");
        return count.step() ? count.integer(0) : 0;
    } catch (const poolscope::RecordingError&) {
        return 0;
    }
}

// Copies the file alone until a copy opens (with `named`, one that holds events and named
// frames too), judging each copy once, and whether one did within the wait. QTRY_VERIFY would
// copy once more after the copy that passed, and that copy, made while a checkpoint writes into
// the file, can be torn.
bool aCopyOfTheFileAloneOpens(const QString& path, const QString& copy, bool named) {
    QDeadlineTimer deadline(kWaitMilliseconds);
    do {
        const std::int64_t events = eventsInTheFileAlone(path, copy);
        if (events >= 0 && (!named || (events > 0 && namedFrames(copy) > 0))) {
            return true;
        }
        QTest::qWait(50);
    } while (!deadline.hasExpired());
    return false;
}

QString fileText(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

}  // namespace

class RunRecordingFaultTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void record_refusesATextFileOrAnotherDatabase_evenWithForce() {
        const QString notes = path("notes.txt");
        QFile text(notes);
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("my notes\n");
        text.close();
        const QString database = path("o.db");
        {
            poolscope::SqliteDatabase other(database.toStdString(),
                                            poolscope::SqliteDatabase::Mode::CreateNew);
            other.execute("CREATE TABLE t (a)");
        }
        for (const QString& file : {notes, database}) {
            for (const bool force : {false, true}) {
                QStringList arguments{QStringLiteral("run"),      QStringLiteral("default"),
                                      QStringLiteral("--param"),  QStringLiteral("iterations=3"),
                                      QStringLiteral("--record"), file};
                if (force) {
                    arguments << QStringLiteral("--force");
                }
                const Finished run = runHeadless(arguments);
                QCOMPARE(run.exitCode, 1);
                QVERIFY2(run.err.contains(QStringLiteral("refusing to record to ") + file +
                                          QStringLiteral(": it holds ")),
                         qPrintable(run.err));
            }
        }
        QCOMPARE(fileText(notes), QStringLiteral("my notes\n"));
        poolscope::SqliteDatabase other(database.toStdString(),
                                        poolscope::SqliteDatabase::Mode::ReadOnly);
        poolscope::SqliteDatabase::Statement query(other, "SELECT COUNT(*) FROM t");
        QVERIFY(query.step());
    }

    void record_replacesARecordingOnlyWithForce() {
        const QString recording = path("again.psrec");
        const QStringList arguments{QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                    QStringLiteral("--record"), recording};
        Finished run = runHeadless(arguments);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const std::string startedAt =
            poolscope::RecordingReader(recording.toStdString()).metadata().at("started_at");

        run = runHeadless(arguments);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(recording + QStringLiteral(": it holds a PoolScope recording "
                                                             "already; --force replaces it")),
                 qPrintable(run.err));
        QCOMPARE(poolscope::RecordingReader(recording.toStdString()).metadata().at("started_at"),
                 startedAt);

        run = runHeadless(arguments + QStringList{QStringLiteral("--force")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const poolscope::RecordingReader replaced(recording.toStdString());
        QVERIFY(replaced.finished());
        QVERIFY(replaced.metadata().at("started_at") != startedAt);
        QVERIFY(!QFile::exists(recording + QStringLiteral(".partial")));
    }

    void record_secondRunOnTheSamePathIsRefusedAndTheFirstRecordingIsComplete() {
        const QString recording = path("shared.psrec");
        const QString report = path("shared.json");
        QProcess first;
        start(first, endlessStress(recording) + QStringList{QStringLiteral("--report"), report});
        QVERIFY(first.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(committedEvents(recording) > 0, kWaitMilliseconds);

        // Even asked to replace, the second run leaves the first one's file alone.
        const Finished second =
            runHeadless(endlessStress(recording) + QStringList{QStringLiteral("--force")});
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains(QStringLiteral("cannot record to ") + recording +
                                     QStringLiteral(": another run is recording to it")),
                 qPrintable(second.err));

        ::kill(static_cast<pid_t>(first.processId()), SIGINT);
        QVERIFY(first.waitForFinished(kWaitMilliseconds));
        QCOMPARE(first.exitCode(), 130);
        const poolscope::RecordingReader reader(recording.toStdString());
        QVERIFY(reader.finished());
        const QJsonObject json = readJson(report);
        QCOMPARE(
            reader.lastEventSequence() + json[QStringLiteral("recordingDroppedEvents")].toInteger(),
            json[QStringLiteral("eventsObserved")].toInteger());
    }

    void record_lockedLongerThanTheWriterWaits_countsWhatItDroppedAndExitsFour() {
        const QString recording = path("locked.psrec");
        const QString report = path("locked.json");
        QProcess run;
        // Bursts of events with idle time between them: the run goes on after the lock.
        start(
            run,
            {QStringLiteral("run"), QStringLiteral("periodic-bursts"), QStringLiteral("-p"),
             QStringLiteral("bursts=3"), QStringLiteral("-p"), QStringLiteral("images-per-burst=2"),
             QStringLiteral("-p"), QStringLiteral("width=1024"), QStringLiteral("-p"),
             QStringLiteral("height=1024"), QStringLiteral("-p"), QStringLiteral("idle-ms=3000"),
             QStringLiteral("--record"), recording, QStringLiteral("--report"), report});
        QVERIFY(run.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(committedEvents(recording) > 0, kWaitMilliseconds);
        QString errors;
        {
            // Another connection holds the write lock until the run says it is losing events.
            poolscope::SqliteDatabase other(recording.toStdString(),
                                            poolscope::SqliteDatabase::Mode::CreateNew);
            other.execute("BEGIN IMMEDIATE");
            QTRY_VERIFY_WITH_TIMEOUT(
                (errors += QString::fromLocal8Bit(run.readAllStandardError()))
                    .contains(QStringLiteral("the recording cannot be written")),
                kWaitMilliseconds);
            other.execute("COMMIT");
        }
        QVERIFY(run.waitForFinished(kWaitMilliseconds));
        errors += QString::fromLocal8Bit(run.readAllStandardError());
        QVERIFY2(run.exitCode() == 4, qPrintable(errors));

        const QJsonObject json = readJson(report);
        QVERIFY2(
            json[QStringLiteral("error")].toString().contains(QStringLiteral("database is locked")),
            qPrintable(json[QStringLiteral("error")].toString()));
        const qint64 dropped = json[QStringLiteral("recordingDroppedEvents")].toInteger();
        QVERIFY(dropped > 0);
        const poolscope::RecordingReader reader(recording.toStdString());
        QVERIFY(reader.finished());
        QCOMPARE(reader.metadata().at("writer_dropped_events"), std::to_string(dropped));
        QVERIFY(reader.metadata().at("writer_dropped_reason").find("database is locked") !=
                std::string::npos);
        // The dropped events are exactly those the file lacks.
        QCOMPARE(reader.lastEventSequence() + dropped,
                 json[QStringLiteral("eventsObserved")].toInteger());
    }

    void interruptOrTerminate_finishesTheRecordingAndTheReportAndExits130() {
        for (const int signal : {SIGINT, SIGTERM}) {
            const QString recording = path("cancelled-%1.psrec", signal);
            const QString report = path("cancelled-%1.json", signal);
            QProcess run;
            start(run, endlessStress(recording) + QStringList{QStringLiteral("--report"), report});
            QVERIFY(run.waitForStarted());
            QTRY_VERIFY_WITH_TIMEOUT(committedEvents(recording) > 0, kWaitMilliseconds);
            ::kill(static_cast<pid_t>(run.processId()), signal);
            QVERIFY(run.waitForFinished(kWaitMilliseconds));
            QCOMPARE(run.exitStatus(), QProcess::NormalExit);
            QCOMPARE(run.exitCode(), 130);

            const QJsonObject json = readJson(report);
            QCOMPARE(json[QStringLiteral("cancelled")].toBool(), true);
            QVERIFY(!json.contains(QStringLiteral("error")));
            const poolscope::RecordingReader reader(recording.toStdString());
            QVERIFY(reader.finished());
            QCOMPARE(reader.lastEventSequence() +
                         json[QStringLiteral("recordingDroppedEvents")].toInteger(),
                     json[QStringLiteral("eventsObserved")].toInteger());
            QVERIFY(namesAStack(reader));
            // The results it had when stopped are kept, marked cancelled.
            const poolscope::RecordedRunResults stored =
                poolscope::RecordedRunSummary::fromMetadata(reader.path(), reader.metadata());
            QVERIFY2(stored.state == poolscope::RecordedRunResults::State::Stored,
                     qPrintable(stored.message));
            QVERIFY(stored.report->outcome.cancelled);
            QCOMPARE(stored.report->scenario, std::string("stress"));
            QCOMPARE(static_cast<qint64>(stored.report->eventsObserved),
                     json[QStringLiteral("eventsObserved")].toInteger());
        }
    }

    void killNine_leavesAFileThatHoldsCommittedEventsWithoutItsLog() {
        const QString recording = path("killed.psrec");
        const QString copy = path("killed-file-alone.psrec");
        QProcess run;
        start(run, endlessStress(recording));
        QVERIFY(run.waitForStarted());
        // The file is a recording from its first commit on: its header and tables do not
        // wait in the log. A copy made while a checkpoint writes into the file can be torn, as
        // any file copied while it is written, and is made again.
        QTRY_VERIFY_WITH_TIMEOUT(committedEvents(recording) > 0, kWaitMilliseconds);
        QVERIFY(aCopyOfTheFileAloneOpens(recording, copy, false));
        // Named as they come, not at the end, and checkpointed into the file alone.
        QVERIFY(aCopyOfTheFileAloneOpens(recording, copy, true));
        ::kill(static_cast<pid_t>(run.processId()), SIGKILL);
        QVERIFY(run.waitForFinished(kWaitMilliseconds));

        QVERIFY(eventsInTheFileAlone(recording, copy) > 0);
        QVERIFY(namedFrames(copy) > 0);
        const poolscope::RecordingReader reader(copy.toStdString());
        QVERIFY(!reader.finished());
        QCOMPARE(reader.metadata().at("scenario"), std::string("stress"));
        std::int64_t after = 0;
        for (;;) {
            const auto page = reader.events(after, 50'000);
            if (page.empty()) {
                break;
            }
            QCOMPARE(page.front().sequence, after + 1);
            after = page.back().sequence;
        }
        QCOMPARE(after, reader.lastEventSequence());
    }

    void killNine_whileReplacingARecording_leavesTheOldOneWholeAndTheNewOneBesideIt() {
        const QString recording = path("replaced.psrec");
        const QString partial = recording + QStringLiteral(".partial");
        Finished first = runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                      QStringLiteral("--record"), recording});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const std::int64_t oldEvents =
            poolscope::RecordingReader(recording.toStdString()).lastEventSequence();

        QProcess run;
        start(run, endlessStress(recording) + QStringList{QStringLiteral("--force")});
        QVERIFY(run.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(committedEvents(partial) > 0, kWaitMilliseconds);
        ::kill(static_cast<pid_t>(run.processId()), SIGKILL);
        QVERIFY(run.waitForFinished(kWaitMilliseconds));

        const poolscope::RecordingReader old(recording.toStdString());
        QVERIFY(old.finished());
        QCOMPARE(old.metadata().at("scenario"), std::string("leak-hunt"));
        QCOMPARE(old.lastEventSequence(), oldEvents);
        const poolscope::RecordingReader cutShort(partial.toStdString());
        QVERIFY(!cutShort.finished());
        QCOMPARE(cutShort.metadata().at("scenario"), std::string("stress"));
    }

    void poolSizeBeyondTheMachine_reportsTheSizeItHadWithAWarning() {
        const QString report = path("huge-pool.json");
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("default"),
                                          QStringLiteral("--param"), QStringLiteral("iterations=1"),
                                          QStringLiteral("--pool-size"), QStringLiteral("1048576"),
                                          QStringLiteral("--report"), report});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = readJson(report);
        const QJsonObject options = json[QStringLiteral("options")].toObject();
        const QJsonObject pool = json[QStringLiteral("pool")].toObject();
        const qint64 had = pool[QStringLiteral("capacityChunks")].toInteger() *
                           pool[QStringLiteral("chunkBytes")].toInteger() / (1024 * 1024);
        QVERIFY(had < 1048576);
        QCOMPARE(options[QStringLiteral("poolSizeMegabytes")].toInteger(), had);
        QCOMPARE(options[QStringLiteral("requestedPoolSizeMegabytes")].toInteger(), 1048576);
        const QJsonArray warnings = json[QStringLiteral("warnings")].toArray();
        QCOMPARE(warnings.size(), 1);
        const QString warning = warnings.first().toString();
        QVERIFY2(warning.contains(QStringLiteral("--pool-size 1048576 MiB")) &&
                     warning.contains(QString::number(had) + QStringLiteral(" MiB")),
                 qPrintable(warning));
        QVERIFY2(run.err.contains(QStringLiteral("warning: ") + warning), qPrintable(run.err));
    }

    void recordingWithDefaults_namesEveryParameterItRanWith() {
        const QString recording = path("defaults.psrec");
        const QString report = path("defaults.json");
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                          QStringLiteral("--record"), recording,
                                          QStringLiteral("--report"), report});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString recorded = QString::fromStdString(
            poolscope::RecordingReader(recording.toStdString()).metadata().at("parameters"));
        const QJsonObject parameters = readJson(report)[QStringLiteral("parameters")].toObject();
        QVERIFY(!parameters.isEmpty());
        QStringList expected;
        for (auto it = parameters.begin(); it != parameters.end(); ++it) {
            expected << it.key() + QLatin1Char('=') + it.value().toVariant().toString();
        }
        QStringList names = recorded.split(QLatin1Char(' '));
        names.sort();
        expected.sort();
        QCOMPARE(names, expected);
    }

private:
    QString path(const char* name) const { return directory_.filePath(QLatin1String(name)); }
    QString path(const char* pattern, int number) const {
        return directory_.filePath(QString::fromLatin1(pattern).arg(number));
    }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(RunRecordingFaultTest)
#include "RunRecordingFaultTest.moc"
