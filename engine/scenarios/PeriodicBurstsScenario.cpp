#include "scenarios/PeriodicBurstsScenario.h"

#include <algorithm>
#include <barrier>
#include <exception>
#include <mutex>
#include <thread>

#include "diagnostics/MemoryDiagnostics.h"
#include "scenarios/ScenarioError.h"

namespace poolscope {

std::string PeriodicBurstsScenario::description() const {
    return "Bursts of concurrent large images, then idle: trimming visibly gives the retained "
           "pool chunks back, period by period.";
}

std::vector<ScenarioParameter> PeriodicBurstsScenario::parameters() const {
    return {
        ScenarioParameter::integer("bursts", "bursts of images", 3, 1, 10'000),
        ScenarioParameter::integer("images-per-burst", "images alive at once, one thread each", 4,
                                   1, 64),
        ScenarioParameter::integer("width", "image width in pixels (RGBA)", 4000, 1, 65'535),
        ScenarioParameter::integer("height", "image height in pixels", 3000, 1, 65'535),
        ScenarioParameter::integer("idle-ms", "idle time after each burst", 4000, 0, 86'400'000),
        ScenarioParameter::integer("trim-period-ms", "trim period of the pool", 1000, 1,
                                   86'400'000),
        ScenarioParameter::real("trim-rate", "share of the retained chunks each trim frees", 0.5,
                                0.0, 1.0),
    };
}

void PeriodicBurstsScenario::configureAllocator(PooledMemoryAllocator::Settings& settings,
                                                const ScenarioParameters& parameters) const {
    settings.trimPolicy.period = std::chrono::milliseconds(parameters.integer("trim-period-ms"));
    settings.trimPolicy.rate = parameters.real("trim-rate");
    // The scenario makes the passes itself (see the class comment); the shared thread would
    // add passes on its own schedule.
    settings.registerForTrimming = false;
}

void PeriodicBurstsScenario::runBurst(ScenarioContext& context, UniformChunkPool& pool, int images,
                                      int width, int height) {
    MemoryAllocator& allocator = context.allocator();
    std::mutex errorMutex;
    std::exception_ptr firstError;
    // Sampled once every image is allocated and none disposed yet: the top of the burst.
    std::barrier allAllocated(images, [&]() noexcept {
        peakRentedChunks_ = std::max(peakRentedChunks_, pool.stats().rented);
    });
    {
        std::vector<std::jthread> threads;
        threads.reserve(static_cast<std::size_t>(images));
        for (int i = 0; i < images; ++i) {
            threads.emplace_back([&, i] {
                try {
                    const AllocationTagScope tag(kImageTag);
                    MemoryGroup image = allocator.allocateGroup(std::int64_t{width} * height,
                                                                kBytesPerPixel, width);
                    // Touch the first and last row of every chunk, as a filter would.
                    for (int chunk = 0; chunk < image.count(); ++chunk) {
                        const std::span<std::uint32_t> pixels = image.chunk<std::uint32_t>(chunk);
                        std::fill_n(pixels.begin(), width, 0xff000000u | static_cast<unsigned>(i));
                        std::fill(pixels.end() - width, pixels.end(), 0xffffffffu);
                    }
                    allAllocated.arrive_and_wait();
                } catch (...) {
                    allAllocated.arrive_and_drop();
                    std::lock_guard lock(errorMutex);
                    if (!firstError) {
                        firstError = std::current_exception();
                    }
                }
            });
        }
    }
    if (firstError) {
        std::rethrow_exception(firstError);
    }
}

ScenarioOutcome PeriodicBurstsScenario::run(ScenarioContext& context,
                                            const ScenarioParameters& parameters) {
    auto* pooled = dynamic_cast<PooledMemoryAllocator*>(&context.allocator());
    if (pooled == nullptr) {
        throw ScenarioError("scenario 'periodic-bursts' needs the pooled allocator, not '" +
                            context.allocator().name() + "'");
    }
    UniformChunkPool& pool = pooled->pool();
    const int bursts = static_cast<int>(parameters.integer("bursts"));
    const int images = static_cast<int>(parameters.integer("images-per-burst"));
    const int width = static_cast<int>(parameters.integer("width"));
    const int height = static_cast<int>(parameters.integer("height"));
    const std::int64_t idleMilliseconds = parameters.integer("idle-ms");
    // The shared trim thread wakes at a quarter of the period; so do the passes here.
    const std::int64_t tickMilliseconds =
        std::max<std::int64_t>(1, parameters.integer("trim-period-ms") / 4);

    timeline_.clear();
    peakRentedChunks_ = 0;
    const std::int64_t startNanoseconds = context.clock().nowNanoseconds();
    const auto sample = [&](int burst, bool afterTrimPass) {
        const UniformChunkPool::Stats stats = pool.stats();
        timeline_.push_back({(context.clock().nowNanoseconds() - startNanoseconds) / 1'000'000,
                             burst, stats.rented, stats.retained, afterTrimPass});
    };
    const std::uint64_t chunksFreedBefore = pool.stats().chunksFreed;

    ScenarioOutcome outcome;
    int burstsDone = 0;
    std::int64_t trimPasses = 0;
    for (int burst = 1; burst <= bursts; ++burst) {
        if (!context.checkpoint("burst " + std::to_string(burst))) {
            outcome.cancelled = true;
            break;
        }
        runBurst(context, pool, images, width, height);
        sample(burst, false);
        if (!context.checkpoint("idle after burst " + std::to_string(burst))) {
            outcome.cancelled = true;
            break;
        }
        for (std::int64_t idle = 0; idle < idleMilliseconds; idle += tickMilliseconds) {
            if (!context.waitFor(std::chrono::milliseconds(
                    std::min(tickMilliseconds, idleMilliseconds - idle)))) {
                outcome.cancelled = true;
                break;
            }
            const int retainedBefore = pool.stats().retained;
            pool.trim();
            const bool freedSome = pool.stats().retained < retainedBefore;
            trimPasses += freedSome ? 1 : 0;
            sample(burst, freedSome);
        }
        if (outcome.cancelled) {
            break;
        }
        burstsDone = burst;
        context.reportProgress(burst, bursts, "burst");
    }

    const UniformChunkPool::Stats end = pool.stats();
    outcome.addFigure("burstsCompleted", std::int64_t{burstsDone});
    outcome.addFigure("peakRentedChunks", std::int64_t{peakRentedChunks_});
    outcome.addFigure("trimPassesThatFreed", trimPasses);
    outcome.addFigure("chunksTrimmed",
                      static_cast<std::int64_t>(end.chunksFreed - chunksFreedBefore));
    outcome.addFigure("retainedChunksAtEnd", std::int64_t{end.retained});
    return outcome;
}

}  // namespace poolscope
