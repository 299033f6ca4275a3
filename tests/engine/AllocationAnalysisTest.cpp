#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/CallTree.h"
#include "analysis/CollapsedStacks.h"
#include "analysis/PeakConsumers.h"
#include "analysis/StackNames.h"
#include "diagnostics/StackTable.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

Frame named(const char* function) {
    Frame frame;
    frame.function = function;
    return frame;
}

Frame unnamed(std::uint64_t address) {
    Frame frame;
    frame.address = address;
    return frame;
}

// The frames of the known pattern's stacks, innermost first; stack 4 has none.
StackNames patternNames() {
    static const std::map<StackId, std::vector<Frame>> stacks = {
        {1, {named("makeThumbnail"), named("main")}},
        {2, {named("decode;Png"), named("main")}},
        {3, {unnamed(0x1234), named("render"), named("main")}},
        {5, {named("makeThumbnail"), named("batch%"), named("main")}},
    };
    return StackNames([](StackId stackId) {
        const auto found = stacks.find(stackId);
        return found == stacks.end() ? std::vector<Frame>{} : found->second;
    });
}

CallSiteCost site(StackId stackId, std::uint64_t allocations, std::uint64_t bytes,
                  std::uint64_t temporaryAllocations, std::uint64_t temporaryBytes,
                  std::uint64_t leakedAllocations, std::uint64_t leakedBytes,
                  std::uint64_t peakAllocations, std::uint64_t peakBytes) {
    return {stackId,        allocations,       bytes,       temporaryAllocations,
            temporaryBytes, leakedAllocations, leakedBytes, peakAllocations,
            peakBytes};
}

constexpr std::uint64_t kPeak = 2 * kMiB + 300 + 8 * kMiB;

[[gnu::noinline]] StackId analysedLeafSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

[[gnu::noinline]] StackId analysedCallerSite() {
    volatile StackId stackId = analysedLeafSite();
    return stackId;
}

}  // namespace

class AllocationAnalysisTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void callSites_countEveryAllocationTemporaryLeakAndPeakOfTheRecording() {
        const AllocationAnalysis analysis = analysisOfPattern();
        QCOMPARE(analysis.events, std::uint64_t{11});
        QCOMPARE(analysis.firstEventNanoseconds, std::int64_t{1000});
        const std::vector<CallSiteCost> expected = {
            site(1, 3, 450, 2, 400, 1, 50, 1, 300),
            site(2, 1, 2 * kMiB, 0, 0, 1, 2 * kMiB, 1, 2 * kMiB),
            site(3, 1, 8 * kMiB, 0, 0, 0, 0, 1, 8 * kMiB),
            site(4, 1, 0, 0, 0, 1, 0, 0, 0),
        };
        QCOMPARE(analysis.sites, expected);
        QCOMPARE(analysis.total(), site(0, 6, 10 * kMiB + 450, 2, 400, 3, 2 * kMiB + 50, 3, kPeak));
    }

    void peakConsumers_areTheStacksAndFramesHoldingMostAtThePeak() {
        const AllocationAnalysis analysis = analysisOfPattern();
        StackNames names = patternNames();
        const PeakConsumers consumers = PeakConsumers::of(analysis, names);
        QCOMPARE(consumers.peakBytes, kPeak);
        QCOMPARE(consumers.peakNanoseconds, std::int64_t{5001});
        QCOMPARE(consumers.stacks.size(), std::size_t{3});
        QCOMPARE(consumers.stacks[0].stackId, StackId{3});
        QCOMPARE(consumers.stacks[0].bytes, 8 * kMiB);
        QCOMPARE(consumers.stacks[0].allocations, std::uint64_t{1});
        QCOMPARE(consumers.stacks[1].stackId, StackId{2});
        QCOMPARE(consumers.stacks[1].bytes, 2 * kMiB);
        QCOMPARE(consumers.stacks[2].stackId, StackId{1});
        QCOMPARE(consumers.stacks[2].bytes, std::uint64_t{300});
        QCOMPARE(consumers.frames.size(), std::size_t{3});
        QCOMPARE(consumers.frames[0].frame, std::string("0x1234"));
        QCOMPARE(consumers.frames[0].bytes, 8 * kMiB);
        QCOMPARE(consumers.frames[1].frame, std::string("decode;Png"));
        QCOMPARE(consumers.frames[2].frame, std::string("makeThumbnail"));
        QCOMPARE(consumers.frames[2].bytes, std::uint64_t{300});
    }

    void peakConsumers_addUpTheStacksThatShareTheirInnermostFrame() {
        using Kind = MemoryEventKind;
        const std::vector<MemoryEvent> events = {
            allocationEvent(Kind::UnpooledAllocate, 1, 1000, 1, 1, 10),
            allocationEvent(Kind::UnpooledAllocate, 2, 3000, 5, 1, 20),
            allocationEvent(Kind::UnpooledAllocate, 3, 2000, 2, 1, 30),
        };
        const AllocationAnalysis analysis = analysisOf(events);
        StackNames names = patternNames();
        const PeakConsumers consumers = PeakConsumers::of(analysis, names);
        QCOMPARE(consumers.peakBytes, std::uint64_t{6000});
        QCOMPARE(consumers.stacks.front().stackId, StackId{5});
        QCOMPARE(consumers.frames.size(), std::size_t{2});
        QCOMPARE(consumers.frames[0].frame, std::string("makeThumbnail"));
        QCOMPARE(consumers.frames[0].bytes, std::uint64_t{4000});
        QCOMPARE(consumers.frames[0].allocations, std::uint64_t{2});
        QCOMPARE(consumers.frames[1].frame, std::string("decode;Png"));
    }

    void temporaryAllocations_followHeaptracksRulePerThread() {
        using Kind = MemoryEventKind;
        const std::vector<MemoryEvent> events = {
            // Another thread's allocation in between does not matter: temporary.
            allocationEvent(Kind::UnpooledAllocate, 1, 10, 1, 1, 10),
            allocationEvent(Kind::UnpooledAllocate, 2, 20, 2, 2, 11),
            allocationEvent(Kind::UnpooledFree, 1, 10, 1, 1, 12),
            // Its own thread allocating in between: not temporary.
            allocationEvent(Kind::UnpooledAllocate, 3, 30, 3, 1, 20),
            allocationEvent(Kind::UnpooledAllocate, 4, 40, 1, 1, 21),
            allocationEvent(Kind::UnpooledFree, 3, 30, 3, 1, 22),
            // Its own thread freeing something else in between: not temporary.
            allocationEvent(Kind::UnpooledAllocate, 5, 50, 3, 1, 30),
            allocationEvent(Kind::UnpooledFree, 4, 40, 1, 1, 31),
            allocationEvent(Kind::UnpooledFree, 5, 50, 3, 1, 32),
            // Freed by another thread than the one that made it: not temporary.
            allocationEvent(Kind::UnpooledAllocate, 6, 60, 2, 1, 40),
            allocationEvent(Kind::UnpooledFree, 6, 60, 2, 2, 41),
        };
        const AllocationAnalysis analysis = analysisOf(events);
        QCOMPARE(analysis.sites.size(), std::size_t{3});
        QCOMPARE(analysis.sites[0].temporaryAllocations, std::uint64_t{1});
        QCOMPARE(analysis.sites[0].temporaryBytes, std::uint64_t{10});
        QCOMPARE(analysis.sites[1].temporaryAllocations, std::uint64_t{0});
        QCOMPARE(analysis.sites[2].temporaryAllocations, std::uint64_t{0});
        QCOMPARE(analysis.total().temporaryAllocations, std::uint64_t{1});
    }

    void timeRange_analysesOnlyTheAllocationsMadeInIt() {
        const std::string path = recordingOfPattern();
        const RecordingReader reader(path);

        const AllocationAnalysis middle = AllocationAnalyzer::of(reader, {3000, 5001});
        const std::vector<CallSiteCost> expectedMiddle = {
            site(1, 1, 300, 1, 300, 0, 0, 1, 300),
            site(2, 1, 2 * kMiB, 0, 0, 1, 2 * kMiB, 1, 2 * kMiB),
            site(3, 1, 8 * kMiB, 0, 0, 0, 0, 1, 8 * kMiB),
        };
        QCOMPARE(middle.sites, expectedMiddle);
        QCOMPARE(middle.peakBytes, kPeak);
        QCOMPARE(middle.sizes.requests(), std::uint64_t{3});

        const AllocationAnalysis late = AllocationAnalyzer::of(reader, {6000, 9000});
        const std::vector<CallSiteCost> expectedLate = {
            site(1, 1, 50, 0, 0, 1, 50, 1, 50),
            site(4, 1, 0, 0, 0, 1, 0, 0, 0),  // made after the peak
        };
        QCOMPARE(late.sites, expectedLate);
        QCOMPARE(late.peakBytes, std::uint64_t{50});
        QCOMPARE(late.peakNanoseconds, std::int64_t{6500});
        QCOMPARE(late.sizes.requests(), std::uint64_t{1});
    }

    void sizeHistogram_bucketsEveryRequestBetweenPowersOfTwo() {
        const AllocationAnalysis analysis = analysisOfPattern();
        QCOMPARE(analysis.sizes.requests(), std::uint64_t{5});  // the descriptor left out
        const std::vector<SizeHistogram::Bucket> buckets = analysis.sizes.buckets();
        QCOMPARE(buckets.size(), std::size_t{18});  // (32, 64] to (4 MiB, 8 MiB]
        QCOMPARE(buckets.front(), (SizeHistogram::Bucket{32, 64, 1, 50}));
        QCOMPARE(buckets[1], (SizeHistogram::Bucket{64, 128, 1, 100}));
        QCOMPARE(buckets[2], (SizeHistogram::Bucket{128, 256, 0, 0}));
        QCOMPARE(buckets[3], (SizeHistogram::Bucket{256, 512, 1, 300}));
        QCOMPARE(buckets[15], (SizeHistogram::Bucket{kMiB, 2 * kMiB, 1, 2 * kMiB}));
        QCOMPARE(buckets[16], (SizeHistogram::Bucket{2 * kMiB, 4 * kMiB, 0, 0}));
        QCOMPARE(buckets[17], (SizeHistogram::Bucket{4 * kMiB, 8 * kMiB, 1, 8 * kMiB}));
        const std::vector<SizeHistogram::Threshold> thresholds = {{"small buffers", kMiB},
                                                                  {"pool chunk", 4 * kMiB}};
        QCOMPARE(analysis.thresholds, thresholds);
    }

    void sizeHistogram_putsEachThresholdAtTheTopOfItsBucket() {
        SizeHistogram histogram;
        for (const std::uint64_t bytes : {std::uint64_t{0}, std::uint64_t{1}, kMiB, kMiB + 1}) {
            histogram.add(bytes);
        }
        const std::vector<SizeHistogram::Bucket> buckets = histogram.buckets();
        QCOMPARE(buckets.size(), std::size_t{22});
        QCOMPARE(buckets.front(), (SizeHistogram::Bucket{0, 1, 2, 1}));
        QCOMPARE(buckets[20], (SizeHistogram::Bucket{kMiB / 2, kMiB, 1, kMiB}));
        QCOMPARE(buckets[21], (SizeHistogram::Bucket{kMiB, 2 * kMiB, 1, kMiB + 1}));
        QCOMPARE(SizeHistogram::poolThresholds(8 * kMiB).back().bytes, 8 * kMiB);
    }

    void collapsedStacks_haveOneLinePerStackOutermostFirstWithItsCost() {
        const AllocationAnalysis analysis = analysisOfPattern();
        StackNames names = patternNames();
        using Line = CollapsedStacks::Line;
        const std::vector<Line> allocations =
            CollapsedStacks::of(analysis, names, CollapsedStacks::Cost::Allocations);
        QCOMPARE(allocations, (std::vector<Line>{{"[no stack]", 1},
                                                 {"main;decode%3BPng", 1},
                                                 {"main;makeThumbnail", 3},
                                                 {"main;render;0x1234", 1}}));
        const std::vector<Line> leaked =
            CollapsedStacks::of(analysis, names, CollapsedStacks::Cost::Leaked);
        QCOMPARE(leaked,
                 (std::vector<Line>{{"main;decode%3BPng", 2 * kMiB}, {"main;makeThumbnail", 50}}));
        const std::vector<Line> peak =
            CollapsedStacks::of(analysis, names, CollapsedStacks::Cost::Peak);
        QCOMPARE(peak, (std::vector<Line>{{"main;decode%3BPng", 2 * kMiB},
                                          {"main;makeThumbnail", 300},
                                          {"main;render;0x1234", 8 * kMiB}}));
        std::ostringstream text;
        CollapsedStacks::write(text, peak);
        QCOMPARE(text.str(), std::string("main;decode%3BPng 2097152\nmain;makeThumbnail 300\n"
                                         "main;render;0x1234 8388608\n"));
    }

    void collapsedStacks_mergeStacksOfTheSameFunctionsAndEscapePercent() {
        StackNames names([](StackId stackId) {
            Frame leaf = named("leaf");
            leaf.line = static_cast<int>(stackId);  // calls from different lines
            return std::vector<Frame>{leaf, named("100%")};
        });
        using Kind = MemoryEventKind;
        const AllocationAnalysis analysis =
            analysisOf({allocationEvent(Kind::UnpooledAllocate, 1, 10, 1, 1, 10),
                        allocationEvent(Kind::UnpooledAllocate, 2, 10, 2, 1, 20)});
        QCOMPARE(CollapsedStacks::of(analysis, names, CollapsedStacks::Cost::Allocations),
                 (std::vector<CollapsedStacks::Line>{{"100%25;leaf", 2}}));
        QVERIFY(CollapsedStacks::costNamed("peak") == CollapsedStacks::Cost::Peak);
        QVERIFY(!CollapsedStacks::costNamed("bytes"));
    }

    void callTrees_walkFromAllocatingFramesToCallersAndFromMainToCallees() {
        const AllocationAnalysis analysis = analysisOfPattern();
        StackNames names = patternNames();
        const CallTree bottomUp = CallTree::bottomUp(analysis, names);
        QCOMPARE(bottomUp.cost.allocations, std::uint64_t{6});
        QCOMPARE(bottomUp.children.size(), std::size_t{4});
        QCOMPARE(bottomUp.children[0].frame, std::string("0x1234"));
        QCOMPARE(bottomUp.children[0].children.at(0).frame, std::string("render"));
        QCOMPARE(bottomUp.children[0].children.at(0).children.at(0).frame, std::string("main"));
        QCOMPARE(bottomUp.children[1].frame, std::string("decode;Png"));
        QCOMPARE(bottomUp.children[2].frame, std::string("makeThumbnail"));
        QCOMPARE(bottomUp.children[2].cost.allocations, std::uint64_t{3});
        QCOMPARE(bottomUp.children[2].cost.temporaryAllocations, std::uint64_t{2});
        QCOMPARE(bottomUp.children[3].frame, std::string("[no stack]"));

        const CallTree topDown = CallTree::topDown(analysis, names);
        QCOMPARE(topDown.children.size(), std::size_t{2});
        const CallTree& main = topDown.children[0];
        QCOMPARE(main.frame, std::string("main"));
        QCOMPARE(main.cost.allocations, std::uint64_t{5});
        QCOMPARE(main.cost.bytes, 10 * kMiB + 450);
        QCOMPARE(main.children.size(), std::size_t{3});
        QCOMPARE(main.children[0].frame, std::string("render"));
        QCOMPARE(main.children[0].children.at(0).frame, std::string("0x1234"));
        QCOMPARE(main.children[1].frame, std::string("decode;Png"));
        QCOMPARE(main.children[2].frame, std::string("makeThumbnail"));
        QCOMPARE(main.children[2].cost.leakedBytes, std::uint64_t{50});
        QCOMPARE(topDown.children[1].frame, std::string("[no stack]"));
    }

    void callTrees_numberTheirNodesInTheOrderOfAWalkFromTheRoot() {
        const AllocationAnalysis analysis = analysisOfPattern();
        StackNames names = patternNames();
        for (const CallTree& tree :
             {CallTree::bottomUp(analysis, names), CallTree::topDown(analysis, names)}) {
            std::vector<std::uint32_t> walked;
            const auto walk = [&](const auto& self, const CallTree& node) -> void {
                walked.push_back(node.order);
                for (const CallTree& child : node.children) {
                    self(self, child);
                }
            };
            walk(walk, tree);
            QVERIFY(walked.size() > 5);
            for (std::size_t i = 0; i < walked.size(); ++i) {
                QCOMPARE(walked[i], static_cast<std::uint32_t>(i));
            }
        }
    }

    void analysis_readsEveryPageOfALongRecording() {
        std::vector<MemoryEvent> events;
        const std::size_t allocations = RecordingEventPages::kEventsPerPage;
        for (std::size_t i = 0; i < allocations; ++i) {
            const auto id = static_cast<AllocationId>(i + 1);
            const auto time = static_cast<std::int64_t>(i * 10);
            const auto stackId = static_cast<StackId>(1 + i % 3);
            events.push_back(allocationEvent(MemoryEventKind::SmallRent, id, 64, stackId, 1, time,
                                             MemoryTier::Small));
            if (i % 2 == 0) {
                events.push_back(allocationEvent(MemoryEventKind::SmallReturn, id, 64, stackId, 1,
                                                 time + 1, MemoryTier::Small));
            }
        }
        const std::string path = file("long.psrec");
        writeRecording(path, events);
        const RecordingReader reader(path);
        const AllocationAnalysis analysis = AllocationAnalyzer::of(reader);
        QCOMPARE(analysis.events, std::uint64_t{events.size()});
        const CallSiteCost total = analysis.total();
        QCOMPARE(total.allocations, std::uint64_t{allocations});
        QCOMPARE(total.temporaryAllocations, std::uint64_t{allocations / 2});
        QCOMPARE(total.leakedAllocations, std::uint64_t{allocations / 2});
        QCOMPARE(analysis.peakBytes, std::uint64_t{allocations / 2 * 64});
    }

    void stackNames_nameARecordedStackAsTheReportDoes() {
        const StackId stackId = analysedCallerSite();
        using Kind = MemoryEventKind;
        const std::vector<MemoryEvent> events = {
            allocationEvent(Kind::UnpooledAllocate, 1, 4096, stackId, 1, 10),
            allocationEvent(Kind::UnpooledAllocate, 2, 4096, stackId, 1, 20),
        };
        const std::string path = file("stacks.psrec");
        writeRecording(path, events);
        const RecordingReader reader(path);
        const AllocationAnalysis analysis = AllocationAnalyzer::of(reader);
        StackNames names = StackNames::of(reader);
        QCOMPARE(names.frames(stackId), StackNames::framesOf(reader, stackId));
        const std::vector<Frame>& frames = names.frames(stackId);
        QVERIFY(frames.size() >= 2);
        QVERIFY2(frames[0].function.find("analysedLeafSite") != std::string::npos,
                 frames[0].function.c_str());
        QVERIFY2(frames[1].function.find("analysedCallerSite") != std::string::npos,
                 frames[1].function.c_str());
        const std::vector<CollapsedStacks::Line> lines =
            CollapsedStacks::of(analysis, names, CollapsedStacks::Cost::Leaked);
        QCOMPARE(lines.size(), std::size_t{1});
        QCOMPARE(lines[0].cost, std::uint64_t{8192});
        const std::string expectedEnd =
            CollapsedStacks::frameName(frames[1]) + ";" + CollapsedStacks::frameName(frames[0]);
        QVERIFY2(lines[0].stack.ends_with(expectedEnd), lines[0].stack.c_str());
        QCOMPARE(std::count(lines[0].stack.begin(), lines[0].stack.end(), ';'),
                 static_cast<std::ptrdiff_t>(frames.size() - 1));
    }

private:
    std::string file(const char* name) const { return directory_.filePath(name).toStdString(); }

    std::string recordingOfPattern() const {
        const std::string path = file("pattern.psrec");
        if (!QFile::exists(QString::fromStdString(path))) {
            writeRecording(path, knownAllocationPattern());
        }
        return path;
    }

    AllocationAnalysis analysisOfPattern() const {
        const RecordingReader reader(recordingOfPattern());
        return AllocationAnalyzer::of(reader);
    }

    static AllocationAnalysis analysisOf(const std::vector<MemoryEvent>& events) {
        AllocationAnalyzer analyzer;
        for (const MemoryEvent& event : events) {
            analyzer.apply(event);
        }
        return analyzer.finish();
    }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(AllocationAnalysisTest)
#include "AllocationAnalysisTest.moc"
