#include <QtTest>

#include <string>

#include "native/ProcError.h"
#include "native/ProcSampleSummary.h"
#include "native/ProcText.h"

using namespace poolscope;

namespace {

// As a 6.x kernel writes them (trimmed of lines nothing reads).
constexpr const char* kStatus =
    "Name:\tpython3\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t4296\n"
    "Groups:\t \n"
    "VmPeak:\t  412060 kB\n"
    "VmHWM:\t  160340 kB\n"
    "VmRSS:\t  160340 kB\n"
    "RssAnon:\t  150112 kB\n"
    "RssFile:\t    9204 kB\n"
    "RssShmem:\t    1024 kB\n"
    "VmSwap:\t     512 kB\n"
    "Threads:\t4\n"
    "Speculation_Store_Bypass:\tthread vulnerable\n"
    "voluntary_ctxt_switches:\t0\n";

constexpr const char* kZombieStatus =
    "Name:\tsleep\n"
    "State:\tZ (zombie)\n"
    "Tgid:\t4300\n"
    "Threads:\t1\n";

constexpr const char* kSmapsRollup =
    "55e13f7a9000-7ffea0619000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:                1752 kB\n"
    "Pss:                 235 kB\n"
    "Pss_Dirty:           112 kB\n"
    "Pss_Anon:            112 kB\n"
    "Pss_File:            123 kB\n"
    "Pss_Shmem:             0 kB\n"
    "Shared_Clean:       1600 kB\n"
    "Anonymous:           112 kB\n"
    "Swap:                 64 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n";

// A kernel before 5.8: no split of the PSS.
constexpr const char* kOlderSmapsRollup =
    "00400000-7ffea0619000 ---p 00000000 00:00 0 [rollup]\n"
    "Rss:                2000 kB\n"
    "Pss:                1000 kB\n"
    "Anonymous:           300 kB\n"
    "Swap:                  0 kB\n";

QString messageOf(const auto& parse) {
    try {
        parse();
    } catch (const ProcError& error) {
        return error.kind() == ProcError::Kind::Malformed ? QString::fromStdString(error.what())
                                                          : QStringLiteral("wrong kind");
    }
    return {};
}

ProcSample sampleAt(double seconds, std::uint64_t residentMiB, std::uint32_t descriptors) {
    ProcSample sample;
    sample.timeNanoseconds = static_cast<std::int64_t>(seconds * 1e9);
    sample.status.residentBytes = residentMiB << 20;
    sample.rollup.proportionalBytes = (residentMiB << 20) / 2;
    sample.descriptors = descriptors;
    return sample;
}

}  // namespace

class ProcTextTest : public QObject {
    Q_OBJECT

private slots:
    void status_isReadInBytes();
    void status_ofAZombieOrAnExitingProcessSaysItExited();
    void status_refusesABadSizeNamingTheLine();
    void status_refusesALineWithoutAColon();
    void status_refusesAMissingFigure();
    void smapsRollup_isReadInBytes();
    void smapsRollup_withoutPssSplitHasNone();
    void smapsRollup_refusesABadSizeNamingTheLine();
    void smapsRollup_refusesAMissingHeaderOrFigure();
    void summary_hasPeakGrowthAndDescriptorsAtBothEnds();
    void statStartBrk_isField47CountedPastANameWithSpacesAndParentheses();
    void statStartBrk_refusesAShortOrBadLineNamingTheField();
};

void ProcTextTest::status_isReadInBytes() {
    const ProcStatusFigures figures = ProcText::parseStatus(kStatus);
    QCOMPARE(figures.name, std::string("python3"));
    QVERIFY(!figures.exited);
    QCOMPARE(figures.residentBytes, 160340ull * 1024);
    QCOMPARE(figures.anonymousBytes, 150112ull * 1024);
    QCOMPARE(figures.fileBytes, 9204ull * 1024);
    QCOMPARE(figures.sharedMemoryBytes, 1024ull * 1024);
    QCOMPARE(figures.swapBytes, 512ull * 1024);
    QCOMPARE(figures.threads, 4u);
}

void ProcTextTest::status_ofAZombieOrAnExitingProcessSaysItExited() {
    const ProcStatusFigures zombie = ProcText::parseStatus(kZombieStatus);
    QVERIFY(zombie.exited);
    QCOMPARE(zombie.name, std::string("sleep"));
    QCOMPARE(zombie.residentBytes, 0ull);
    // Still running its exit, past letting go of its memory.
    const ProcStatusFigures exiting =
        ProcText::parseStatus("Name:\tpython3\nState:\tR (running)\nThreads:\t1\n");
    QVERIFY(exiting.exited);
    QVERIFY(!ProcText::parseStatus(kStatus).exited);
}

void ProcTextTest::status_refusesABadSizeNamingTheLine() {
    std::string text = kStatus;
    text.replace(text.find("  160340 kB\nRssAnon"), 9, "  16o340 ");
    QCOMPARE(messageOf([&] { ProcText::parseStatus(text); }),
             QStringLiteral("status line 8: 'VmRSS:\t  16o340 kB' is not a size in kB"));
    QCOMPARE(messageOf([] { ProcText::parseStatus("Name:\tx\nRssFile:\t12 MB\n"); }),
             QStringLiteral("status line 2: 'RssFile:\t12 MB' is not a size in kB"));
    QCOMPARE(messageOf([] { ProcText::parseStatus("Name:\tx\nThreads:\tmany\n"); }),
             QStringLiteral("status line 2: 'Threads:\tmany' is not a number of threads"));
}

void ProcTextTest::status_refusesALineWithoutAColon() {
    QCOMPARE(messageOf([] { ProcText::parseStatus("Name:\tx\nState:\tS\ngarbage here\n"); }),
             QStringLiteral("status line 3: 'garbage here' has no ':'"));
}

void ProcTextTest::status_refusesAMissingFigure() {
    std::string text = kStatus;
    text.erase(text.find("VmSwap"), std::string("VmSwap:\t     512 kB\n").size());
    QCOMPARE(messageOf([&] { ProcText::parseStatus(text); }),
             QStringLiteral("status: no VmSwap line"));
    QCOMPARE(messageOf([] { ProcText::parseStatus(""); }), QStringLiteral("status: no Name line"));
}

void ProcTextTest::smapsRollup_isReadInBytes() {
    const ProcRollupFigures figures = ProcText::parseSmapsRollup(kSmapsRollup);
    QCOMPARE(figures.residentBytes, 1752ull * 1024);
    QCOMPARE(figures.proportionalBytes, 235ull * 1024);
    QCOMPARE(figures.anonymousBytes, 112ull * 1024);
    QCOMPARE(figures.swapBytes, 64ull * 1024);
    QCOMPARE(figures.proportionalAnonymousBytes, std::optional<std::uint64_t>(112ull * 1024));
    QCOMPARE(figures.proportionalFileBytes, std::optional<std::uint64_t>(123ull * 1024));
}

void ProcTextTest::smapsRollup_withoutPssSplitHasNone() {
    const ProcRollupFigures figures = ProcText::parseSmapsRollup(kOlderSmapsRollup);
    QCOMPARE(figures.proportionalBytes, 1000ull * 1024);
    QVERIFY(!figures.proportionalAnonymousBytes);
    QVERIFY(!figures.proportionalFileBytes);
}

void ProcTextTest::smapsRollup_refusesABadSizeNamingTheLine() {
    std::string text = kSmapsRollup;
    text.replace(text.find("235 kB"), 6, "-235 kB");
    QCOMPARE(messageOf([&] { ProcText::parseSmapsRollup(text); }),
             QStringLiteral("smaps_rollup line 3: 'Pss:                 -235 kB' is not a size "
                            "in kB"));
    QCOMPARE(messageOf([] {
                 ProcText::parseSmapsRollup(
                     "0-1 ---p 0 00:00 0 [rollup]\nRss: 99999999999999999999 kB\n");
             }),
             QStringLiteral("smaps_rollup line 2: 'Rss: 99999999999999999999 kB' is not a size "
                            "in kB"));
}

void ProcTextTest::smapsRollup_refusesAMissingHeaderOrFigure() {
    QCOMPARE(messageOf([] { ProcText::parseSmapsRollup(""); }),
             QStringLiteral("smaps_rollup is empty"));
    QCOMPARE(messageOf([] { ProcText::parseSmapsRollup("Rss: 1 kB\nPss: 1 kB\n"); }),
             QStringLiteral("smaps_rollup line 1: 'Rss: 1 kB' is not the [rollup] header"));
    std::string text = kOlderSmapsRollup;
    text.erase(text.find("Anonymous"));
    QCOMPARE(messageOf([&] { ProcText::parseSmapsRollup(text); }),
             QStringLiteral("smaps_rollup: no Anonymous line"));
}

void ProcTextTest::summary_hasPeakGrowthAndDescriptorsAtBothEnds() {
    const std::vector<ProcSample> samples = {sampleAt(10.0, 100, 5), sampleAt(10.5, 300, 9),
                                             sampleAt(11.0, 250, 7)};
    const ProcSampleSummary summary = ProcSampleSummary::of(samples);
    QCOMPARE(summary.samples, 3ull);
    QCOMPARE(summary.seconds, 1.0);
    QCOMPARE(summary.peakResidentBytes, 300ull << 20);
    QCOMPARE(summary.peakResidentSeconds, 0.5);
    QCOMPARE(summary.peakProportionalBytes, 150ull << 20);
    QCOMPARE(summary.residentGrowthBytes(), std::int64_t{150} << 20);
    QCOMPARE(summary.firstDescriptors, 5u);
    QCOMPARE(summary.lastDescriptors, 7u);
    QCOMPARE(summary.peakDescriptors, 9u);
    QCOMPARE(ProcSampleSummary::of({}).samples, 0ull);
}

void ProcTextTest::statStartBrk_isField47CountedPastANameWithSpacesAndParentheses() {
    // A command may be named ") x (": fields are counted from the last ')'.
    const std::string fields =
        " R 7497 7497 1268 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 64177 3133440 383 "
        "18446744073709551615 94365665083392 94365665103273 140730193166464 0 0 0 0 0 0 0 0 0 17 "
        "0 0 0 0 0 0 94365665119280 94365665120896 94365693427712 140730193169026 "
        "140730193169046 140730193169046 140730193170411 0\n";
    QCOMPARE(ProcText::parseStatStartBrk("7501 (cat)" + fields), 94365693427712ull);
    QCOMPARE(ProcText::parseStatStartBrk("7501 (a ) b (c)" + fields), 94365693427712ull);
}

void ProcTextTest::statStartBrk_refusesAShortOrBadLineNamingTheField() {
    QCOMPARE(messageOf([] { ProcText::parseStatStartBrk("7501 cat R 1 2"); }),
             QStringLiteral("stat: no ')' after the command name"));
    QCOMPARE(messageOf([] { ProcText::parseStatStartBrk("7501 (cat) R 1 2\n"); }),
             QStringLiteral("stat: 3 fields after the command name; start_brk is field 47"));
    std::string text = "7501 (cat)";
    for (int field = 3; field < 47; ++field) {
        text += " 0";
    }
    QCOMPARE(messageOf([&] { ProcText::parseStatStartBrk(text + " 0x55 0\n"); }),
             QStringLiteral("stat field 47 (start_brk): '0x55' is not a number"));
    QCOMPARE(ProcText::parseStatStartBrk(text + " 4096 0\n"), 4096ull);
}

QTEST_APPLESS_MAIN(ProcTextTest)
#include "ProcTextTest.moc"
