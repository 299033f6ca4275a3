#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

#include "PoolscopeProcess.h"
#include "native/SampledChild.h"

namespace {

constexpr int kTimeout = 60'000;
constexpr qint64 kLeastGrowth = qint64{60} << 20;

// `poolscope attach` running beside the test, its output read as it comes.
class AttachRun {
public:
    explicit AttachRun(const QStringList& arguments) {
        process_.setProcessEnvironment(withoutAnyDisplay());
        process_.start(QStringLiteral(POOLSCOPE_BINARY),
                       QStringList{QStringLiteral("attach")} + arguments);
    }
    ~AttachRun() {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(kTimeout);
        }
    }

    // The first line after those already read that matches; empty when the command ended.
    QRegularExpressionMatch waitForLine(const QRegularExpression& pattern) {
        for (;;) {
            while (process_.canReadLine()) {
                const QString line = QString::fromLocal8Bit(process_.readLine());
                out_ += line;
                const QRegularExpressionMatch match = pattern.match(line);
                if (match.hasMatch()) {
                    return match;
                }
            }
            if (!process_.waitForReadyRead(kTimeout)) {
                return {};
            }
        }
    }

    Finished finish() {
        Finished result;
        if (!process_.waitForFinished(kTimeout) || process_.exitStatus() != QProcess::NormalExit) {
            return result;
        }
        result.exitCode = process_.exitCode();
        result.out = out_ + QString::fromLocal8Bit(process_.readAllStandardOutput());
        result.err = QString::fromLocal8Bit(process_.readAllStandardError());
        return result;
    }

    pid_t pid() const { return static_cast<pid_t>(process_.processId()); }

private:
    QProcess process_;
    QString out_;
};

const QRegularExpression kSampleLine(QStringLiteral(R"(s  RSS .* fds (\d+)$)"));

}  // namespace

class AttachCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void attach_followsTheProcessUntilItExitsAndWritesJson();
    void attach_stopsWhenTheDurationElapses();
    void attach_stopsOnSigintWithTheSummary();
    void attach_refusesWhatIsNotAProcessOfYours();
    void attach_saysWhenTheProcessEndedBeforeItsFirstSample();
};

void AttachCommandLineTest::attach_followsTheProcessUntilItExitsAndWritesJson() {
    SampledChild child;
    QVERIFY(child.start());
    // Read while it runs: a process that exited has no PID.
    const pid_t pid = child.pid();
    QTemporaryDir directory;
    const QString json = directory.filePath(QStringLiteral("attach.json"));
    AttachRun run({QString::number(pid), QStringLiteral("--interval-ms"), QStringLiteral("20"),
                   QStringLiteral("--json"), json});
    const QRegularExpressionMatch first = run.waitForLine(kSampleLine);
    QVERIFY(first.hasMatch());
    const int descriptorsBefore = first.captured(1).toInt();
    QVERIFY(child.grow());
    // Once a line shows the new descriptors, the memory touched before them is sampled too.
    const QString grown = QString::number(descriptorsBefore + SampledChild::kOpenedDescriptors);
    QVERIFY(run.waitForLine(QRegularExpression(QStringLiteral("fds ") + grown + QLatin1Char('$')))
                .hasMatch());
    QVERIFY(child.quit());
    const Finished finished = run.finish();
    QCOMPARE(finished.exitCode, 0);
    QVERIFY2(finished.out.contains(QStringLiteral("process %1 exited").arg(pid)),
             qPrintable(finished.out));
    QVERIFY(finished.out.contains(QStringLiteral("peak RSS")));
    QVERIFY(finished.out.contains(QStringLiteral("poolscope launch")));

    const QJsonObject report = readJson(json);
    QCOMPARE(report.value(QStringLiteral("pid")).toInteger(), pid);
    QCOMPARE(report.value(QStringLiteral("end")).toString(), QStringLiteral("exited"));
    QVERIFY(report.value(QStringLiteral("stacks")).toString().contains(QStringLiteral("launch")));
    const QJsonArray samples = report.value(QStringLiteral("samples")).toArray();
    const QJsonObject summary = report.value(QStringLiteral("summary")).toObject();
    QVERIFY(samples.size() >= 2);
    QCOMPARE(summary.value(QStringLiteral("samples")).toInteger(), samples.size());
    QVERIFY(summary.value(QStringLiteral("peakRssBytes")).toInteger() -
                summary.value(QStringLiteral("firstRssBytes")).toInteger() >=
            kLeastGrowth);
    QCOMPARE(summary.value(QStringLiteral("firstDescriptors")).toInteger(), descriptorsBefore);
    QCOMPARE(summary.value(QStringLiteral("peakDescriptors")).toInteger(),
             descriptorsBefore + SampledChild::kOpenedDescriptors);
    const QJsonObject last = samples.last().toObject();
    QCOMPARE(last.value(QStringLiteral("descriptors")).toInteger(),
             descriptorsBefore + SampledChild::kOpenedDescriptors);
    QVERIFY(last.value(QStringLiteral("pssBytes")).toInteger() > 0);
    // PSS is read once a second by default, and a sample carries the last read.
    for (const QJsonValue& sample : samples) {
        QVERIFY(sample.toObject().value(QStringLiteral("pssReadSeconds")).toDouble() <=
                sample.toObject().value(QStringLiteral("seconds")).toDouble());
    }
}

void AttachCommandLineTest::attach_stopsWhenTheDurationElapses() {
    SampledChild child;
    QVERIFY(child.start());
    QTemporaryDir directory;
    const QString json = directory.filePath(QStringLiteral("attach.json"));
    const Finished finished = runHeadless({QStringLiteral("attach"), QString::number(child.pid()),
                                           QStringLiteral("--duration-s"), QStringLiteral("1"),
                                           QStringLiteral("--json"), json});
    QCOMPARE(finished.exitCode, 0);
    QVERIFY2(finished.out.contains(QStringLiteral("the duration elapsed")),
             qPrintable(finished.out));
    const QJsonObject report = readJson(json);
    QCOMPARE(report.value(QStringLiteral("end")).toString(), QStringLiteral("duration"));
    QVERIFY(report.value(QStringLiteral("samples")).toArray().size() >= 2);
}

void AttachCommandLineTest::attach_stopsOnSigintWithTheSummary() {
    SampledChild child;
    QVERIFY(child.start());
    AttachRun run({QString::number(child.pid())});
    QVERIFY(run.waitForLine(kSampleLine).hasMatch());
    QCOMPARE(kill(run.pid(), SIGINT), 0);
    const Finished finished = run.finish();
    QCOMPARE(finished.exitCode, 130);
    QVERIFY2(finished.out.contains(QStringLiteral("stopped by SIGINT")), qPrintable(finished.out));
    QVERIFY(finished.out.contains(QStringLiteral("peak RSS")));
}

void AttachCommandLineTest::attach_refusesWhatIsNotAProcessOfYours() {
    Finished finished = runHeadless({QStringLiteral("attach"), QStringLiteral("12abc")});
    QCOMPARE(finished.exitCode, 1);
    QVERIFY2(finished.err.contains(QStringLiteral("a PID is a whole number from 1, not '12abc'")),
             qPrintable(finished.err));

    finished = runHeadless({QStringLiteral("attach"), QStringLiteral("1"),
                            QStringLiteral("--pss-interval-ms"), QStringLiteral("5")});
    QCOMPARE(finished.exitCode, 1);
    QVERIFY2(finished.err.contains(QStringLiteral("--pss-interval-ms must be a whole number")),
             qPrintable(finished.err));

    finished = runHeadless({QStringLiteral("attach"), QStringLiteral("2000000000")});
    QCOMPARE(finished.exitCode, 5);
    QVERIFY2(finished.err.contains(QStringLiteral("no process 2000000000")),
             qPrintable(finished.err));

    SampledChild child;
    pid_t other = 1;  // init, root's, for a user who is not root
    if (getuid() == 0) {
        QVERIFY(child.start({QStringLiteral("--become-user"), QStringLiteral("65534")}));
        other = child.pid();
    }
    finished = runHeadless({QStringLiteral("attach"), QString::number(other)});
    QCOMPARE(finished.exitCode, 6);
    QVERIFY2(finished.err.contains(QStringLiteral("not to you")), qPrintable(finished.err));
}

void AttachCommandLineTest::attach_saysWhenTheProcessEndedBeforeItsFirstSample() {
    // The child exits at once and stays a zombie: its parent never waits for it. (A shell
    // could not be that parent: dash reaps a background job that ends before its next command,
    // which a loaded machine makes likely.) perl is part of every Debian system.
    QProcess parent;
    parent.start(QStringLiteral("/usr/bin/perl"),
                 {QStringLiteral("-e"),
                  QStringLiteral("$| = 1; my $child = fork; exit 0 if $child == 0; "
                                 "print \"$child\\n\"; sleep 60;")});
    QVERIFY(parent.waitForReadyRead(kTimeout));
    const QString zombie = QString::fromLatin1(parent.readLine()).trimmed();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QFile status(QStringLiteral("/proc/%1/status").arg(zombie));
            return status.open(QIODevice::ReadOnly) && status.readAll().contains("State:\tZ");
        }(),
        kTimeout);
    const Finished finished = runHeadless({QStringLiteral("attach"), zombie});
    parent.kill();
    parent.waitForFinished(kTimeout);
    QCOMPARE(finished.exitCode, 7);
    QVERIFY2(finished.err.contains(
                 QStringLiteral("process %1 exited before its first sample").arg(zombie)),
             qPrintable(finished.err));
}

QTEST_GUILESS_MAIN(AttachCommandLineTest)
#include "AttachCommandLineTest.moc"
