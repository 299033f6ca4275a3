#include <QtTest>

#include <chrono>
#include <memory>
#include <thread>

#include "memory/MemoryAllocator.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/ScenarioContext.h"
#include "scenarios/ScenarioError.h"
#include "scenarios/ScenarioParameter.h"
#include "scenarios/ScenarioRegistry.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

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
        QCOMPARE(registry.names(),
                 (std::vector<std::string>{"default", "periodic-bursts", "leak-hunt", "stress"}));
        for (const ScenarioRegistry::Entry& entry : registry.entries()) {
            QVERIFY(!entry.description.empty());
            QVERIFY(!entry.parameters.empty());
            QCOMPARE(entry.create()->name(), entry.name);
        }
        QCOMPARE(errorOf([&] { registry.create("batch"); }),
                 QStringLiteral("there is no scenario 'batch'; there are: default, "
                                "periodic-bursts, leak-hunt, stress"));
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
        QCOMPARE(context.progress().completed, std::int64_t{3});
        QCOMPARE(outcome.injectedLeaks.size(), std::size_t{3});
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
