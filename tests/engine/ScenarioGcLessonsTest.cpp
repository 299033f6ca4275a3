#include <QtTest>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ScenarioTestSupport.h"
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
        QCOMPARE(integerFigure(outcome, "lessonsGiven"), std::int64_t{7});
        QCOMPARE(snapshots, 8);  // the heap before the first lesson, then after each

        QCOMPARE(textFigure(outcome, "promotionGenerations"), std::string("0 -> 1 -> 2"));
        QVERIFY(integerFigure(outcome, "compactionSurvivorMovedBytes") > 0);
        QVERIFY(integerFigure(outcome, "compactionObjectsMoved") >= 1);

        QVERIFY(booleanFigure(outcome, "finalizableAliveAfterFirstCollection"));
        QVERIFY(!booleanFigure(outcome, "finalizableAliveAfterSecondCollection"));
        QCOMPARE(integerFigure(outcome, "finalizableFinalizerRuns"), std::int64_t{1});

        QVERIFY(booleanFigure(outcome, "resurrectedObjectAlive"));
        QVERIFY(booleanFigure(outcome, "resurrectedObjectGoneOnceReleased"));

        QVERIFY(!booleanFigure(outcome, "shortWeakAliveAfterFirstCollection"));
        QVERIFY(booleanFigure(outcome, "longWeakAliveAfterFirstCollection"));
        QVERIFY(!booleanFigure(outcome, "longWeakAliveAfterFinalizerAndSecondCollection"));

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
        QCOMPARE(report.gc->finalizersRun, std::uint64_t{3});
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

    void inStepModeEachLessonWaitsWithItsTitleAndExplanation() {
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
        QCOMPARE(lessons.size(), std::size_t{7});
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, lessons[0].title);
        QCOMPARE(context.progress().explanation, lessons[0].explanation);
        QCOMPARE(snapshots.load(), 1);

        context.step();
        QTRY_COMPARE(context.progress().phase, lessons[1].title);
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().explanation, lessons[1].explanation);
        QCOMPARE(context.progress().completed, std::int64_t{1});
        QCOMPARE(snapshots.load(), 2);

        // A collection asked for between lessons runs while the scenario waits.
        context.requestCollection(2);
        QTRY_COMPARE(snapshots.load(), 3);
        QCOMPARE(context.progress().completed, std::int64_t{1});

        context.resume();
        run.join();
        QVERIFY(!outcome.cancelled);
        QCOMPARE(context.progress().completed, std::int64_t{7});
        QCOMPARE(context.progress().phase, lessons[6].title);
    }
};

QTEST_GUILESS_MAIN(ScenarioGcLessonsTest)
#include "ScenarioGcLessonsTest.moc"
