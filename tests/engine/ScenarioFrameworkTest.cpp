#include <QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "gc/GcFrame.h"
#include "gc/GcHeap.h"
#include "imaging/Image.h"
#include "memory/MemoryAllocator.h"
#include "memory/MemoryAllocatorOptions.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/ScenarioContext.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioParameter.h"
#include "scenarios/ScenarioRegistry.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

ScenarioContext::Options contextOptions() {
    MemoryAllocatorOptions options;
    options.maximumPoolSizeMegabytes = 16;
    ScenarioContext::Options context;
    context.allocator = MemoryAllocator::create(options);
    return context;
}

std::shared_ptr<GcHeap> smallHeap() {
    GcHeap::Settings settings;
    settings.smallObjectReserveBytes = 16u << 20;
    settings.largeObjectReserveBytes = 64u << 20;
    return std::make_shared<GcHeap>(settings);
}

std::vector<ScenarioParameter> sampleParameters() {
    return {ScenarioParameter::integer("count", "how many", 3, 1, 10),
            ScenarioParameter::real("rate", "how fast", 0.5, 0.0, 1.0),
            ScenarioParameter::boolean("leak", "whether to leak", false),
            ScenarioParameter::text("label", "what to call it", "plain")};
}

QString errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const ScenarioError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

}  // namespace

class ScenarioFrameworkTest : public QObject {
    Q_OBJECT

private slots:
    void imageConfigurationUsesTheContextsAllocatorAndContiguityPreference() {
        const std::shared_ptr<MemoryAllocator> allocator =
            MemoryAllocator::create(MemoryAllocatorOptions{});
        for (const bool prefer : {false, true}) {
            ScenarioContext::Options options;
            options.allocator = allocator;
            options.preferContiguousImageBuffers = prefer;
            const ScenarioContext context(std::move(options));
            const Configuration configuration = context.imageConfiguration();
            QCOMPARE(configuration.allocator.get(), allocator.get());
            QCOMPARE(configuration.preferContiguousImageBuffers, prefer);
            // An image made with it is one buffer exactly when contiguity was asked for: 2000
            // rows of 4000 RGBA pixels do not fit one 4 MiB chunk.
            const Image<Rgba32> image(configuration, 4000, 2000);
            MemoryGroupView<Rgba32> memory;
            QCOMPARE(image.dangerousTryGetSinglePixelMemory(memory), prefer);
        }
    }

    void parametersTakeTheirDefaultsUnlessGiven() {
        const auto parameters = ScenarioParameters::resolve("sample", sampleParameters(),
                                                            {{"rate", "0.25"}, {"leak", "yes"}});
        QCOMPARE(parameters.integer("count"), std::int64_t{3});
        QCOMPARE(parameters.real("rate"), 0.25);
        QCOMPARE(parameters.boolean("leak"), true);
        QCOMPARE(parameters.text("label"), std::string("plain"));
        QCOMPARE(parameters.values().size(), std::size_t{4});
        QCOMPARE(parameters.values().front().first, std::string("count"));
    }

    void anUnknownParameterIsRefusedNamingTheOnesThereAre() {
        const QString message = errorOf([] {
            ScenarioParameters::resolve("sample", sampleParameters(), {{"colour", "red"}});
        });
        QCOMPARE(message, QStringLiteral("scenario 'sample' has no parameter 'colour'; it takes: "
                                         "count, rate, leak, label"));
    }

    void malformedAndOutOfRangeValuesAreRefusedWithWhatIsAccepted() {
        QCOMPARE(errorOf([] {
                     ScenarioParameters::resolve("sample", sampleParameters(), {{"count", "3x"}});
                 }),
                 QStringLiteral("parameter 'count' of scenario 'sample' must be a whole number "
                                "from 1 to 10, not '3x'"));
        QCOMPARE(errorOf([] {
                     ScenarioParameters::resolve("sample", sampleParameters(), {{"count", "11"}});
                 }),
                 QStringLiteral("parameter 'count' of scenario 'sample' must be a whole number "
                                "from 1 to 10, not '11'"));
        QCOMPARE(errorOf([] {
                     ScenarioParameters::resolve("sample", sampleParameters(), {{"rate", "1.5"}});
                 }),
                 QStringLiteral("parameter 'rate' of scenario 'sample' must be a number from 0 "
                                "to 1, not '1.5'"));
        QCOMPARE(errorOf([] {
                     ScenarioParameters::resolve("sample", sampleParameters(), {{"leak", "maybe"}});
                 }),
                 QStringLiteral("parameter 'leak' of scenario 'sample' must be true or false, not "
                                "'maybe'"));
    }

    void anAssignmentSplitsAtItsFirstEqualsSign() {
        QCOMPARE(ScenarioParameters::splitAssignment("label=a=b"),
                 std::make_pair(std::string("label"), std::string("a=b")));
        QCOMPARE(errorOf([] { ScenarioParameters::splitAssignment("count"); }),
                 QStringLiteral("a parameter is written key=value, not 'count'"));
    }

    void theRegistryListsTheBuiltInScenarios() {
        const ScenarioRegistry& registry = ScenarioRegistry::builtIn();
        QCOMPARE(registry.names(), (std::vector<std::string>{
                                       "default", "periodic-bursts", "leak-hunt", "stress",
                                       "batch-resize", "contiguous-vs-discontiguous", "wrap-memory",
                                       "gc-vs-pool", "gc-lessons", "make-samples"}));
        for (const ScenarioRegistry::Entry& entry : registry.entries()) {
            QVERIFY(!entry.description.empty());
            QVERIFY(!entry.parameters.empty());
            QCOMPARE(entry.create()->name(), entry.name);
        }
        QCOMPARE(errorOf([&] { registry.create("batch"); }),
                 QStringLiteral("there is no scenario 'batch'; there are: default, "
                                "periodic-bursts, leak-hunt, stress, batch-resize, "
                                "contiguous-vs-discontiguous, wrap-memory, gc-vs-pool, "
                                "gc-lessons, make-samples"));
    }

    void stepModeStopsAtEveryCheckpointUntilToldToStep() {
        MemoryAllocatorOptions options;
        options.maximumPoolSizeMegabytes = 32;
        ScenarioContext context({MemoryAllocator::create(options),
                                 nullptr,
                                 &ProcMeminfoLoadSource::instance(),
                                 true,
                                 {}});
        LeakHuntScenario scenario;
        const ScenarioParameters parameters =
            scenario.resolveParameters({{"width", "64"}, {"height", "64"}, {"clean-images", "1"}});
        ScenarioOutcome outcome;
        std::thread runner([&] { outcome = scenario.run(context, parameters); });

        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().completed, std::int64_t{0});
        QCOMPARE(context.progress().phase, std::string("forgotten cache list"));
        context.step();
        QTRY_COMPARE(context.progress().completed, std::int64_t{1});
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, std::string("event-handler list"));
        QCOMPARE(context.progress().stepsTaken, std::uint64_t{1});

        context.cancel();
        runner.join();
        QVERIFY(outcome.cancelled);
        QCOMPARE(outcome.injectedLeaks.size(), std::size_t{1});
        QCOMPARE(scenario.forgottenCacheSize(), std::size_t{3});
        QCOMPARE(scenario.imageOpenedHandlerCount(), std::size_t{0});
    }

    void step_whilePaused_passesOneCheckpoint_andHoldsAtTheNext() {
        ScenarioContext context(contextOptions());
        context.pause();
        std::atomic<int> passed{0};
        std::thread scenario([&] {
            for (int i = 0; i < 4 && context.checkpoint("checkpoint " + std::to_string(i)); ++i) {
                passed += 1;
            }
        });
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(passed.load(), 0);

        for (int expected = 1; expected <= 2; ++expected) {
            context.step();
            QTRY_COMPARE(passed.load(), expected);
            QTRY_VERIFY(context.waitingAtCheckpoint());
            QCOMPARE(context.progress().phase, "checkpoint " + std::to_string(expected));
            QVERIFY(context.paused());
        }
        context.resume();
        scenario.join();
        QCOMPARE(passed.load(), 4);
    }

    void passCheckpoints_letsAStepModeRunGoStraightToALaterCheckpoint() {
        ScenarioContext::Options options = contextOptions();
        options.stepMode = true;
        options.passCheckpoints = 2;
        ScenarioContext context(options);
        std::atomic<int> passed{0};
        std::thread scenario([&] {
            for (int i = 0; i < 4 && context.checkpoint("checkpoint " + std::to_string(i)); ++i) {
                passed += 1;
            }
        });
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, std::string("checkpoint 2"));
        QCOMPARE(context.progress().checkpointsPassed, std::uint64_t{2});
        QCOMPARE(passed.load(), 2);
        context.step();
        QTRY_COMPARE(context.progress().phase, std::string("checkpoint 3"));
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().checkpointsPassed, std::uint64_t{3});
        context.cancel();
        scenario.join();
    }

    void steps_askedWhileTheScenarioIsBusy_holdItAtTheNextCheckpoint() {
        ScenarioContext::Options options = contextOptions();
        options.stepMode = true;
        ScenarioContext context(options);
        std::atomic<bool> release{false};
        std::atomic<int> passed{0};
        std::thread scenario([&] {
            // Busy between checkpoints while the steps are asked for, like an image being
            // resized while a pacing timer fires.
            while (!release.load()) {
                std::this_thread::yield();
            }
            for (int i = 0; i < 3 && context.checkpoint("checkpoint " + std::to_string(i)); ++i) {
                passed += 1;
            }
        });
        context.step();
        context.step();
        release = true;
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, std::string("checkpoint 0"));
        QCOMPARE(passed.load(), 0);

        // A step while it waits passes that checkpoint and holds at the next.
        context.step();
        QTRY_COMPARE(passed.load(), 1);
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().phase, std::string("checkpoint 1"));
        QCOMPARE(context.progress().stepsTaken, std::uint64_t{1});
        context.cancel();
        scenario.join();
        QCOMPARE(passed.load(), 1);
    }

    void aCheckpointCarriesItsExplanationAndProgressKeepsIt() {
        ScenarioContext context(contextOptions());
        std::vector<ScenarioProgress> reported;
        QVERIFY(context.checkpoint("Promotion", "Objects that survive move up a generation."));
        QCOMPARE(context.progress().phase, std::string("Promotion"));
        QCOMPARE(context.progress().explanation,
                 std::string("Objects that survive move up a generation."));
        context.reportProgress(1, 2);
        QCOMPARE(context.progress().explanation,
                 std::string("Objects that survive move up a generation."));
        context.reportProgress(2, 2, "Compaction", "Survivors slide together.");
        QCOMPARE(context.progress().explanation, std::string("Survivors slide together."));
        QVERIFY(context.checkpoint("plain step"));
        QVERIFY(context.progress().explanation.empty());
    }

    void reportProgressHandsTheExplanationToTheCallback() {
        ScenarioContext::Options options = contextOptions();
        std::vector<std::string> explanations;
        options.onProgress = [&](const ScenarioProgress& progress) {
            explanations.push_back(progress.explanation);
        };
        ScenarioContext context(options);
        context.reportProgress(1, 1, "lesson", "read this out");
        QCOMPARE(explanations, std::vector<std::string>{"read this out"});
    }

    void publishHeapPassesASnapshotOnlyWhenSomeoneListens() {
        const std::shared_ptr<GcHeap> heap = smallHeap();
        const GcTypeId type = heap->registerType(GcType{"Node", 16, {}, {}});
        GcFrame frame(*heap, "test");
        heap->allocate(frame, type);

        ScenarioContext silent(contextOptions());
        silent.publishHeap(*heap);  // no callback: nothing to call, nothing to fail

        ScenarioContext::Options options = contextOptions();
        std::vector<std::shared_ptr<const GcHeapSnapshot>> snapshots;
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot> snapshot) {
            snapshots.push_back(std::move(snapshot));
        };
        ScenarioContext context(options);
        context.publishHeap(*heap);
        QCOMPARE(snapshots.size(), std::size_t{1});
        QCOMPARE(snapshots.front()->objects.size(), std::size_t{1});
        QCOMPARE(snapshots.front()->objects.front().typeName, std::string("Node"));
    }

    void aRequestedCollectionRunsAtTheNextCheckpointAndPublishesTheHeap() {
        const std::shared_ptr<GcHeap> heap = smallHeap();
        ScenarioContext::Options options = contextOptions();
        int snapshots = 0;
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot>) { snapshots += 1; };
        ScenarioContext context(options);
        context.attachHeap(heap);

        context.requestCollection(1);
        context.requestCollection(2);
        QCOMPARE(context.pendingCollections(), std::size_t{2});
        QCOMPARE(heap->statistics().collections[1], std::uint64_t{0});  // not before

        QVERIFY(context.checkpoint("next"));
        QCOMPARE(context.pendingCollections(), std::size_t{0});
        QCOMPARE(heap->statistics().collections[1], std::uint64_t{1});
        QCOMPARE(heap->statistics().collections[2], std::uint64_t{1});
        QCOMPARE(snapshots, 2);
    }

    void aCollectionRequestedWhileWaitingInStepModeRunsWithoutAStep() {
        const std::shared_ptr<GcHeap> heap = smallHeap();
        ScenarioContext::Options options = contextOptions();
        options.stepMode = true;
        std::atomic<int> snapshots{0};
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot>) { snapshots += 1; };
        ScenarioContext context(options);
        context.attachHeap(heap);
        std::thread scenario([&] { context.checkpoint("waiting for the teacher"); });

        QTRY_VERIFY(context.waitingAtCheckpoint());
        context.requestCollection(0);
        QTRY_COMPARE(snapshots.load(), 1);
        QCOMPARE(heap->statistics().collections[0], std::uint64_t{1});
        QVERIFY(context.waitingAtCheckpoint());  // still there: no step was taken
        QCOMPARE(context.progress().stepsTaken, std::uint64_t{0});
        context.step();
        scenario.join();
        QCOMPARE(context.progress().stepsTaken, std::uint64_t{1});
    }

    void aCollectionOfAnotherGenerationIsRefused() {
        ScenarioContext context(contextOptions());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, context.requestCollection(3));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, context.requestCollection(-1));
        QCOMPARE(context.pendingCollections(), std::size_t{0});
    }

    void pauseHoldsTheScenarioAndResumeLetsItFinish() {
        MemoryAllocatorOptions options;
        options.maximumPoolSizeMegabytes = 32;
        ScenarioContext context({MemoryAllocator::create(options)});
        context.pause();
        LeakHuntScenario scenario;
        const ScenarioParameters parameters =
            scenario.resolveParameters({{"width", "64"}, {"height", "64"}});
        ScenarioOutcome outcome;
        std::thread runner([&] { outcome = scenario.run(context, parameters); });

        QTRY_VERIFY(context.waitingAtCheckpoint());
        std::this_thread::sleep_for(20ms);
        QCOMPARE(context.progress().completed, std::int64_t{0});
        context.resume();
        runner.join();
        QVERIFY(!outcome.cancelled);
        QCOMPARE(context.progress().completed, std::int64_t{4});
        QCOMPARE(outcome.injectedLeaks.size(), std::size_t{4});
    }

    void waitForMovesAManualClockInsteadOfSleeping() {
        auto clock = std::make_shared<ManualClock>();
        ScenarioContext context({MemoryAllocator::create(), clock});
        const std::int64_t before = clock->nowNanoseconds();
        const auto started = std::chrono::steady_clock::now();

        QVERIFY(context.waitFor(3600s));

        QCOMPARE(clock->nowNanoseconds() - before, std::int64_t{3600} * 1'000'000'000);
        QVERIFY(std::chrono::steady_clock::now() - started < 1s);
        QCOMPARE(&context.clock(), static_cast<Clock*>(clock.get()));
    }

    void cancelEndsARealWaitAtOnce() {
        ScenarioContext context({MemoryAllocator::create()});
        std::thread canceller([&] {
            std::this_thread::sleep_for(20ms);
            context.cancel();
        });
        const auto started = std::chrono::steady_clock::now();
        QVERIFY(!context.waitFor(60s));
        canceller.join();
        QVERIFY(std::chrono::steady_clock::now() - started < 10s);
        QVERIFY(!context.checkpoint("after cancel"));
    }
};

QTEST_GUILESS_MAIN(ScenarioFrameworkTest)
#include "ScenarioFrameworkTest.moc"
