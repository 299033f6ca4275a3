#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "ScenarioTestSupport.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "scenarios/DefaultScenario.h"
#include "scenarios/LeakHuntScenario.h"
#include "scenarios/PeriodicBurstsScenario.h"
#include "scenarios/ScenarioRunner.h"
#include "scenarios/StressScenario.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

bool stackNames(const LeakRecord& leak, const std::string& function) {
    return std::any_of(leak.stack.begin(), leak.stack.end(), [&](const Frame& frame) {
        return frame.toString().find(function) != std::string::npos;
    });
}

}  // namespace

class ScenarioBuiltInTest : public QObject {
    Q_OBJECT

private slots:
    void periodicBurstsRetainedChunksFallAsTheTrimPolicySays() {
        ScenarioRunner::Options options = smallPoolWithoutStacks(64);
        options.manualClock = std::make_shared<ManualClock>();
        ScenarioRunner runner(options);
        PeriodicBurstsScenario scenario;
        // Two images of 2048x1024 RGBA, 8 MiB = two pool chunks each, per burst.
        const ScenarioParameters parameters =
            scenario.resolveParameters({{"bursts", "2"},
                                        {"images-per-burst", "2"},
                                        {"width", "2048"},
                                        {"height", "1024"},
                                        {"idle-ms", "6000"},
                                        {"trim-period-ms", "1000"},
                                        {"trim-rate", "0.5"}});

        const ScenarioRunReport report = runner.run(scenario, parameters);

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(scenario.peakRentedChunks(), 4);
        // The policy, worked out here on its own: a pass frees ceil(retained x rate) chunks
        // when more than a period has gone by since the last pass, at ticks a quarter period
        // apart; the pool counts its making as its last pass. Times relative to the start.
        constexpr std::int64_t kPeriod = 1000;
        constexpr std::int64_t kTick = kPeriod / 4;
        std::int64_t now = 0;
        std::int64_t lastPass = 0;
        std::int64_t expectedPasses = 0;
        std::size_t index = 0;
        for (int burst = 1; burst <= 2; ++burst) {
            const PeriodicBurstsScenario::Sample& top = scenario.timeline().at(index++);
            QCOMPARE(top.burst, burst);
            QCOMPARE(top.rentedChunks, 0);
            int retained = 4;
            QCOMPARE(top.retainedChunks, retained);
            for (std::int64_t idle = 0; idle < 6000; idle += kTick) {
                now += kTick;
                bool pass = false;
                if (now - lastPass > kPeriod && retained > 0) {
                    retained -= static_cast<int>(std::ceil(retained * 0.5));
                    pass = true;
                    expectedPasses += 1;
                }
                if (now - lastPass > kPeriod) {
                    lastPass = now;
                }
                const PeriodicBurstsScenario::Sample& sample = scenario.timeline().at(index++);
                QCOMPARE(sample.retainedChunks, retained);
                QCOMPARE(sample.afterTrimPass, pass);
                QCOMPARE(sample.milliseconds, now);
            }
            QCOMPARE(retained, 0);
        }
        QCOMPARE(index, scenario.timeline().size());

        QCOMPARE(report.pool.chunkBytes, 4 * kMiB);
        QCOMPARE(report.pool.capacityChunks, 16);
        QCOMPARE(report.pool.peakRentedBytes, std::uint64_t(16 * kMiB));
        QCOMPARE(report.pool.peakRetainedBytes, std::uint64_t(16 * kMiB));
        QCOMPARE(report.pool.retainedBytes, std::uint64_t{0});
        QCOMPARE(report.pool.trims, std::uint64_t(expectedPasses));
        QCOMPARE(integerFigure(report.outcome, "trimPassesThatFreed"), expectedPasses);
        QCOMPARE(integerFigure(report.outcome, "chunksTrimmed"), std::int64_t{8});
        QCOMPARE(report.droppedEvents, std::uint64_t{0});
        QVERIFY(report.leaks.empty());
        QCOMPARE(report.undisposedAtEnd, std::int64_t{0});
    }

    void leakHuntReportsExactlyTheInjectedLeaksEachNamingItsFunction() {
        ScenarioRunner runner(smallPool(64));
        LeakHuntScenario scenario;
        const ScenarioParameters parameters = scenario.resolveParameters({{"cached-images", "3"},
                                                                          {"subscribers", "2"},
                                                                          {"never-disposed", "1"},
                                                                          {"decoder-errors", "2"},
                                                                          {"clean-images", "3"}});

        const ScenarioRunReport report = runner.run(scenario, parameters);

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(report.outcome.injectedLeaks.size(), std::size_t{4});
        std::map<std::string, std::vector<LeakRecord>> foundByTag;
        for (const LeakRecord& leak : report.leaks) {
            foundByTag[leak.tag].push_back(leak);
        }
        std::set<std::string> injectedTags;
        std::int64_t injectedAllocations = 0;
        for (const InjectedLeak& injected : report.outcome.injectedLeaks) {
            injectedTags.insert(injected.tag);
            injectedAllocations += injected.allocations;
            const std::vector<LeakRecord>& found = foundByTag[injected.tag];
            QCOMPARE(static_cast<std::int64_t>(found.size()), injected.allocations);
            std::uint64_t bytes = 0;
            for (const LeakRecord& leak : found) {
                bytes += leak.bytes;
                QCOMPARE(leak.releasedWithoutDispose, injected.releasedWithoutDispose);
                QVERIFY2(stackNames(leak, injected.function),
                         (injected.function + " not in the stack of " + leak.tag).c_str());
            }
            QCOMPARE(bytes, injected.bytes);
        }
        std::set<std::string> foundTags;
        for (const auto& [tag, leaks] : foundByTag) {
            foundTags.insert(tag);
        }
        QCOMPARE(foundTags, injectedTags);
        QCOMPARE(static_cast<std::int64_t>(report.leaks.size()), injectedAllocations);
        QCOMPARE(report.undisposedAtEnd, injectedAllocations);
    }

    void leakHuntLeavesNothingBehindOnceTheScenarioIsGone() {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        {
            ScenarioRunner runner(smallPool(64));
            LeakHuntScenario scenario;
            runner.run(scenario, scenario.resolveParameters({{"never-disposed", "0"}}));
            // Three cached images, one subscriber's preview, one decoder buffer left behind.
            QCOMPARE(runner.allocator()->pool().stats().rented, 5);
        }
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
    }

    void leakHuntsDecoderErrorPathLeakIsFoundNamingTheFaultyDecodeStep() {
        ScenarioRunner runner(smallPool(64));
        LeakHuntScenario scenario;
        const ScenarioRunReport report =
            runner.run(scenario, scenario.resolveParameters({{"cached-images", "0"},
                                                             {"subscribers", "0"},
                                                             {"never-disposed", "0"},
                                                             {"decoder-errors", "3"},
                                                             {"width", "256"},
                                                             {"height", "128"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(report.outcome.injectedLeaks.size(), std::size_t{1});
        const InjectedLeak& injected = report.outcome.injectedLeaks.front();
        QCOMPARE(injected.kind, std::string("decoder-error-path"));
        QCOMPARE(injected.function, std::string("poolscope::LeakHuntScenario::faultyDecodeStep"));
        QCOMPARE(injected.allocations, std::int64_t{3});
        QCOMPARE(scenario.decoderBuffersInFlight(), std::size_t{3});
        QCOMPARE(report.leaks.size(), std::size_t{3});
        for (const LeakRecord& leak : report.leaks) {
            QCOMPARE(leak.tag, std::string(LeakHuntScenario::kDecoderErrorTag));
            QCOMPARE(leak.bytes, std::uint64_t{256 * 128 * 4});
            QVERIFY(!leak.releasedWithoutDispose);
            QVERIFY2(stackNames(leak, injected.function),
                     "the stack does not name the faulty decode step");
        }
    }

    void stressKeepsEveryInvariantAndLeavesNothingLive() {
        ScenarioRunner runner(smallPoolWithoutStacks(32));
        StressScenario scenario;
        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"threads", "4"}, {"operations", "300"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QVERIFY(scenario.violations().empty());
        QCOMPARE(integerFigure(report.outcome, "operations"), std::int64_t{1200});
        QVERIFY(integerFigure(report.outcome, "smallRents") > 0);
        QVERIFY(integerFigure(report.outcome, "chunkRents") > 0);
        QVERIFY(integerFigure(report.outcome, "groupRents") > 0);
        QCOMPARE(integerFigure(report.outcome, "refusedAccessesAfterDispose"),
                 integerFigure(report.outcome, "disposes"));
        QVERIFY(report.leaks.empty());
        QCOMPARE(report.undisposedAtEnd, std::int64_t{0});
        QCOMPARE(runner.allocator()->pool().stats().rented, 0);
        QVERIFY(report.pool.peakRentedBytes > 0);
        QVERIFY(report.pool.peakRentedBytes <= std::uint64_t(32 * kMiB));
    }

    void defaultScenarioWrapsTheDefaultWorkload() {
        ScenarioRunner runner(smallPool(256));
        DefaultScenario scenario;
        const ScenarioRunReport report =
            runner.run(scenario, scenario.resolveParameters({{"iterations", "8"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(scenario.summary().iterationsCompleted, 8);
        QCOMPARE(integerFigure(report.outcome, "groupAllocations"), std::int64_t{8});
        QVERIFY(report.leaks.empty());
        QCOMPARE(report.pool.capacityChunks, 64);
        QVERIFY(report.pool.peakRentedBytes > 0);
    }

    void defaultScenarioLeakIsFoundWithItsFunction() {
        ScenarioRunner runner(smallPool(256));
        DefaultScenario scenario;
        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"iterations", "24"}, {"leak", "true"}}));

        QCOMPARE(report.outcome.injectedLeaks.size(), std::size_t{1});
        QCOMPARE(report.leaks.size(), std::size_t{2});
        for (const LeakRecord& leak : report.leaks) {
            QCOMPARE(leak.tag, std::string(DefaultWorkload::kLeakyCacheTag));
            QVERIFY(stackNames(leak, report.outcome.injectedLeaks.front().function));
        }
        QCOMPARE(report.undisposedAtEnd, std::int64_t{2});
    }

    void anErrorInsideTheScenarioIsReportedNotThrown() {
        ScenarioRunner runner(smallPoolWithoutStacks(16));
        PeriodicBurstsScenario scenario;
        // 65535 x 65535 RGBA is over the 4 GiB group limit: the allocator refuses every image.
        const ScenarioRunReport report =
            runner.run(scenario, scenario.resolveParameters({{"width", "65535"},
                                                             {"height", "65535"},
                                                             {"images-per-burst", "2"},
                                                             {"idle-ms", "0"}}));
        QVERIFY2(report.error.find("exceeded the limit 4294967296") != std::string::npos,
                 report.error.c_str());
        QCOMPARE(report.pool.peakRentedBytes, std::uint64_t{0});
    }
};

QTEST_GUILESS_MAIN(ScenarioBuiltInTest)
#include "ScenarioBuiltInTest.moc"
