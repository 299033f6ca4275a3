#include <QtTest>

#include <signal.h>

#include <string>
#include <vector>

#include "link/LinkClient.h"
#include "link/LinkDirectory.h"

using namespace poolscope;

namespace {

constexpr int kWaitMilliseconds = 20000;

const MemoryEvent* leakedRent(const std::vector<MemoryEvent>& events, const LinkClient& client) {
    for (const MemoryEvent& event : events) {
        if (event.kind == MemoryEventKind::Rent &&
            client.stacks()->tagName(event.tagId()) == "live-program-leak") {
            return &event;
        }
    }
    return nullptr;
}

}  // namespace

// A real program linked against the engine, run with POOLSCOPE_LISTEN=1 in a runtime folder
// of the test's own.
class LinkAttachTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void listeningProgram_isListedWithNamePidAndAllocator();
    void attach_seesTheLeakWithItsStack_andDetachLeavesTheProgramRunning();
    void killedProgram_endsTheLinkAndKeepsWhatArrived();
    void exitingProgram_saysGoodbyeAndRemovesItsSocket();

private:
    void startProgram(const QStringList& arguments = {});
    std::string socketPath() const {
        return LinkDirectory::socketPath(static_cast<pid_t>(program_.processId()));
    }

    QTemporaryDir runtime_;
    QProcess program_;
};

void LinkAttachTest::init() {
    QVERIFY(runtime_.isValid());
    qputenv("XDG_RUNTIME_DIR", runtime_.path().toUtf8());
}

void LinkAttachTest::cleanup() {
    if (program_.state() != QProcess::NotRunning) {
        program_.kill();
        program_.waitForFinished(kWaitMilliseconds);
    }
}

void LinkAttachTest::startProgram(const QStringList& arguments) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("POOLSCOPE_LISTEN"), QStringLiteral("1"));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime_.path());
    // The program leaks a buffer on purpose, for the viewer to find; under the sanitizers its
    // exit must not be turned into a leak report and an abort (a later option wins).
    environment.insert(QStringLiteral("ASAN_OPTIONS"),
                       environment.value(QStringLiteral("ASAN_OPTIONS")) +
                           QStringLiteral(":detect_leaks=0"));
    program_.setProcessEnvironment(environment);
    program_.start(QStringLiteral(POOLSCOPE_LIVE_PROGRAM), arguments);
    QVERIFY(program_.waitForStarted(kWaitMilliseconds));
    QTRY_VERIFY_WITH_TIMEOUT(program_.canReadLine(), kWaitMilliseconds);
    QCOMPARE(program_.readLine().trimmed(), QByteArray("ready"));
}

void LinkAttachTest::listeningProgram_isListedWithNamePidAndAllocator() {
    startProgram();
    const std::vector<ListedProgram> programs =
        LinkDirectory::listPrograms(std::chrono::milliseconds(kWaitMilliseconds));
    QCOMPARE(programs.size(), std::size_t{1});
    const LinkProcessInfo& info = programs.front().info;
    QCOMPARE(static_cast<qint64>(info.pid), program_.processId());
    QCOMPARE(QString::fromStdString(info.program), QStringLiteral("poolscope_live_program"));
    QVERIFY2(info.allocator.find("pooled (16 × 4 MiB)") != std::string::npos,
             info.allocator.c_str());
    QVERIFY(info.startTimeSeconds > 0);
    QCOMPARE(programs.front().socketPath, socketPath());
}

void LinkAttachTest::attach_seesTheLeakWithItsStack_andDetachLeavesTheProgramRunning() {
    startProgram();
    {
        LinkClient client(socketPath());
        std::vector<MemoryEvent> events;
        QTRY_VERIFY_WITH_TIMEOUT((client.drain(events), leakedRent(events, client) != nullptr),
                                 kWaitMilliseconds);
        const MemoryEvent leak = *leakedRent(events, client);
        const std::vector<Frame> frames = client.stacks()->symbolizedStack(leak.stackId);
        QVERIFY(!frames.empty());
        QVERIFY2(frames.front().function.find("leakOnePooledBuffer") != std::string::npos,
                 frames.front().toString().c_str());
        QVERIFY(frames.back().function == "main");
        // The program goes on renting and returning while the viewer watches.
        QTRY_VERIFY_WITH_TIMEOUT(
            (client.drain(events), std::count_if(events.begin(), events.end(),
                                                 [](const MemoryEvent& e) {
                                                     return e.kind == MemoryEventKind::Return;
                                                 }) > 2),
            kWaitMilliseconds);
        client.detach();
    }
    QVERIFY(program_.state() == QProcess::Running);
    QCOMPARE(::kill(static_cast<pid_t>(program_.processId()), 0), 0);
    // Still listening: another viewer attaches.
    LinkClient again(socketPath());
    QVERIFY(!again.ended());
}

void LinkAttachTest::killedProgram_endsTheLinkAndKeepsWhatArrived() {
    startProgram();
    LinkClient client(socketPath());
    std::vector<MemoryEvent> events;
    QTRY_VERIFY_WITH_TIMEOUT(client.receivedEvents() > 0, kWaitMilliseconds);
    program_.kill();
    QVERIFY(program_.waitForFinished(kWaitMilliseconds));
    QTRY_VERIFY_WITH_TIMEOUT(client.ended(), kWaitMilliseconds);
    QVERIFY(!client.programExited());
    QVERIFY2(client.endReason().find("without saying goodbye") != std::string::npos,
             client.endReason().c_str());
    client.drain(events);
    QVERIFY(leakedRent(events, client) != nullptr);
}

void LinkAttachTest::exitingProgram_saysGoodbyeAndRemovesItsSocket() {
    startProgram({QStringLiteral("200")});
    const std::string path = socketPath();
    LinkClient client(path);
    QVERIFY(program_.waitForFinished(kWaitMilliseconds));
    QCOMPARE(program_.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(client.ended(), kWaitMilliseconds);
    QVERIFY(client.programExited());
    QCOMPARE(client.endReason(), std::string("the program exited"));
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
}

QTEST_GUILESS_MAIN(LinkAttachTest)
#include "LinkAttachTest.moc"
