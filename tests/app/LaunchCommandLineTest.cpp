#include <QtTest>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>
#include <set>
#include <string>

#include "PoolscopeProcess.h"
#include "recording/RecordingReader.h"

namespace {

// One leak the test programs make on purpose: the function that leaks it, its size and kind.
struct Injected {
    QString function;
    qint64 bytes;
    QString tier;
    QString tag;
};

QJsonArray arrayOf(const QJsonObject& json, const char* key) {
    return json[QLatin1String(key)].toArray();
}

// The leaks whose innermost frame is in `function`.
QList<QJsonObject> leaksIn(const QJsonArray& leaks, const QString& function) {
    QList<QJsonObject> found;
    for (const QJsonValue& value : leaks) {
        const QJsonObject leak = value.toObject();
        const QJsonArray stack = leak[QStringLiteral("stack")].toArray();
        if (!stack.isEmpty() && stack.first().toString().startsWith(function + QLatin1Char(' '))) {
            found.append(leak);
        }
    }
    return found;
}

QString describe(const Finished& run) {
    return QStringLiteral("exit %1\n%2\n%3").arg(run.exitCode).arg(run.out, run.err);
}

}  // namespace

class LaunchCommandLineTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir directory_;

    Finished launch(const QStringList& options, const QStringList& program) {
        QStringList arguments{QStringLiteral("launch")};
        arguments << options << QStringLiteral("--") << program;
        return runHeadless(arguments);
    }

    QJsonObject launchReporting(const QStringList& program, int expectedExit,
                                const QStringList& options = {}) {
        const QString report = directory_.filePath(QStringLiteral("report.json"));
        QFile::remove(report);
        const Finished run =
            launch(QStringList{QStringLiteral("--report"), report} << options, program);
        [&] { QVERIFY2(run.exitCode == expectedExit, qPrintable(describe(run))); }();
        return readJson(report);
    }

    // An executable script in the test's directory; empty when it could not be written.
    QString writeScript(const QString& name, const QString& text) {
        const QString path = directory_.filePath(name);
        QFile script(path);
        if (!script.open(QIODevice::WriteOnly) || script.write(text.toUtf8()) < 0) {
            return {};
        }
        script.close();
        return script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)
                   ? path
                   : QString();
    }

    void checkInjected(const QJsonObject& json, const QList<Injected>& injected) {
        const QJsonArray leaks = arrayOf(json, "leaks");
        QCOMPARE(leaks.size(), injected.size());
        for (const Injected& expected : injected) {
            const QList<QJsonObject> found = leaksIn(leaks, expected.function);
            QVERIFY2(found.size() == 1, qPrintable(expected.function));
            QCOMPARE(found.first()[QStringLiteral("bytes")].toInteger(), expected.bytes);
            QCOMPARE(found.first()[QStringLiteral("tier")].toString(), expected.tier);
            QCOMPARE(found.first()[QStringLiteral("tag")].toString(), expected.tag);
        }
    }

private slots:
    void initTestCase() { QVERIFY(directory_.isValid()); }

    void leakyC_reportsEachInjectedLeakExactly() {
        const QJsonObject json = launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_leaky_c)}, 0);
        checkInjected(json, {{QStringLiteral("leak_malloc"), 1111, QStringLiteral("native heap"),
                              QStringLiteral("malloc")},
                             {QStringLiteral("leak_realloc_chain"), 4096,
                              QStringLiteral("native heap"), QStringLiteral("realloc")},
                             {QStringLiteral("leak_posix_memalign"), 2048,
                              QStringLiteral("native heap"), QStringLiteral("posix_memalign")},
                             {QStringLiteral("leak_mmap"), 16 << 20, QStringLiteral("mapped"),
                              QStringLiteral("mmap")},
                             {QStringLiteral("leak_descriptor"), 0, QStringLiteral("descriptor"),
                              QStringLiteral("file")},
                             {QStringLiteral("make_buffer"), 777, QStringLiteral("native heap"),
                              QStringLiteral("malloc")}});
        // The inlined helper is named, marked inlined, and its caller follows.
        const QJsonArray inlined = leaksIn(arrayOf(json, "leaks"), QStringLiteral("make_buffer"))
                                       .first()[QStringLiteral("stack")]
                                       .toArray();
        QVERIFY(inlined[0].toString().contains(QStringLiteral("leaky_c.c:")));
        QVERIFY(inlined[0].toString().endsWith(QStringLiteral("[inlined]")));
        QVERIFY(inlined[1].toString().startsWith(QStringLiteral("leak_through_inline_helper ")));
        QCOMPARE(arrayOf(json, "runtimeOwned").size(), 0);
    }

    void leakyC_resourcesNameTheDescriptorLeftOpen() {
        const QJsonObject json = launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_leaky_c)}, 0);
        const QJsonArray open = json[QStringLiteral("resources")]
                                    .toObject()[QStringLiteral("openDescriptors")]
                                    .toArray();
        QCOMPARE(open.size(), 1);
        const QJsonObject descriptor = open.first().toObject();
        QCOMPARE(descriptor[QStringLiteral("path")].toString(), QStringLiteral("/dev/null"));
        QVERIFY(descriptor[QStringLiteral("fd")].toInt() > 2);
        QVERIFY(descriptor[QStringLiteral("stack")].toArray().first().toString().startsWith(
            QStringLiteral("leak_descriptor ")));
    }

    void leakyCxx_reportsNewAndNewArrayExactly() {
        const QJsonObject json = launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_leaky_cxx)}, 0);
        checkInjected(json, {{QStringLiteral("leakNew()"), 48, QStringLiteral("native heap"),
                              QStringLiteral("new")},
                             {QStringLiteral("leakNewArray()"), 1000, QStringLiteral("native heap"),
                              QStringLiteral("new[]")}});
    }

    void cleanPrograms_reportNoLeaksOfTheirOwn_data() {
        QTest::addColumn<QStringList>("program");
        QTest::newRow("clean_program")
            << QStringList{QStringLiteral(POOLSCOPE_PROGRAM_clean_program)};
        QTest::newRow("true") << QStringList{QStringLiteral("/bin/true")};
        QTest::newRow("ls") << QStringList{QStringLiteral("ls"), QStringLiteral("-la"),
                                           QStringLiteral("/usr/bin")};
    }

    void cleanPrograms_reportNoLeaksOfTheirOwn() {
        QFETCH(QStringList, program);
        const QJsonObject json = launchReporting(program, 0, {QStringLiteral("--fail-on-leak")});
        QCOMPARE(arrayOf(json, "leaks").size(), 0);
        QCOMPARE(json[QStringLiteral("droppedEvents")].toInteger(), 0);
        QVERIFY(json[QStringLiteral("reachabilityKnown")].toBool());
    }

    void cleanProgram_runtimeKeepsItsOwnApart() {
        const QJsonObject json =
            launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_clean_program)}, 0);
        // stdio, locale and time zone data: the runtime's, shown apart.
        QVERIFY(!arrayOf(json, "runtimeOwned").isEmpty());
        QVERIFY(json[QStringLiteral("eventsObserved")].toInteger() > 0);
    }

    void forkingProgram_reportsTheParentsOwnLeaksAlone() {
        const QJsonObject json = launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_leaky_fork)}, 0);
        checkInjected(json, {{QStringLiteral("leak_in_parent"), 1212, QStringLiteral("native heap"),
                              QStringLiteral("malloc")}});
        QCOMPARE(json[QStringLiteral("droppedEvents")].toInteger(), 0);
        QVERIFY(leaksIn(arrayOf(json, "runtimeOwned"), QStringLiteral("leak_in_child")).isEmpty());
        for (const QJsonValue& resource :
             json[QStringLiteral("resources")][QStringLiteral("openDescriptors")].toArray()) {
            const QJsonArray stack = resource[QStringLiteral("stack")].toArray();
            QVERIFY(stack.isEmpty() ||
                    !stack.first().toString().startsWith(QStringLiteral("leak_in_child")));
        }
    }

    void wrapperScript_reportNamesTheExecsItFollowed() {
        const QString wrapper = writeScript(
            QStringLiteral("wrapper.sh"),
            QStringLiteral("#!/bin/sh\nexec %1\n").arg(QStringLiteral(POOLSCOPE_PROGRAM_leaky_c)));
        QVERIFY(!wrapper.isEmpty());
        const QString report = directory_.filePath(QStringLiteral("wrapper.json"));
        const Finished run = launch({QStringLiteral("--report"), report}, {wrapper});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QString program =
            QFileInfo(QStringLiteral(POOLSCOPE_PROGRAM_leaky_c)).canonicalFilePath();
        QVERIFY2(run.out.contains(QStringLiteral("followed exec: ") + program),
                 qPrintable(run.out));
        const QJsonObject json = readJson(report);
        const QJsonArray execs = json[QStringLiteral("program")][QStringLiteral("execs")].toArray();
        QCOMPARE(execs.size(), 1);
        QCOMPARE(execs[0][QStringLiteral("path")].toString(), program);
        QVERIFY(execs[0][QStringLiteral("followed")].toBool());
        QVERIFY(!leaksIn(arrayOf(json, "leaks"), QStringLiteral("leak_malloc")).isEmpty());
    }

    void wrapperScript_descriptorsClosedByItsExec_areNotLeftOpen() {
        // bash reads the script through a close-on-exec descriptor (255) and saves stderr
        // around a redirection; fd 7, opened without close-on-exec, goes on into the program,
        // which never closes it.
        const QString wrapper = writeScript(
            QStringLiteral("redirecting.sh"),
            QStringLiteral("#!/bin/bash\nexec 7</dev/null\ntrue 2>/dev/null\nexec 2>&1\nexec %1\n")
                .arg(QStringLiteral(POOLSCOPE_PROGRAM_clean_program)));
        QVERIFY(!wrapper.isEmpty());
        const QJsonObject json = launchReporting({wrapper}, 0);
        QCOMPARE(json[QStringLiteral("program")][QStringLiteral("execs")].toArray().size(), 1);
        const QJsonArray open = json[QStringLiteral("resources")]
                                    .toObject()[QStringLiteral("openDescriptors")]
                                    .toArray();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first()[QStringLiteral("fd")].toInt(), 7);
        // bash opens the file and then moves it to 7.
        QCOMPARE(open.first()[QStringLiteral("tag")].toString(), QStringLiteral("dup"));
    }

    void wrapperScript_reportSaysWhichExecWasNotFollowed() {
        const QString report = directory_.filePath(QStringLiteral("unfollowed.json"));
        const Finished run =
            launch({QStringLiteral("--report"), report},
                   {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                    QStringLiteral("exec /usr/bin/env -u POOLSCOPE_PRELOAD_FD /bin/true")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonArray execs =
            readJson(report)[QStringLiteral("program")][QStringLiteral("execs")].toArray();
        QCOMPARE(execs.size(), 2);
        QVERIFY(execs[0][QStringLiteral("followed")].toBool());
        QVERIFY(!execs[1][QStringLiteral("followed")].toBool());
        QCOMPARE(execs[1][QStringLiteral("path")].toString(),
                 QFileInfo(QStringLiteral("/bin/true")).canonicalFilePath());
        QVERIFY(run.out.contains(QStringLiteral("exec not followed")));
    }

    void failOnLeak_exitsThreeWhenTheProgramLeaks() {
        const Finished run = launch({QStringLiteral("--fail-on-leak")},
                                    {QStringLiteral(POOLSCOPE_PROGRAM_leaky_cxx)});
        QVERIFY2(run.exitCode == 3, qPrintable(describe(run)));
        QVERIFY(run.out.contains(QStringLiteral("leakNewArray()")));
    }

    void exitStatus_isTheProgramsOwn() {
        const Finished run =
            launch({}, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exit 7")});
        QVERIFY2(run.exitCode == 7, qPrintable(describe(run)));
    }

    void crash_keepsWhatWasRecordedUntilTheCrash() {
        const QString recording = directory_.filePath(QStringLiteral("crash.poolscope"));
        const Finished run = launch({QStringLiteral("--record"), recording},
                                    {QStringLiteral(POOLSCOPE_PROGRAM_leaky_crash)});
        QVERIFY2(run.exitCode == 128 + SIGSEGV, qPrintable(describe(run)));
        QVERIFY(run.out.contains(QStringLiteral("SIGSEGV")));

        const QString report = directory_.filePath(QStringLiteral("crash-report.json"));
        const Finished read =
            runHeadless({QStringLiteral("report"), recording, QStringLiteral("--report"), report});
        QVERIFY2(read.exitCode == 0, qPrintable(describe(read)));
        const QList<QJsonObject> leaks =
            leaksIn(arrayOf(readJson(report), "leaks"), QStringLiteral("leak_before_crash"));
        QCOMPARE(leaks.size(), 1);
        QCOMPARE(leaks.first()[QStringLiteral("bytes")].toInteger(), 4321);
        QCOMPARE(leaks.first()[QStringLiteral("tag")].toString(), QStringLiteral("malloc"));
    }

    void report_readsALaunchedRecording() {
        const QString recording = directory_.filePath(QStringLiteral("leaky.poolscope"));
        const Finished run = launch({QStringLiteral("--record"), recording},
                                    {QStringLiteral(POOLSCOPE_PROGRAM_leaky_c)});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QString report = directory_.filePath(QStringLiteral("leaky-report.json"));
        const Finished read =
            runHeadless({QStringLiteral("report"), recording, QStringLiteral("--report"), report});
        QVERIFY2(read.exitCode == 0, qPrintable(describe(read)));
        const QJsonArray leaks = arrayOf(readJson(report), "leaks");
        QCOMPARE(leaksIn(leaks, QStringLiteral("leak_mmap")).size(), 1);
        QCOMPARE(leaksIn(leaks, QStringLiteral("leak_malloc"))
                     .first()[QStringLiteral("bytes")]
                     .toInteger(),
                 1111);
        // Every event's tag is named in the recording, as the window shows it when it opens it:
        // the calls that made the launched program's blocks, mappings and descriptors.
        std::set<std::string> tags;
        for (const auto& [id, name] :
             poolscope::RecordingReader(recording.toStdString()).tagNames()) {
            tags.insert(name);
        }
        for (const char* call : {"malloc", "realloc", "mmap"}) {
            QVERIFY2(tags.count(call) == 1, call);
        }
    }

    void report_setsTheRuntimesApartInALaunchedRecording() {
        const QString recording = directory_.filePath(QStringLiteral("clean.poolscope"));
        const Finished run = launch({QStringLiteral("--record"), recording},
                                    {QStringLiteral(POOLSCOPE_PROGRAM_clean_program)});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QString report = directory_.filePath(QStringLiteral("clean-report.json"));
        const Finished read =
            runHeadless({QStringLiteral("report"), recording, QStringLiteral("--report"), report,
                         QStringLiteral("--fail-on-leak")});
        QVERIFY2(read.exitCode == 0, qPrintable(describe(read)));
        const QJsonObject json = readJson(report);
        QCOMPARE(arrayOf(json, "leaks").size(), 0);
        QVERIFY(arrayOf(json, "warnings").first().toString().contains(QStringLiteral("runtime")));
    }

    void suppressions_removeALeakFromTheProgramsOwn() {
        const QString file = directory_.filePath(QStringLiteral("leaks.supp"));
        QFile suppressions(file);
        QVERIFY(suppressions.open(QIODevice::WriteOnly));
        suppressions.write("# known and accepted\nleak:leakNewArray\n");
        suppressions.close();
        const QJsonObject json = launchReporting({QStringLiteral(POOLSCOPE_PROGRAM_leaky_cxx)}, 0,
                                                 {QStringLiteral("--suppressions"), file});
        QCOMPARE(arrayOf(json, "leaks").size(), 1);
        QCOMPARE(leaksIn(arrayOf(json, "leaks"), QStringLiteral("leakNew()")).size(), 1);
        const QJsonArray suppressed = arrayOf(json, "suppressed");
        QCOMPARE(suppressed.size(), 1);
        QCOMPARE(suppressed.first().toObject()[QStringLiteral("suppressedBy")].toString(),
                 QStringLiteral("leakNewArray"));
    }

    void missingProgram_failsWithAClearError() {
        const Finished run = launch({}, {directory_.filePath(QStringLiteral("no-such-program"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("no such program")), qPrintable(run.err));
    }

    void notExecutable_failsWithAClearError() {
        const QString path = directory_.filePath(QStringLiteral("notes.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a program\n");
        file.close();
        const Finished run = launch({}, {path});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("not executable")), qPrintable(run.err));
    }

    void staticProgram_saysSoAndOffersAttach() {
#ifdef POOLSCOPE_PROGRAM_clean_static
        const Finished run = launch({}, {QStringLiteral(POOLSCOPE_PROGRAM_clean_static)});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("statically linked")), qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("poolscope attach PID")));
#else
        QSKIP("no static C library (libc.a) to link a static program with");
#endif
    }

    void usage_withoutAProgramFails() {
        const Finished run = runHeadless({QStringLiteral("launch")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("which program")));
    }
};

QTEST_GUILESS_MAIN(LaunchCommandLineTest)
#include "LaunchCommandLineTest.moc"
