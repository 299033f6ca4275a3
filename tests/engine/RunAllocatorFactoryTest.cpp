// The one builder of a run's allocator honours every option a front end offers, over what the
// scenario asks for itself.

#include <QtTest>

#include <chrono>
#include <memory>

#include "gc/GcHeap.h"
#include "gc/GcPixelAllocator.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"
#include "scenarios/RunAllocatorFactory.h"
#include "scenarios/Scenario.h"
#include "scenarios/ScenarioContext.h"
#include "scenarios/ScenarioParameter.h"

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kScenarioTrimPeriod{1234};

// Shapes the pool as a scenario may: its own trim period, and no shared trim thread.
class TrimmingScenario final : public Scenario {
public:
    std::string name() const override { return "trimming"; }
    std::string description() const override { return "asks for its own trim period"; }
    std::vector<ScenarioParameter> parameters() const override { return {}; }
    void configureAllocator(PooledMemoryAllocator::Settings& settings,
                            const ScenarioParameters&) const override {
        settings.trimPolicy.period = kScenarioTrimPeriod;
        settings.registerForTrimming = false;
    }
    ScenarioOutcome run(ScenarioContext&, const ScenarioParameters&) override { return {}; }
};

RunAllocator make(const RunAllocatorOptions& options) {
    TrimmingScenario scenario;
    return RunAllocatorFactory::make(options, scenario, scenario.resolveParameters({}));
}

}  // namespace

class RunAllocatorFactoryTest : public QObject {
    Q_OBJECT

private slots:
    void runAllocator_hasTheChosenPoolSize() {
        RunAllocatorOptions options;
        options.maximumPoolSizeMegabytes = 16;
        const RunAllocator run = make(options);
        QVERIFY(run.pooled);
        QCOMPARE(run.allocator.get(), run.pooled.get());
        QCOMPARE(run.pooled->settings().maximumPoolSizeBytes, 16 * MemoryAllocator::kMegabyte);
        QCOMPARE(run.pooled->pool().capacity(), 4);
    }

    void runAllocator_withoutPoolSize_takesTheMachinesDefault() {
        const RunAllocator run = make({});
        QCOMPARE(run.pooled->settings().maximumPoolSizeBytes,
                 static_cast<std::int64_t>(SystemMemory::defaultMaximumPoolSizeBytes()));
    }

    void runAllocator_keepsTheScenariosTrimPeriodUnlessOneIsChosen() {
        QCOMPARE(make({}).pooled->pool().trimPolicy().period, kScenarioTrimPeriod);
        RunAllocatorOptions options;
        options.trimPeriod = 250ms;
        const RunAllocator run = make(options);
        QCOMPARE(run.pooled->pool().trimPolicy().period, 250ms);
        QVERIFY(!run.pooled->settings().registerForTrimming);
    }

    void runAllocator_gcBacked_isAManagedHeapAllocator() {
        RunAllocatorOptions options;
        options.gcBacked = true;
        options.maximumPoolSizeMegabytes = 16;
        const RunAllocator run = make(options);
        QVERIFY(run.heap);
        QVERIFY(!run.pooled);
        const auto* managed = dynamic_cast<const GcPixelAllocator*>(run.allocator.get());
        QVERIFY(managed != nullptr);
        QCOMPARE(&managed->heap(), run.heap.get());
        QVERIFY(!make({}).heap);
    }

    void runAllocator_preferContiguous_reachesTheScenariosImages() {
        RunAllocatorOptions options;
        options.preferContiguous = true;
        const RunAllocator run = make(options);
        QVERIFY(run.contextOptions().preferContiguousImageBuffers);
        const ScenarioContext context(run.contextOptions());
        QVERIFY(context.imageConfiguration().preferContiguousImageBuffers);
        QCOMPARE(context.imageConfiguration().allocator.get(), run.allocator.get());
        QVERIFY(!make({}).contextOptions().preferContiguousImageBuffers);
    }

    void runAllocator_runsOnTheChosenClockAndLoad() {
        RunAllocatorOptions options;
        options.manualClock = std::make_shared<ManualClock>();
        FixedLoadSource load(MemoryLoad{.totalBytes = 1u << 30, .availableBytes = 1u << 29});
        options.loadSource = &load;
        const RunAllocator run = make(options);
        QCOMPARE(run.pooled->settings().clock, static_cast<Clock*>(options.manualClock.get()));
        QCOMPARE(run.pooled->settings().loadSource, static_cast<MemoryLoadSource*>(&load));
        QCOMPARE(run.contextOptions().manualClock, options.manualClock);
        QCOMPARE(run.contextOptions().loadSource, static_cast<MemoryLoadSource*>(&load));
    }
};

QTEST_GUILESS_MAIN(RunAllocatorFactoryTest)
#include "RunAllocatorFactoryTest.moc"
