#include <QtTest>

#include <signal.h>

#include <memory>
#include <string>

#include "recording/RecordingReader.h"
#include "session/EngineSession.h"
#include "views/AttachDialog.h"

using namespace poolscope;

namespace {

constexpr int kWaitMilliseconds = 30000;

// The leaked allocation of the live program as the session shows it: tagged, with its stack.
const LiveAllocation* shownLeak(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot || !snapshot->allocations || !snapshot->stacks) {
        return nullptr;
    }
    for (const LiveAllocation& row : snapshot->allocations->rows) {
        if (snapshot->stacks->tagName(row.tagId) == QStringLiteral("live-program-leak")) {
            return &row;
        }
    }
    return nullptr;
}

bool leakShownWithItsStack(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    const LiveAllocation* leak = shownLeak(snapshot);
    return leak != nullptr &&
           snapshot->stacks->topFrame(leak->stackId).function.find("leakOnePooledBuffer") !=
               std::string::npos;
}

}  // namespace

// The window's session attached to a real program run with POOLSCOPE_LISTEN=1.
class SessionAttachTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void attachDialog_listsTheListeningProgram();
    void attach_showsPoolAndLeakWithStack_detachLeavesTheProgramRunning();
    void killedProgram_leavesItsDataShownAndSavable();
    void attachToNothing_failsWithTheReason();
    void runStoppedByAttach_leavesTheProgramsRecordingToTheLinksEnd();

private:
    void startProgram();

    QTemporaryDir runtime_;
    QProcess program_;
};

void SessionAttachTest::init() {
    QVERIFY(runtime_.isValid());
    qputenv("XDG_RUNTIME_DIR", runtime_.path().toUtf8());
}

void SessionAttachTest::cleanup() {
    if (program_.state() != QProcess::NotRunning) {
        program_.kill();
        program_.waitForFinished(kWaitMilliseconds);
    }
}

void SessionAttachTest::startProgram() {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("POOLSCOPE_LISTEN"), QStringLiteral("1"));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime_.path());
    program_.setProcessEnvironment(environment);
    program_.start(QStringLiteral(POOLSCOPE_LIVE_PROGRAM));
    QVERIFY(program_.waitForStarted(kWaitMilliseconds));
    QTRY_VERIFY_WITH_TIMEOUT(program_.canReadLine(), kWaitMilliseconds);
}

void SessionAttachTest::attachDialog_listsTheListeningProgram() {
    startProgram();
    AttachDialog dialog;
    QSignalSpy listed(&dialog, &AttachDialog::listed);
    QVERIFY(listed.wait(kWaitMilliseconds));
    QCOMPARE(dialog.programCount(), 1);
    QCOMPARE(dialog.selectedSocketPath(),
             QStringLiteral("%1/poolscope/%2.sock").arg(runtime_.path()).arg(program_.processId()));
}

void SessionAttachTest::attach_showsPoolAndLeakWithStack_detachLeavesTheProgramRunning() {
    startProgram();
    EngineSession session;
    QSignalSpy attached(&session, &EngineSession::attached);
    QSignalSpy ended(&session, &EngineSession::linkEnded);
    session.attach(
        QStringLiteral("%1/poolscope/%2.sock").arg(runtime_.path()).arg(program_.processId()));
    QTRY_COMPARE_WITH_TIMEOUT(attached.size(), 1, kWaitMilliseconds);
    QVERIFY(attached.at(0).at(0).toString().startsWith(QStringLiteral("poolscope_live_program")));
    QVERIFY(session.isAttached());
    QTRY_VERIFY_WITH_TIMEOUT(leakShownWithItsStack(session.latestSnapshot()), kWaitMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot()->pool.totalChunkReturns > 2,
                             kWaitMilliseconds);
    QCOMPARE(session.latestSnapshot()->pool.capacityChunks, 16);

    session.detach();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, kWaitMilliseconds);
    QCOMPARE(ended.at(0).at(0).toString(), QStringLiteral("detached"));
    QVERIFY(!session.isAttached());
    QVERIFY(program_.state() == QProcess::Running);
    QVERIFY(leakShownWithItsStack(session.latestSnapshot()));
}

void SessionAttachTest::killedProgram_leavesItsDataShownAndSavable() {
    startProgram();
    EngineSession session;
    QSignalSpy ended(&session, &EngineSession::linkEnded);
    QSignalSpy recorded(&session, &EngineSession::runRecordingReady);
    session.attach(
        QStringLiteral("%1/poolscope/%2.sock").arg(runtime_.path()).arg(program_.processId()));
    QTRY_VERIFY_WITH_TIMEOUT(leakShownWithItsStack(session.latestSnapshot()), kWaitMilliseconds);
    const AllocationId leakId = shownLeak(session.latestSnapshot())->id;

    ::kill(static_cast<pid_t>(program_.processId()), SIGKILL);
    QVERIFY(program_.waitForFinished(kWaitMilliseconds));
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, kWaitMilliseconds);
    QVERIFY(ended.at(0).at(0).toString().contains(QStringLiteral("without saying goodbye")));
    QVERIFY(leakShownWithItsStack(session.latestSnapshot()));

    // Savable: the recording holds the leak, its stack named from the program's binary.
    QTRY_VERIFY_WITH_TIMEOUT(!session.lastRunRecording().isEmpty(), kWaitMilliseconds);
    QCOMPARE(recorded.last().at(1).toString(), QString());
    RecordingReader reader(session.lastRunRecording().toStdString());
    QCOMPARE(reader.metadata().at("program"), std::string("poolscope_live_program"));
    bool found = false;
    for (const RecordedAllocation& leak : reader.leaks()) {
        if (leak.id == leakId) {
            found = true;
            QCOMPARE(leak.tag, std::string("live-program-leak"));
            bool named = false;
            for (const Frame& frame : reader.stack(leak.stackId)) {
                named = named || frame.function.find("leakOnePooledBuffer") != std::string::npos;
            }
            QVERIFY(named);
        }
    }
    QVERIFY(found);
}

void SessionAttachTest::attachToNothing_failsWithTheReason() {
    EngineSession session;
    QSignalSpy failed(&session, &EngineSession::attachFailed);
    session.attach(runtime_.filePath(QStringLiteral("nobody.sock")));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWaitMilliseconds);
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("cannot connect")));
    QVERIFY(!session.isAttached());
}

void SessionAttachTest::runStoppedByAttach_leavesTheProgramsRecordingToTheLinksEnd() {
    startProgram();
    EngineSession session;
    QStringList order;
    connect(&session, &EngineSession::runFinished, this,
            [&order] { order.append(QStringLiteral("run finished")); });
    connect(&session, &EngineSession::linkEnded, this,
            [&order] { order.append(QStringLiteral("link ended")); });
    connect(&session, &EngineSession::runRecordingReady, this,
            [&order] { order.append(QStringLiteral("recording ready")); });
    QVERIFY(session.start());
    session.attach(
        QStringLiteral("%1/poolscope/%2.sock").arg(runtime_.path()).arg(program_.processId()));
    QTRY_VERIFY_WITH_TIMEOUT(order.contains(QStringLiteral("run finished")), kWaitMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(leakShownWithItsStack(session.latestSnapshot()), kWaitMilliseconds);
    // The program's recording closes when the link ends, not when the stopped run did.
    order.clear();
    session.detach();
    QTRY_VERIFY_WITH_TIMEOUT(order.contains(QStringLiteral("link ended")), kWaitMilliseconds);
    QCOMPARE(order, QStringList({QStringLiteral("recording ready"), QStringLiteral("link ended")}));
    RecordingReader reader(session.lastRunRecording().toStdString());
    QCOMPARE(reader.metadata().at("program"), std::string("poolscope_live_program"));
    QVERIFY(reader.finished());
}

QTEST_MAIN(SessionAttachTest)
#include "SessionAttachTest.moc"
