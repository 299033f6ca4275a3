#include <QtTest>

#include <QFile>
#include <QTemporaryDir>

#include <sys/stat.h>

#include <csignal>

#include <cstring>
#include <string>
#include <vector>

#include "native/LaunchedProgram.h"
#include "scenarios/ScenarioRunner.h"

using namespace poolscope;
using namespace poolscope::PreloadWire;

namespace {

// A library every program can preload without effect: these tests write the interposer's
// stream themselves, from a shell, to see what the launcher makes of it.
std::string harmlessLibrary() {
    for (const char* path :
         {"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
          "/lib64/libm.so.6", "/usr/lib64/libm.so.6"}) {
        if (QFile::exists(QString::fromLatin1(path))) {
            return path;
        }
    }
    return {};
}

// An interposer's stream, written as PreloadWire says.
class StreamBuilder {
public:
    StreamBuilder() {
        Hello hello{};
        std::memcpy(hello.magic, kMagic, sizeof hello.magic);
        hello.version = kVersion;
        hello.pid = 1;
        hello.startNanoseconds = 10;
        hello.pageBytes = 4096;
        append(&hello, sizeof hello, bytes_);
    }

    template <typename Record>
    StreamBuilder& record(Record record, RecordKind kind, std::string_view tail = {}) {
        record.header.kind = kind;
        record.header.bytes = static_cast<std::uint16_t>(sizeof record + tail.size());
        record.header.threadId = 5;
        record.header.timeNanoseconds = 20 + static_cast<std::int64_t>(records_);
        std::vector<unsigned char> payload(sizeof record);
        put(payload.data(), record);
        PacketHeader packet{static_cast<std::uint32_t>(payload.size() + tail.size()), 1};
        append(&packet, sizeof packet, bytes_);
        append(payload.data(), payload.size(), bytes_);
        append(tail.data(), tail.size(), bytes_);
        ++records_;
        return *this;
    }

    QByteArray bytes() const {
        return QByteArray(reinterpret_cast<const char*>(bytes_.data()),
                          static_cast<qsizetype>(bytes_.size()));
    }

private:
    static void append(const void* data, std::size_t size, std::vector<unsigned char>& out) {
        const auto* begin = static_cast<const unsigned char*>(data);
        out.insert(out.end(), begin, begin + size);
    }

    std::vector<unsigned char> bytes_;
    std::size_t records_ = 0;
};

}  // namespace

class LaunchedProgramTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir directory_;
    std::string library_;

    LaunchedProgram::Options shell(const QString& script) const {
        LaunchedProgram::Options options;
        options.program = "/bin/sh";
        options.arguments = {"-c", script.toStdString()};
        options.preloadLibrary = library_;
        return options;
    }

    static QString launchErrorOf(const LaunchedProgram::Options& options, bool* offerAttach) {
        try {
            LaunchedProgram program(options);
        } catch (const LaunchError& error) {
            *offerAttach = error.offerAttach();
            return QString::fromUtf8(error.what());
        }
        return {};
    }

private slots:
    void initTestCase() {
        QVERIFY(directory_.isValid());
        library_ = harmlessLibrary();
        if (library_.empty()) {
            QSKIP("no libm.so.6 to preload in its known places");
        }
    }

    void stream_becomesEventsLeftBehindAndOpenDescriptors() {
        Allocation block{};
        block.header.call = static_cast<std::uint8_t>(HeapCall::NewArray);
        block.address = 0x1000;
        block.bytes = 1000;
        Allocation freed = block;
        freed.address = 0x2000;
        Release release{};
        release.address = 0x2000;
        DescriptorOpened file{};
        file.header.call = static_cast<std::uint8_t>(DescriptorCall::Open);
        file.fd = 9;
        file.pathBytes = 9;
        DroppedRecords dropped{};
        dropped.records = 3;
        const QByteArray stream = StreamBuilder()
                                      .record(block, RecordKind::Allocate)
                                      .record(freed, RecordKind::Allocate)
                                      .record(release, RecordKind::Free)
                                      .record(file, RecordKind::DescriptorOpen, "/etc/data")
                                      .record(dropped, RecordKind::Dropped)
                                      .bytes();
        const QString streamPath = directory_.filePath(QStringLiteral("stream.bin"));
        QFile out(streamPath);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(stream);
        out.close();

        LaunchedProgram program(shell(QStringLiteral("cat '%1' >&$%2; exit 7")
                                          .arg(streamPath, QString::fromLatin1(kFdVariable))));
        program.waitUntilEnded();
        QVERIFY(program.ended());
        QCOMPARE(program.exit()->exitCode, 7);
        QCOMPARE(program.exit()->status(), 7);
        std::vector<MemoryEvent> events;
        program.drain(events);
        QCOMPARE(events.size(), std::size_t{4});
        QCOMPARE(program.interposerDroppedRecords(), std::uint64_t{3});
        QCOMPARE(program.droppedEvents(), std::uint64_t{3});

        const std::vector<LeakRecord> left = program.leftBehind();
        QCOMPARE(left.size(), std::size_t{2});
        QCOMPARE(left[0].bytes, std::uint64_t{1000});
        QCOMPARE(left[0].tag, std::string("new[]"));
        QCOMPARE(left[1].tier, MemoryTier::Descriptor);
        const std::vector<NativeLiveState::Descriptor> open = program.openDescriptors();
        QCOMPARE(open.size(), std::size_t{1});
        QCOMPARE(open[0].path, std::string("/etc/data"));
        QVERIFY(QString::fromStdString(program.endReason()).contains(QStringLiteral("status 7")));
    }

    void stream_brokenIsSaidAndTheProgramStillEnds() {
        LaunchedProgram program(shell(
            QStringLiteral("echo this-is-not-the-stream-that-an-interposer-writes >&$%1; exit 0")
                .arg(QString::fromLatin1(kFdVariable))));
        program.waitUntilEnded();
        QCOMPARE(program.exit()->status(), 0);
        QVERIFY2(QString::fromStdString(program.endReason()).contains(QStringLiteral("broken")),
                 program.endReason().c_str());
    }

    void program_silentSaysTheInterposerDidNotStart() {
        LaunchedProgram program(shell(QStringLiteral("exit 0")));
        program.waitUntilEnded();
        QVERIFY(QString::fromStdString(program.endReason())
                    .contains(QStringLiteral("interposer did not start")));
    }

    void program_killedBySignalReportsTheSignal() {
        LaunchedProgram program(shell(QStringLiteral("kill -SEGV $$")));
        program.waitUntilEnded();
        QCOMPARE(program.exit()->signal, SIGSEGV);
        QCOMPARE(program.exit()->status(), 128 + SIGSEGV);
        QVERIFY(QString::fromStdString(program.endReason()).contains(QStringLiteral("SIGSEGV")));
    }

    void program_endsWhileAChildStillHoldsThePipe() {
        LaunchedProgram program(shell(QStringLiteral("sleep 30 >/dev/null 2>&1 & exit 4")));
        program.waitUntilEnded();
        QCOMPARE(program.exit()->exitCode, 4);
    }

    void program_endsAfterClosingThePipeEarly() {
        LaunchedProgram program(shell(QStringLiteral("exec 3>&-; eval \"exec $%1>&-\"; exit 5")
                                          .arg(QString::fromLatin1(kFdVariable))));
        program.waitUntilEnded();
        QCOMPARE(program.exit()->exitCode, 5);
    }

    void terminate_endsARunningProgram() {
        LaunchedProgram program(shell(QStringLiteral("exec sleep 60")));
        QVERIFY(program.pid() > 0);
        program.terminate();
        program.waitUntilEnded();
        QCOMPARE(program.exit()->signal, SIGTERM);
    }

    void launch_missingProgramIsRefusedClearly() {
        bool offerAttach = true;
        LaunchedProgram::Options options;
        options.program = directory_.filePath(QStringLiteral("no-such-program")).toStdString();
        options.preloadLibrary = library_;
        const QString error = launchErrorOf(options, &offerAttach);
        QVERIFY2(error.contains(QStringLiteral("no such program")), qPrintable(error));
        QVERIFY(!offerAttach);
        options.program = "poolscope-no-such-program-in-path";
        QVERIFY(launchErrorOf(options, &offerAttach).contains(QStringLiteral("no such program")));
    }

    void launch_notExecutableIsRefusedClearly() {
        const QString path = directory_.filePath(QStringLiteral("plain.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("text\n");
        file.close();
        bool offerAttach = true;
        LaunchedProgram::Options options;
        options.program = path.toStdString();
        options.preloadLibrary = library_;
        const QString error = launchErrorOf(options, &offerAttach);
        QVERIFY2(error.contains(QStringLiteral("not executable")), qPrintable(error));
        QVERIFY(!offerAttach);
    }

    void launch_setuidProgramOffersAttach() {
        const QString path = directory_.filePath(QStringLiteral("setuid-true"));
        QVERIFY(QFile::copy(QStringLiteral("/bin/true"), path));
        QCOMPARE(::chmod(path.toLocal8Bit().constData(), 04755), 0);
        bool offerAttach = false;
        LaunchedProgram::Options options;
        options.program = path.toStdString();
        options.preloadLibrary = library_;
        const QString error = launchErrorOf(options, &offerAttach);
        QVERIFY2(error.contains(QStringLiteral("setuid")), qPrintable(error));
        QVERIFY(error.contains(QStringLiteral("poolscope attach")));
        QVERIFY(offerAttach);
    }

    void launch_missingInterposerIsRefused() {
        bool offerAttach = false;
        LaunchedProgram::Options options;
        options.program = "/bin/true";
        options.preloadLibrary = directory_.filePath(QStringLiteral("none.so")).toStdString();
        QVERIFY(launchErrorOf(options, &offerAttach).contains(QStringLiteral("interposer")));
    }

    void launch_missingWorkingDirectoryIsRefused() {
        bool offerAttach = false;
        LaunchedProgram::Options options = shell(QStringLiteral("exit 0"));
        options.workingDirectory = directory_.filePath(QStringLiteral("gone")).toStdString();
        QVERIFY(launchErrorOf(options, &offerAttach).contains(QStringLiteral("cannot start")));
    }
};

QTEST_GUILESS_MAIN(LaunchedProgramTest)
#include "LaunchedProgramTest.moc"
