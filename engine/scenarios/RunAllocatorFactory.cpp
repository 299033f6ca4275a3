#include "scenarios/RunAllocatorFactory.h"

#include "gc/GcHeap.h"
#include "gc/GcPixelAllocator.h"
#include "scenarios/Scenario.h"

namespace poolscope {

ScenarioContext::Options RunAllocator::contextOptions() const {
    ScenarioContext::Options context;
    context.allocator = allocator;
    context.manualClock = options.manualClock;
    context.loadSource = options.loadSource;
    context.preferContiguousImageBuffers = options.preferContiguous;
    return context;
}

RunAllocator RunAllocatorFactory::make(const RunAllocatorOptions& options, const Scenario& scenario,
                                       const ScenarioParameters& parameters) {
    RunAllocator run;
    run.options = options;
    if (options.gcBacked) {
        run.heap = std::make_shared<GcHeap>();
        run.allocator = std::make_shared<GcPixelAllocator>(run.heap);
        return run;
    }
    PooledMemoryAllocator::Settings settings;
    if (options.maximumPoolSizeMegabytes) {
        settings.maximumPoolSizeBytes =
            *options.maximumPoolSizeMegabytes * MemoryAllocator::kMegabyte;
    }
    if (options.manualClock) {
        settings.clock = options.manualClock.get();
    }
    settings.loadSource = options.loadSource;
    scenario.configureAllocator(settings, parameters);
    if (options.trimPeriod) {
        settings.trimPolicy.period = *options.trimPeriod;
    }
    run.pooled = std::make_shared<PooledMemoryAllocator>(settings);
    run.allocator = run.pooled;
    return run;
}

}  // namespace poolscope
