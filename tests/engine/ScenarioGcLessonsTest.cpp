#include <QtTest>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ScenarioTestSupport.h"
#include "gc/GcHandleKind.h"
#include "gc/GcHeapSnapshot.h"
#include "memory/MemoryAllocator.h"
#include "scenarios/GcLessonsScenario.h"
#include "scenarios/ScenarioRunner.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

// Fails the test, rather than reading false, when the figure is missing.
bool booleanFigure(const ScenarioOutcome& outcome, const std::string& name) {
    const ScenarioValue* value = figureValue(outcome, name);
    if (value == nullptr) {
        qFatal("no figure %s", name.c_str());
    }
    return std::get<bool>(*value);
}

std::string textFigure(const ScenarioOutcome& outcome, const std::string& name) {
    const ScenarioValue* value = figureValue(outcome, name);
    return value != nullptr ? std::get<std::string>(*value) : std::string("(no figure)");
}

// What a step's words say is on screen. -1: the words say nothing of it.
struct Board {
    const char* checkpoint;
    int objects;
    int finalizationQueue;
    int fReachableQueue;
    int handles;
    int generation = -1;    // the generation every object is in
    int largeObjects = -1;  // objects on the large object heap
    int largeFreeBlocks = -1;
    int markedObjects = -1;  // at a step that shows a generation 0 mark: the objects it reaches
};

// Whether the lesson's short and long weak handles still point at their object.
struct WeakTargets {
    bool shortTargets = false;
    bool longTargets = false;
};

WeakTargets weakTargets(const GcHeapSnapshot& snapshot) {
    WeakTargets targets;
    for (const GcHeapSnapshot::Handle& handle : snapshot.handles) {
        if (handle.kind == GcHandleKind::WeakShort && handle.name == "short weak") {
            targets.shortTargets = handle.target != 0;
        } else if (handle.kind == GcHandleKind::WeakLong && handle.name == "long weak") {
            targets.longTargets = handle.target != 0;
        }
    }
    return targets;
}

int countWhere(const GcHeapSnapshot& snapshot, int generation) {
    return static_cast<int>(std::count_if(
        snapshot.objects.begin(), snapshot.objects.end(),
        [&](const GcHeapSnapshot::Object& object) { return object.generation == generation; }));
}

ScenarioContext::Options contextOptions() {
    MemoryAllocatorOptions options;
    options.maximumPoolSizeMegabytes = 16;
    ScenarioContext::Options context;
    context.allocator = MemoryAllocator::create(options);
    return context;
}

}  // namespace

class ScenarioGcLessonsTest : public QObject {
    Q_OBJECT

private slots:
    void everyLessonShowsWhatItExplains() {
        ScenarioRunner::Options options;
        options.poolSizeMegabytes = 16;
        int snapshots = 0;
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot> snapshot) {
            QVERIFY(snapshot != nullptr);
            snapshots += 1;
        };
        ScenarioRunner runner(options);
        GcLessonsScenario scenario;

        const ScenarioRunReport report = runner.run(scenario, scenario.resolveParameters({}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        const ScenarioOutcome& outcome = report.outcome;
        QCOMPARE(integerFigure(outcome, "lessonsGiven"), std::int64_t{8});
        QCOMPARE(integerFigure(outcome, "stepsShown"), std::int64_t{32});
        QCOMPARE(snapshots, 32);  // the heap at each step's checkpoint

        QCOMPARE(textFigure(outcome, "promotionGenerations"), std::string("0 -> 1 -> 2"));
        QCOMPARE(integerFigure(outcome, "promotionSurvivorsOfFirstCollection"), std::int64_t{2});
        QVERIFY(integerFigure(outcome, "compactionSurvivorMovedBytes") > 0);
        QVERIFY(integerFigure(outcome, "compactionObjectsMoved") >= 1);

        QVERIFY(booleanFigure(outcome, "finalizableAliveAfterFirstCollection"));
        QVERIFY(!booleanFigure(outcome, "finalizableAliveAfterSecondCollection"));
        QCOMPARE(integerFigure(outcome, "finalizableFinalizerRuns"), std::int64_t{1});

        QVERIFY(booleanFigure(outcome, "resurrectedObjectAlive"));
        QVERIFY(booleanFigure(outcome, "resurrectedObjectGoneOnceReleased"));

        QVERIFY(!booleanFigure(outcome, "shortWeakAliveAfterFirstCollection"));
        QVERIFY(booleanFigure(outcome, "longWeakAliveAfterFirstCollection"));
        QVERIFY(!booleanFigure(outcome, "shortWeakAliveInFinalizer"));
        QVERIFY(booleanFigure(outcome, "longWeakAliveInFinalizer"));
        QVERIFY(!booleanFigure(outcome, "longWeakAliveAfterFinalizerAndSecondCollection"));

        // Dispose took the first file off the finalization queue, so the first collection
        // freed it; the forgotten one waited for its finalizer and a second collection.
        QCOMPARE(integerFigure(outcome, "disposeFinalizationQueueAfterDispose"), std::int64_t{1});
        QCOMPARE(integerFigure(outcome, "disposeObjectsAfterFirstCollection"), std::int64_t{1});
        QCOMPARE(integerFigure(outcome, "disposeObjectsAfterSecondCollection"), std::int64_t{0});
        QCOMPARE(integerFigure(outcome, "disposeFinalizerRuns"), std::int64_t{1});

        // Six arrays of 200,000 bytes, every other one freed: three holes, none big enough
        // for the array of 300,000 bytes that follows.
        QCOMPARE(integerFigure(outcome, "lohFreeBlocks"), std::int64_t{3});
        QVERIFY(integerFigure(outcome, "lohFreeBytes") >= 3 * 200'000);
        QVERIFY(booleanFigure(outcome, "lohGrewDespiteFreeBytes"));

        QVERIFY(booleanFigure(outcome, "staticListFormAliveAfterClose"));
        const std::string path = textFigure(outcome, "staticListRetentionPath");
        QVERIFY2(path.starts_with("static openedForms -> ") && path.ends_with("-[2]-> Form"),
                 path.c_str());

        QVERIFY(report.gc.has_value());
        QCOMPARE(report.gc->resurrections, std::uint64_t{1});
        // The object that dies twice, the resurrected one twice (it registered again), the
        // weakly watched one and the forgotten file.
        QCOMPARE(report.gc->finalizersRun, std::uint64_t{5});
        QVERIFY(report.gc->weakClearedShort >= 1);
        QVERIFY(report.gc->weakClearedLong >= 1);
        QVERIFY(report.leaks.empty());
    }

    void gcLessons_runsAtItsLargestAdvertisedParameters() {
        GcLessonsScenario scenario;
        std::vector<std::pair<std::string, std::string>> largest;
        for (const ScenarioParameter& parameter : scenario.parameters()) {
            QVERIFY(parameter.maximum.has_value());
            largest.emplace_back(parameter.name,
                                 std::to_string(static_cast<std::int64_t>(*parameter.maximum)));
        }
        // The largest corner, then the one first reported failing with a bare std::bad_alloc.
        const std::vector<std::vector<std::pair<std::string, std::string>>> corners = {
            largest,
            {{"large-objects", "15"}, {"large-object-bytes", "67108864"}},
        };
        for (const auto& given : corners) {
            const ScenarioParameters parameters = scenario.resolveParameters(given);
            ScenarioRunner::Options options;
            options.poolSizeMegabytes = 16;
            ScenarioRunner runner(options);
            const ScenarioRunReport report = runner.run(scenario, parameters);

            QVERIFY2(report.error.empty(), report.error.c_str());
            const std::int64_t largeObjects = parameters.integer("large-objects");
            // Every other array is freed, down to the first for an even count: the holes never
            // touch, so each is a free block of its own.
            QCOMPARE(integerFigure(report.outcome, "lohFreeBlocks"), largeObjects / 2);
            QVERIFY(integerFigure(report.outcome, "lohFreeBytes") >=
                    largeObjects / 2 * parameters.integer("large-object-bytes"));
            QVERIFY(booleanFigure(report.outcome, "lohGrewDespiteFreeBytes"));
        }
    }

    void inStepModeEachStepWaitsWithItsNameAndExplanation() {
        ScenarioContext::Options options = contextOptions();
        options.stepMode = true;
        std::atomic<int> snapshots{0};
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot>) { snapshots += 1; };
        ScenarioContext context(options);
        GcLessonsScenario scenario;
        const ScenarioParameters parameters = scenario.resolveParameters({});
        ScenarioOutcome outcome;
        std::thread run([&] { outcome = scenario.run(context, parameters); });

        const auto& lessons = GcLessonsScenario::lessons();
        const std::vector<std::string> names = scenario.checkpointNames();
        QCOMPARE(names.size(), std::size_t{32});
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, names[0]);
        QCOMPARE(context.progress().explanation, lessons[0].steps[0].explanation);
        // The first picture is the first step's: its work is done before it stops.
        QCOMPARE(snapshots.load(), 1);
        QCOMPARE(context.progress().completed, std::int64_t{1});
        QCOMPARE(context.progress().planned, std::int64_t{32});

        context.step();
        QTRY_COMPARE(context.progress().phase, names[1]);
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().explanation, lessons[0].steps[1].explanation);
        QCOMPARE(context.progress().completed, std::int64_t{2});
        QCOMPARE(snapshots.load(), 2);

        // A collection asked for between steps runs while the scenario waits.
        context.requestCollection(2);
        QTRY_COMPARE(snapshots.load(), 3);
        QCOMPARE(context.progress().completed, std::int64_t{2});

        context.resume();
        run.join();
        QVERIFY(!outcome.cancelled);
        QCOMPARE(context.progress().completed, std::int64_t{32});
        QCOMPARE(context.progress().phase, names.back());
        QCOMPARE(integerFigure(outcome, "lessonsGiven"), std::int64_t{8});
    }

    void gcLessons_givesItsLessonsInOrder_eachNamingItsSteps() {
        const std::vector<std::string> titles = {
            "Promotion",
            "Compaction",
            "A finalizable object dies twice",
            "Resurrection",
            "Short and long weak references",
            "The dispose pattern",
            "Large object heap fragmentation",
            "A static list leak and its retention path",
        };
        const auto& lessons = GcLessonsScenario::lessons();
        QCOMPARE(lessons.size(), titles.size());
        std::vector<std::string> names;
        for (std::size_t i = 0; i < lessons.size(); ++i) {
            QCOMPARE(lessons[i].title, titles[i]);
            QVERIFY(!lessons[i].explanation.empty());
            QVERIFY(lessons[i].steps.size() >= 3);
            for (std::size_t step = 0; step < lessons[i].steps.size(); ++step) {
                QVERIFY(!lessons[i].steps[step].explanation.empty());
                names.push_back(GcLessonsScenario::checkpointName(lessons[i], step));
            }
        }
        QCOMPARE(GcLessonsScenario().checkpointNames(), names);
        // Unique, so a picker or a checkpoint number names exactly one step.
        QCOMPARE(std::set<std::string>(names.begin(), names.end()).size(), names.size());
        QCOMPARE(names.front(), std::string("Promotion 1/4: three objects in generation 0"));
    }

    // Steps through every checkpoint and holds the published heap to the step's words.
    void gcLessons_eachCheckpointShowsTheHeapItsWordsDescribe() {
        const int lohArrays = 6;
        const std::vector<Board> boards = {
            {"Promotion 1/4: three objects in generation 0", 3, 0, 0, 0, 0},
            {"Promotion 2/4: B loses its root", 3, 0, 0, 0, 0},
            {"Promotion 3/4: a collection promotes the survivors", 2, 0, 0, 0, 1},
            {"Promotion 4/4: and promotes them again", 2, 0, 0, 0, 2},
            {"Compaction 1/4: three objects side by side", 3, 0, 0, 0, 0},
            {"Compaction 2/4: the middle one is no longer needed", 3, 0, 0, 0, 0},
            {"Compaction 3/4: the collector marks what it can reach", 3, 0, 0, 0, 0, -1, -1, 2},
            {"Compaction 4/4: the survivor slides into the gap", 2, 0, 0, 0, 1},
            {"A finalizable object dies twice 1/4: an unreachable object on the finalization "
             "queue",
             1, 1, 0, 0},
            {"A finalizable object dies twice 2/4: the collection moves it to the f-reachable "
             "queue",
             1, 0, 1, 0},
            {"A finalizable object dies twice 3/4: the finalizer thread runs its finalizer", 1, 0,
             0, 0},
            {"A finalizable object dies twice 4/4: the next collection frees it", 0, 0, 0, 0},
            {"Resurrection 1/5: found dead, waiting for its finalizer", 1, 0, 1, 0},
            {"Resurrection 2/5: the finalizer brings it back", 1, 0, 0, 0},
            {"Resurrection 3/5: registered for finalization again", 1, 1, 0, 0},
            {"Resurrection 4/5: let go, found dead once more", 1, 0, 1, 0},
            {"Resurrection 5/5: finalized again and freed", 0, 0, 0, 0},
            {"Short and long weak references 1/4: a short and a long weak handle watch a "
             "FileHandle",
             1, 1, 0, 2},
            {"Short and long weak references 2/4: the collection clears the short handle", 1, 0, 1,
             2},
            {"Short and long weak references 3/4: the finalizer runs while the long handle still "
             "sees it",
             1, 0, 0, 2},
            {"Short and long weak references 4/4: the next collection clears the long handle", 0, 0,
             0, 2},
            {"The dispose pattern 1/5: two open files on the finalization queue", 2, 2, 0, 0},
            {"The dispose pattern 2/5: one disposed, one forgotten", 2, 1, 0, 0},
            {"The dispose pattern 3/5: the collection frees the disposed file", 1, 0, 1, 0},
            {"The dispose pattern 4/5: the finalizer closes the forgotten file", 1, 0, 0, 0},
            {"The dispose pattern 5/5: the next collection frees it", 0, 0, 0, 0},
            {"Large object heap fragmentation 1/3: large arrays side by side", lohArrays + 1, 0, 0,
             0, -1, lohArrays, 0},
            {"Large object heap fragmentation 2/3: every other one freed leaves holes",
             lohArrays / 2 + 1, 0, 0, 0, -1, lohArrays / 2, lohArrays / 2},
            {"Large object heap fragmentation 3/3: a bigger array does not fit in any hole",
             lohArrays / 2 + 2, 0, 0, 0, -1, lohArrays / 2 + 1, lohArrays / 2},
            {"A static list leak and its retention path 1/3: three forms listed in a static", 4, 0,
             0, 0},
            {"A static list leak and its retention path 2/3: closed, but still in the list", 4, 0,
             0, 0},
            {"A static list leak and its retention path 3/3: the retention path names who keeps "
             "them",
             4, 0, 0, 0},
        };
        // Short and long weak handles: both point at the object, then the short one is cleared
        // by the first collection, and the long one only by the second.
        const std::vector<WeakTargets> weak = {
            {true, true}, {false, true}, {false, true}, {false, false}};
        const std::size_t firstWeakStep = 17;

        ScenarioContext::Options options = contextOptions();
        options.stepMode = true;
        std::mutex mutex;
        std::shared_ptr<const GcHeapSnapshot> latest;
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot> snapshot) {
            std::lock_guard lock(mutex);
            latest = std::move(snapshot);
        };
        ScenarioContext context(options);
        GcLessonsScenario scenario;
        QCOMPARE(scenario.checkpointNames().size(), boards.size());
        const ScenarioParameters parameters =
            scenario.resolveParameters({{"large-objects", std::to_string(lohArrays)}});
        ScenarioOutcome outcome;
        std::thread run([&] { outcome = scenario.run(context, parameters); });

        for (std::size_t i = 0; i < boards.size(); ++i) {
            const Board& board = boards[i];
            QTRY_VERIFY(context.waitingAtCheckpoint() && context.progress().stepsTaken == i);
            QCOMPARE(context.progress().phase, std::string(board.checkpoint));
            QCOMPARE(scenario.checkpointNames()[i], std::string(board.checkpoint));
            std::shared_ptr<const GcHeapSnapshot> snapshot;
            {
                std::lock_guard lock(mutex);
                snapshot = latest;
            }
            QVERIFY(snapshot != nullptr);
            const QByteArray where = QByteArray(board.checkpoint);
            QVERIFY2(static_cast<int>(snapshot->objects.size()) == board.objects, where);
            QVERIFY2(
                static_cast<int>(snapshot->finalizationQueue.size()) == board.finalizationQueue,
                where);
            QVERIFY2(static_cast<int>(snapshot->fReachableQueue.size()) == board.fReachableQueue,
                     where);
            QVERIFY2(static_cast<int>(snapshot->handles.size()) == board.handles, where);
            if (board.generation >= 0) {
                QVERIFY2(countWhere(*snapshot, board.generation) == board.objects, where);
            }
            if (board.largeObjects >= 0) {
                QVERIFY2(
                    countWhere(*snapshot, GcHeapSnapshot::kLargeObjectHeap) == board.largeObjects,
                    where);
                QVERIFY2(static_cast<int>(snapshot->largeObjectFreeBlocks.size()) ==
                             board.largeFreeBlocks,
                         where);
            }
            if (board.markedObjects >= 0) {
                // The first and last photos are reached from their variables, the middle one
                // (between them in address order) is not: it is the garbage.
                QVERIFY2(snapshot->markGeneration == 0, where);
                const std::vector<std::uintptr_t> marked = snapshot->markOrder(0);
                QVERIFY2(static_cast<int>(marked.size()) == board.markedObjects, where);
                const std::uintptr_t middle = snapshot->objects[1].address;
                QVERIFY2(std::find(marked.begin(), marked.end(), middle) == marked.end(), where);
            } else {
                QVERIFY2(snapshot->markGeneration == -1, where);
            }
            // A queued object is one the picture shows.
            for (const std::uintptr_t queued : snapshot->finalizationQueue) {
                QVERIFY2(snapshot->findObject(queued) != nullptr, where);
            }
            for (const std::uintptr_t queued : snapshot->fReachableQueue) {
                QVERIFY2(snapshot->findObject(queued) != nullptr, where);
            }
            if (i >= firstWeakStep && i < firstWeakStep + weak.size()) {
                const WeakTargets targets = weakTargets(*snapshot);
                QVERIFY2(targets.shortTargets == weak[i - firstWeakStep].shortTargets, where);
                QVERIFY2(targets.longTargets == weak[i - firstWeakStep].longTargets, where);
            }
            context.step();
        }
        run.join();
        QVERIFY(!outcome.cancelled);
        QCOMPARE(integerFigure(outcome, "stepsShown"), static_cast<std::int64_t>(boards.size()));
    }
};

QTEST_GUILESS_MAIN(ScenarioGcLessonsTest)
#include "ScenarioGcLessonsTest.moc"
