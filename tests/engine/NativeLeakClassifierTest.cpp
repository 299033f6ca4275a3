#include <QtTest>

#include <string>
#include <vector>

#include "native/LeakSuppressions.h"
#include "native/NativeLeakClassifier.h"

using namespace poolscope;

namespace {

Frame frame(std::string function, std::string module) {
    Frame made;
    made.function = std::move(function);
    made.module = std::move(module);
    return made;
}

const std::string kLibc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const std::string kLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30";
const std::string kLoader = "/usr/lib64/ld-linux-x86-64.so.2";
const std::string kProgram = "/home/someone/build/tool";

LeakRecord leak(std::vector<Frame> stack, std::uint64_t bytes = 16) {
    LeakRecord record;
    record.bytes = bytes;
    record.stack = std::move(stack);
    return record;
}

}  // namespace

class NativeLeakClassifierTest : public QObject {
    Q_OBJECT

private slots:
    void runtimeOwned_stdioBufferUnderTheProgramsPrintf() {
        QVERIFY(NativeLeakClassifier::isRuntimeOwned(
            {frame("_IO_file_doallocate", kLibc), frame("_IO_doallocbuf", kLibc),
             frame("printf", kLibc), frame("main", kProgram)}));
    }

    void runtimeOwned_stackWithNoFrameOfTheProgram() {
        QVERIFY(NativeLeakClassifier::isRuntimeOwned(
            {frame("", kLibstdcxx), frame("_dl_init", kLoader)}));
    }

    void runtimeOwned_notForTheProgramsOwnMallocThroughLibc() {
        QVERIFY(!NativeLeakClassifier::isRuntimeOwned(
            {frame("strdup", kLibc), frame("leak_copy", kProgram), frame("main", kProgram)}));
    }

    void runtimeOwned_notForAStackWithoutFrames() {
        QVERIFY(!NativeLeakClassifier::isRuntimeOwned({}));
    }

    void runtimeOwned_programFrameInnerToALocaleCallIsTheProgramsLeak() {
        QVERIFY(!NativeLeakClassifier::isRuntimeOwned(
            {frame("make_table", kProgram), frame("setlocale_callback", kProgram)}));
    }

    void isRuntimeModule_byFileNameNotDirectory() {
        QVERIFY(NativeLeakClassifier::isRuntimeModule(kLibc));
        QVERIFY(NativeLeakClassifier::isRuntimeModule(kLoader));
        QVERIFY(NativeLeakClassifier::isRuntimeModule("/opt/build/lib/libpoolscope_preload.so"));
        QVERIFY(!NativeLeakClassifier::isRuntimeModule("/usr/lib/libc.so.6/../tool"));
        QVERIFY(!NativeLeakClassifier::isRuntimeModule("/usr/lib/x86_64-linux-gnu/libcurl.so.4"));
    }

    void patternMatches_substringWildcardAndAnchors() {
        QVERIFY(LeakSuppressions::patternMatches("leak_copy", "my_leak_copy_helper"));
        QVERIFY(LeakSuppressions::patternMatches("^leak_*_helper$", "leak_copy_helper"));
        QVERIFY(!LeakSuppressions::patternMatches("^leak_copy$", "my_leak_copy"));
        QVERIFY(!LeakSuppressions::patternMatches("^leak", "my_leak"));
        QVERIFY(LeakSuppressions::patternMatches("libfoo.so", "/usr/lib/libfoo.so.1"));
        QVERIFY(!LeakSuppressions::patternMatches("copy$", "copy_more"));
        QVERIFY(!LeakSuppressions::patternMatches("leak", ""));
    }

    void parse_readsLeakLinesAndSkipsCommentsAndBlanks() {
        const LeakSuppressions suppressions = LeakSuppressions::parse(
            "# known\n\nleak:cache_init  # kept on purpose\n  leak:libfoo.so\n", "file.supp");
        QCOMPARE(suppressions.patterns(), (std::vector<std::string>{"cache_init", "libfoo.so"}));
    }

    void parse_refusesAnotherKindNamingTheLine() {
        try {
            LeakSuppressions::parse("leak:a\nrace:b\n", "file.supp");
            QFAIL("a race: line was taken");
        } catch (const LeakSuppressionsError& error) {
            QVERIFY(std::string(error.what()).find("file.supp:2") != std::string::npos);
        }
    }

    void load_missingFileSaysWhich() {
        try {
            LeakSuppressions::load("/nonexistent/poolscope.supp");
            QFAIL("a missing file was read");
        } catch (const LeakSuppressionsError& error) {
            QVERIFY(std::string(error.what()).find("/nonexistent/poolscope.supp") !=
                    std::string::npos);
        }
    }

    void classify_sortsOwnRuntimeAndSuppressed() {
        const LeakSuppressions suppressions =
            LeakSuppressions::parse("leak:known_cache\n", "file.supp");
        const NativeLeaks sorted = NativeLeakClassifier::classify(
            {leak({frame("leak_copy", kProgram), frame("main", kProgram)}, 10),
             leak({frame("setlocale", kLibc), frame("main", kProgram)}, 20),
             leak({frame("known_cache", kProgram)}, 30)},
            suppressions);
        QCOMPARE(sorted.own.size(), std::size_t{1});
        QCOMPARE(sorted.own[0].bytes, std::uint64_t{10});
        QCOMPARE(sorted.runtimeOwned.size(), std::size_t{1});
        QCOMPARE(sorted.runtimeOwned[0].bytes, std::uint64_t{20});
        QCOMPARE(sorted.suppressed.size(), std::size_t{1});
        QCOMPARE(sorted.suppressed[0].leak.bytes, std::uint64_t{30});
        QCOMPARE(sorted.suppressed[0].pattern, std::string("known_cache"));
    }
};

QTEST_GUILESS_MAIN(NativeLeakClassifierTest)
#include "NativeLeakClassifierTest.moc"
