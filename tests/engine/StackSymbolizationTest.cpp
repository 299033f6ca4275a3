#include <QtTest>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "diagnostics/Frame.h"
#include "diagnostics/StackTable.h"
#include "diagnostics/Symbolizer.h"
#include "recording/RecordingReader.h"

using namespace poolscope;

namespace {

constexpr int kProgramTimeoutMilliseconds = 120'000;

// The lines of the program's source marked "// MARK:name", by name.
std::map<std::string, int> markedLines() {
    std::map<std::string, int> lines;
    std::ifstream source(POOLSCOPE_INLINE_STACKS_SOURCE);
    std::string text;
    for (int number = 1; std::getline(source, text); ++number) {
        const std::size_t mark = text.find("// MARK:");
        if (mark != std::string::npos) {
            lines[text.substr(mark + 8)] = number;
        }
    }
    return lines;
}

// The stacks of a recording's events, by allocation id.
std::map<AllocationId, StackId> stacksOf(const RecordingReader& reader) {
    std::map<AllocationId, StackId> stacks;
    for (const RecordedEvent& recorded : reader.events(0, 1000)) {
        stacks[recorded.event.allocationId] = recorded.event.stackId;
    }
    return stacks;
}

bool sameFile(const std::string& file) {
    return QString::fromStdString(file).endsWith(QStringLiteral("InlineStacksProgram.cpp"));
}

QString describe(const std::vector<Frame>& frames) {
    QString text;
    for (const Frame& frame : frames) {
        text += QString::fromStdString(frame.toString()) + QLatin1Char('\n');
    }
    return text;
}

// The frame naming `function` at the line marked `mark` (by default the function's name), and
// whether it is marked inlined.
void expectFrame(const std::vector<Frame>& frames, std::size_t index, const std::string& function,
                 bool inlined, const std::string& mark = {}) {
    const std::map<std::string, int> lines = markedLines();
    QVERIFY2(index < frames.size(), qPrintable(describe(frames)));
    const Frame& frame = frames[index];
    QVERIFY2(frame.function.find(function) != std::string::npos, qPrintable(describe(frames)));
    QVERIFY2(sameFile(frame.file), qPrintable(describe(frames)));
    QCOMPARE(frame.line, lines.at(mark.empty() ? function : mark));
    QCOMPARE(frame.inlined, inlined);
}

// The inlined stack of the program, innermost first: two inlined helpers, the function they
// were inlined into, main.
void expectInlinedStack(const std::vector<Frame>& frames) {
    expectFrame(frames, 0, "innermostHelper", true);
    expectFrame(frames, 1, "middleHelper", true);
    expectFrame(frames, 2, "outerFunction", false);
    expectFrame(frames, 3, "main", false);
    // One captured address stood for the first three frames.
    QCOMPARE(frames[0].address, frames[2].address);
    QVERIFY(frames[3].address != frames[2].address);
    QVERIFY(frames[0].moduleOffset != 0);
}

}  // namespace

class StackSymbolizationTest : public QObject {
    Q_OBJECT

private slots:
    void inlineStacks_nameEveryFrameAtItsSourceLine_withInlinedHelpersAsFrames() {
        const QString path = directory_.filePath(QStringLiteral("inline.psrec"));
        QProcess program;
        program.start(QStringLiteral(POOLSCOPE_INLINE_STACKS_PROGRAM),
                      {QStringLiteral("record"), path});
        QVERIFY(program.waitForFinished(kProgramTimeoutMilliseconds));
        QCOMPARE(program.exitCode(), 0);

        const RecordingReader reader(path.toStdString());
        QVERIFY(reader.finished());
        const std::map<AllocationId, StackId> stacks = stacksOf(reader);
        expectInlinedStack(reader.stack(stacks.at(1)));
        const std::vector<Frame> other = reader.stack(stacks.at(2));
        expectFrame(other, 0, "otherFunction", false);
        expectFrame(other, 1, "main", false, "main calling otherFunction");
    }

    void killedRecording_namesEveryCommittedStackWithoutItsBinary() {
        // A copy of the program that is deleted once killed: the names can come only from
        // the recording.
        const QString copy = directory_.filePath(QStringLiteral("inline-stacks-copy"));
        QVERIFY(QFile::copy(QStringLiteral(POOLSCOPE_INLINE_STACKS_PROGRAM), copy));
        QVERIFY(QFile::setPermissions(copy, QFile::ReadOwner | QFile::ExeOwner));
        const QString path = directory_.filePath(QStringLiteral("killed.psrec"));
        QProcess program;
        program.start(copy, {QStringLiteral("record-and-wait"), path});
        QVERIFY(program.waitForStarted());
        while (!program.readAllStandardOutput().contains("committed")) {
            QVERIFY2(program.state() == QProcess::Running, "the program ended before committing");
            QVERIFY(program.waitForReadyRead(kProgramTimeoutMilliseconds));
        }
        program.kill();  // SIGKILL: nothing is finished or flushed
        QVERIFY(program.waitForFinished());
        QVERIFY(QFile::remove(copy));

        const RecordingReader reader(path.toStdString());
        QVERIFY(!reader.finished());
        const std::map<AllocationId, StackId> stacks = stacksOf(reader);
        QCOMPARE(stacks.size(), std::size_t{2});
        expectInlinedStack(reader.stack(stacks.at(1)));
        for (const auto& [allocation, stackId] : stacks) {
            const std::vector<Frame> frames = reader.stack(stackId);
            const auto main = std::find_if(frames.begin(), frames.end(),
                                           [](const Frame& f) { return f.function == "main"; });
            QVERIFY2(main != frames.end(), qPrintable(describe(frames)));
            QVERIFY2(std::all_of(frames.begin(), main,
                                 [](const Frame& f) { return !f.function.empty(); }),
                     qPrintable(describe(frames)));
        }
        // The recording names the module whose file is gone.
        const std::vector<RecordedModule>& modules = reader.modules();
        QVERIFY(std::any_of(modules.begin(), modules.end(), [&](const RecordedModule& m) {
            return m.module.path == copy.toStdString() && !m.module.buildId.empty() &&
                   m.problem == "the file is missing";
        }));
    }

    void recordingOfAnotherProcess_isNamedFromItsBinaryByModuleOffset() {
        // The recording keeps modules and offsets only; this process has not loaded the
        // program at all, so only its file and the offsets can name the frames.
        const QString path = directory_.filePath(QStringLiteral("unnamed.psrec"));
        QProcess program;
        program.start(QStringLiteral(POOLSCOPE_INLINE_STACKS_PROGRAM),
                      {QStringLiteral("record-unnamed"), path});
        QVERIFY(program.waitForFinished(kProgramTimeoutMilliseconds));
        QCOMPARE(program.exitCode(), 0);

        const RecordingReader reader(path.toStdString());
        const std::vector<RecordedModule>& modules = reader.modules();
        const auto executable =
            std::find_if(modules.begin(), modules.end(), [](const RecordedModule& m) {
                return QString::fromStdString(m.module.path)
                    .endsWith(QStringLiteral("poolscope_inline_stacks"));
            });
        QVERIFY(executable != modules.end());
        QVERIFY(executable->problem.empty());
        const std::map<AllocationId, StackId> stacks = stacksOf(reader);
        expectInlinedStack(reader.stack(stacks.at(1)));
    }

    void symbolizer_boundsItsCachesAndGivesEverythingBack() {
        const std::vector<std::uintptr_t> addresses = StackTable::instance().frames(captureStack());
        QVERIFY(addresses.size() >= 3);
        Symbolizer symbolizer(Symbolizer::Limits{.maxCachedAddresses = 2, .maxOpenModules = 1});
        std::vector<Frame> first;
        for (std::uintptr_t address : addresses) {
            const std::vector<Frame> frames = symbolizer.symbolize(address);
            first.insert(first.end(), frames.begin(), frames.end());
            QVERIFY(symbolizer.cachedAddressCount() <= 2);
            QVERIFY(symbolizer.openModuleCount() <= 1);
        }
        QVERIFY2(first.front().function.find("symbolizer_boundsItsCachesAndGivesEverythingBack") !=
                     std::string::npos,
                 first.front().function.c_str());
        symbolizer.releaseMemory();
        QCOMPARE(symbolizer.cachedAddressCount(), std::size_t{0});
        QCOMPARE(symbolizer.openModuleCount(), std::size_t{0});
        // Named again, the same, after everything was given back.
        std::vector<Frame> again;
        for (std::uintptr_t address : addresses) {
            const std::vector<Frame> frames = symbolizer.symbolize(address);
            again.insert(again.end(), frames.begin(), frames.end());
        }
        QCOMPARE(again.size(), first.size());
        QVERIFY(again == first);
    }

    void symbolizer_explainsModulesWithoutNames() {
        Symbolizer symbolizer;
        const LoadedModule gone{"/nonexistent/libgone.so", "00ff", 0x7f0000000000};
        const std::vector<Frame> frames = symbolizer.symbolize(gone, 0x1234, 0x7f0000001234);
        QCOMPARE(frames.size(), std::size_t{1});
        QVERIFY(frames[0].function.empty());
        QCOMPARE(frames[0].module, gone.path);
        QCOMPARE(frames[0].moduleOffset, std::uint64_t{0x1234});
        const std::vector<ModuleSymbolStatus> missing = symbolizer.missingSymbols();
        QCOMPARE(missing.size(), std::size_t{1});
        QCOMPARE(missing[0].module, gone.path);
        QCOMPARE(missing[0].unnamedFrames, std::uint64_t{1});
        QCOMPARE(missing[0].reason, std::string("the file is missing"));
    }

    void shortenTemplateArguments_keepsOperatorsAndNesting() {
        QCOMPARE(shortenTemplateArguments(
                     "std::vector<int, std::allocator<int> >::push_back(int const&)"),
                 std::string("std::vector<…>::push_back(int const&)"));
        QCOMPARE(shortenTemplateArguments("bool operator< <Foo>(Foo, Foo)"),
                 std::string("bool operator< <…>(Foo, Foo)"));
        QCOMPARE(shortenTemplateArguments("std::ostream& operator<<(std::ostream&, Foo)"),
                 std::string("std::ostream& operator<<(std::ostream&, Foo)"));
        QCOMPARE(shortenTemplateArguments("plain(int)"), std::string("plain(int)"));
    }

    void frameToString_marksInlinedFrames() {
        Frame frame{"f()", "a.cpp", 12, "libx.so", 0x10, 0x8, true};
        QCOMPARE(frame.toString(), std::string("f() (a.cpp:12) [inlined]"));
        frame.inlined = false;
        frame.file.clear();
        QCOMPARE(frame.toString(), std::string("f() [libx.so]"));
        frame.function.clear();
        QCOMPARE(frame.toString(), std::string("0x10 [libx.so]"));
    }

private:
    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(StackSymbolizationTest)
#include "StackSymbolizationTest.moc"
