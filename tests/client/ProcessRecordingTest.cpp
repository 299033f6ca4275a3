// POOLSCOPE_RECORD end to end: the example thumbnailer, linked against the engine and changed
// in no way, records itself when the variable names a file, and `poolscope report` turns that
// recording into the run summary and a CI leak gate.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "../app/PoolscopeProcess.h"

namespace {

QProcessEnvironment recordingInto(const QString& value) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("POOLSCOPE_RECORD"), value);
    return environment;
}

Finished thumbnail(const QTemporaryDir& dir, const QProcessEnvironment& environment,
                   const QStringList& options = {}) {
    return runProgram(
        QStringLiteral(POOLSCOPE_THUMBNAILER),
        QStringList{QStringLiteral(POOLSCOPE_SAMPLES), dir.filePath("thumbnails")} + options,
        environment);
}

}  // namespace

class ProcessRecordingTest : public QObject {
    Q_OBJECT

private slots:
    void leakyProgram_reportFailsNamingTheLeakAndItsStack() {
        QTemporaryDir dir;
        const QString recording = dir.filePath("leaky.psrec");
        const Finished program = thumbnail(dir, recordingInto(recording),
                                           {QStringLiteral("--leak-every"), QStringLiteral("3")});
        QCOMPARE(program.exitCode, 0);
        QVERIFY2(program.err.isEmpty(), qPrintable(program.err));

        // The same variable in poolscope's own environment must not replace the recording.
        const QString json = dir.filePath("report.json");
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording, QStringLiteral("--fail-on-leak"),
                          QStringLiteral("--report"), json},
                         recordingInto(recording));
        QVERIFY2(report.exitCode == 3, qPrintable(report.out + report.err));
        QVERIFY2(report.out.contains(QStringLiteral("scenario poolscope_thumbnailer")),
                 qPrintable(report.out));
        QVERIFY2(report.out.contains(QStringLiteral("Leaks                     2 allocations")),
                 qPrintable(report.out));
        QVERIFY2(report.out.contains(QStringLiteral("Leaking stack 1: ")), qPrintable(report.out));
        QVERIFY2(report.out.contains(QStringLiteral("poolscope::ImageCodecs::load<")),
                 qPrintable(report.out));

        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonArray leaks = root.value(QStringLiteral("leaks")).toArray();
        QCOMPARE(leaks.size(), 2);
        QCOMPARE(root.value(QStringLiteral("undisposedAtEnd")).toInt(), 2);
        const QString stack = leaks.first()
                                  .toObject()
                                  .value(QStringLiteral("stack"))
                                  .toVariant()
                                  .toStringList()
                                  .join(QLatin1Char('\n'));
        QVERIFY2(stack.contains(QStringLiteral("Thumbnailer::run")), qPrintable(stack));
        QVERIFY(root.value(QStringLiteral("eventsObserved")).toInteger() > 0);
        QVERIFY(root.value(QStringLiteral("pool"))
                    .toObject()
                    .value(QStringLiteral("peakRentedBytes"))
                    .toInteger() > 0);
    }

    void cleanProgram_reportPasses() {
        QTemporaryDir dir;
        const QString recording = dir.filePath("clean.psrec");
        const Finished program = thumbnail(dir, recordingInto(recording));
        QCOMPARE(program.exitCode, 0);
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording, QStringLiteral("--fail-on-leak")});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        QVERIFY2(report.out.contains(QStringLiteral("Leaks                     none")),
                 qPrintable(report.out));
        QVERIFY2(report.out.contains(QStringLiteral("recording finished        true")),
                 qPrintable(report.out));
    }

    void crashedProgram_reportReadsWhatItCommitted() {
        QTemporaryDir dir;
        const QString recording = dir.filePath("crashed.psrec");
        const Finished program = thumbnail(dir, recordingInto(recording),
                                           {QStringLiteral("--abort-after"), QStringLiteral("4")});
        QCOMPARE(program.exitCode, -1);  // killed by its abort, no exit
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording, QStringLiteral("--fail-on-leak")});
        // Whether the last batches made it to the disk before the abort is up to timing; the
        // recording must be readable either way.
        QVERIFY2(report.exitCode == 0 || report.exitCode == 3, qPrintable(report.out + report.err));
        QVERIFY2(report.err.contains(QStringLiteral("was not finished")), qPrintable(report.err));
        QVERIFY2(report.out.contains(QStringLiteral("recording finished        false")),
                 qPrintable(report.out));
    }

    // What a C program reports through the C API reaches a recording with no code of its own:
    // its pool (the first the process describes) is the pool the report follows.
    void cProgram_recordingHoldsItsPoolAndReportedAllocations() {
        QTemporaryDir dir;
        const QString recording = dir.filePath("c.psrec");
        const Finished program =
            runProgram(QStringLiteral(POOLSCOPE_C_PROGRAM), {}, recordingInto(recording));
        QCOMPARE(program.exitCode, 0);
        const QString json = dir.filePath("report.json");
        const Finished report =
            runPoolscope({QStringLiteral("report"), recording, QStringLiteral("--fail-on-leak"),
                          QStringLiteral("--report"), json});
        QVERIFY2(report.exitCode == 0, qPrintable(report.out + report.err));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject pool = root.value(QStringLiteral("pool")).toObject();
        QCOMPARE(pool.value(QStringLiteral("capacityChunks")).toInt(), 8);
        QCOMPARE(pool.value(QStringLiteral("chunkBytes")).toInteger(), 4096);
        QCOMPARE(pool.value(QStringLiteral("peakRentedBytes")).toInteger(), 4096);
        QVERIFY(root.value(QStringLiteral("eventsObserved")).toInteger() >= 10);
    }

    void percentP_namesTheRecordingAfterTheProcess() {
        QTemporaryDir dir;
        QProcess process;
        process.setProcessEnvironment(recordingInto(dir.filePath("run-%p.psrec")));
        process.start(QStringLiteral(POOLSCOPE_THUMBNAILER),
                      {QStringLiteral(POOLSCOPE_SAMPLES), dir.filePath("thumbnails")});
        QVERIFY(process.waitForStarted());
        const qint64 pid = process.processId();
        QVERIFY(process.waitForFinished(kProcessTimeoutMilliseconds));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("run-%1.psrec").arg(pid))));
    }

    void unusableValue_warnsAndTheProgramRunsUnrecorded_data() {
        QTest::addColumn<QString>("value");
        QTest::newRow("empty") << QString();
        QTest::newRow("a folder") << QStringLiteral("FOLDER");
        QTest::newRow("in a missing folder") << QStringLiteral("FOLDER/missing/run.psrec");
    }

    void unusableValue_warnsAndTheProgramRunsUnrecorded() {
        QFETCH(QString, value);
        QTemporaryDir dir;
        value.replace(QStringLiteral("FOLDER"), dir.path());
        const Finished program = thumbnail(dir, recordingInto(value));
        QCOMPARE(program.exitCode, 0);
        QVERIFY2(program.out.contains(QStringLiteral("7 thumbnails written")),
                 qPrintable(program.out));
        QVERIFY2(program.err.contains(QStringLiteral("POOLSCOPE_RECORD")), qPrintable(program.err));
        QVERIFY2(program.err.contains(QStringLiteral("not recorded")), qPrintable(program.err));
    }

    // The file is made on the recording's thread while the program runs: a path it refuses is
    // still said, and the program still runs to its end, unrecorded, leaving the file alone.
    void pathHoldingSomethingElse_warnsNamingItAndTheProgramRunsUnrecorded() {
        QTemporaryDir dir;
        const QString path = dir.filePath("notes.txt");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("my notes\n");
        file.close();
        const Finished program = thumbnail(dir, recordingInto(path));
        QCOMPARE(program.exitCode, 0);
        QVERIFY2(program.out.contains(QStringLiteral("7 thumbnails written")),
                 qPrintable(program.out));
        QVERIFY2(program.err.contains(QStringLiteral("POOLSCOPE_RECORD=") + path),
                 qPrintable(program.err));
        QVERIFY2(program.err.contains(QStringLiteral("not a PoolScope recording")),
                 qPrintable(program.err));
        QVERIFY2(program.err.contains(QStringLiteral("not recorded")), qPrintable(program.err));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("my notes\n"));
    }

    void report_ofAFileThatIsNoRecording_failsNamingIt() {
        QTemporaryDir dir;
        const QString path = dir.filePath("notes.txt");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a recording\n");
        file.close();
        const Finished report = runPoolscope({QStringLiteral("report"), path});
        QCOMPARE(report.exitCode, 1);
        QVERIFY2(report.err.contains(path), qPrintable(report.err));
    }

    void report_withoutARecording_isAUsageError() {
        const Finished report = runPoolscope({QStringLiteral("report")});
        QCOMPARE(report.exitCode, 1);
        QVERIFY2(report.err.contains(QStringLiteral("which recording?")), qPrintable(report.err));
    }
};

QTEST_GUILESS_MAIN(ProcessRecordingTest)
#include "ProcessRecordingTest.moc"
