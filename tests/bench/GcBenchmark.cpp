// The gc suite (scripts/bench gc): the managed heap's allocation rate against glibc malloc of
// the same payload sizes, its generation 0 and generation 2 pause times at live sets of 1 to
// 64 MiB, and a batch of 50 resized 4000x3000 images on the GC-backed pixel allocator (with the
// default and with a lazy LOH budget) against the pooled one: peak and idle memory held, time.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer). Pause times have no peer in this
// process; they are printed as figures. Medians over kRepetitions repetitions. The batch's
// memory ratios are gc/pool (above 1: the GC side held more).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "MedianCollector.h"
#include "gc/GcHeap.h"
#include "gc/GcPixelAllocator.h"
#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/Resize.h"
#include "imaging/Rgba32.h"
#include "memory/MemoryAllocator.h"

namespace poolscope::bench {

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr int kRepetitions = 5;
constexpr double kMinSecondsPerRepetition = 0.2;
// One benchmark iteration allocates a batch of this many objects.
constexpr int kBatch = 1024;
constexpr std::uint32_t kSmallPayloadBytes = 32;
constexpr std::int64_t kLiveSetsMiB[] = {1, 4, 16, 64};
// Node of the live sets: one reference and 32 bytes of data, 64 bytes with its header.
constexpr std::uint32_t kLiveNodePayloadBytes = 40;
constexpr std::uint64_t kLiveNodeBytes = 64;
constexpr std::size_t kLiveArrayLength = 1024;
// Between two timed collections: three quarters of a gen 0 budget of new objects, 1 in 16
// kept; staying under the budget keeps the budget's own collection out of the measurement.
constexpr std::uint64_t kGarbagePerIterationBytes = 192 * 1024;
constexpr int kSurvivorEvery = 16;
constexpr std::size_t kSurvivorRing = 4096;

// The mixed sizes: one fixed pseudo-random sequence of payloads between 16 and 512 bytes, the
// same for both sides.
const std::vector<std::uint32_t>& mixedSizes() {
    static const std::vector<std::uint32_t> sizes = [] {
        std::mt19937 random(42);
        std::uniform_int_distribution<std::uint32_t> size(16, 512);
        std::vector<std::uint32_t> all(kBatch);
        for (std::uint32_t& bytes : all) {
            bytes = size(random);
        }
        return all;
    }();
    return sizes;
}

struct Comparison {
    std::string caseName;
    std::string oursBenchmark;
    std::string peerBenchmark;
};

std::vector<Comparison>& comparisons() {
    static std::vector<Comparison> all;
    return all;
}

// Pauses are timed by hand (only the collection, not the allocation between two), everything
// else by wall clock.
enum class Timing { Wall, Manual };

benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* benchmark,
                                          benchmark::TimeUnit unit, Timing timing = Timing::Wall) {
    if (timing == Timing::Manual) {
        benchmark->UseManualTime();
    } else {
        benchmark->UseRealTime();
    }
    return benchmark->Unit(unit)
        ->MinTime(kMinSecondsPerRepetition)
        ->Repetitions(kRepetitions)
        ->ReportAggregatesOnly(true);
}

GcHeap::Settings benchmarkSettings() {
    GcHeap::Settings settings;  // the defaults: 256 KiB gen 0, 2 MiB gen 1
    settings.smallObjectReserveBytes = std::size_t{1} << 30;
    return settings;
}

// A heap holding `liveMiB` of small objects in generation 2, reachable from a static through
// arrays of 1024 references, plus a ring of recent survivors the timed loops keep refilling.
struct LiveHeap {
    std::unique_ptr<GcHeap> heap;
    GcTypeId node = 0;
    GcHeap::StaticId survivors = 0;
    std::size_t nextSurvivor = 0;
    std::uint64_t liveObjects = 0;

    explicit LiveHeap(std::int64_t liveMiB) : heap(std::make_unique<GcHeap>(benchmarkSettings())) {
        node = heap->registerType(GcType{"Node", kLiveNodePayloadBytes, {{"next", 0}}, {}});
        const GcHeap::StaticId liveSet = heap->defineStatic("liveSet");
        survivors = heap->defineStatic("recentSurvivors");
        const std::uint64_t perArray =
            kLiveArrayLength * kLiveNodeBytes + kLiveArrayLength * 8 + 32;
        const std::size_t arrays = static_cast<std::size_t>(
            (static_cast<std::uint64_t>(liveMiB) * kMiB + perArray - 1) / perArray);
        GcFrame frame(*heap, "build");
        const ObjectRef top = heap->allocateReferenceArray(frame, arrays);
        heap->setStatic(liveSet, top);
        heap->setStatic(survivors, heap->allocateReferenceArray(frame, kSurvivorRing));
        for (std::size_t a = 0; a < arrays; ++a) {
            GcFrame fill(*heap, "fill");
            const ObjectRef array = heap->allocateReferenceArray(fill, kLiveArrayLength);
            heap->setReference(top, a, array);
            for (std::size_t i = 0; i < kLiveArrayLength; ++i) {
                const ObjectRef object = heap->allocate(fill, node);
                heap->setReference(array, i, object);
                fill.retire(object);
                ++liveObjects;
            }
        }
        heap->collect(2);
        heap->collect(2);  // everything now sits compacted in generation 2
    }

    // Allocates a gen 0 budget's worth of nodes, keeping one in kSurvivorEvery in the ring.
    void churn() {
        GcFrame frame(*heap, "churn");
        const ObjectRef ring = heap->loadStatic(frame, survivors);
        const std::uint64_t count = kGarbagePerIterationBytes / kLiveNodeBytes;
        for (std::uint64_t i = 0; i < count; ++i) {
            const ObjectRef object = heap->allocate(frame, node);
            if (i % kSurvivorEvery == 0) {
                heap->setReference(ring, nextSurvivor, object);
                nextSurvivor = (nextSurvivor + 1) % kSurvivorRing;
            }
            frame.retire(object);
        }
    }
};

// Built on first use and kept: building 64 MiB of objects takes longer than measuring them.
std::map<std::int64_t, std::unique_ptr<LiveHeap>>& liveHeaps() {
    static std::map<std::int64_t, std::unique_ptr<LiveHeap>> heaps;
    return heaps;
}

LiveHeap& liveHeap(std::int64_t liveMiB) {
    auto& slot = liveHeaps()[liveMiB];
    if (!slot) {
        slot = std::make_unique<LiveHeap>(liveMiB);
    }
    return *slot;
}

void allocateSmallBatch(GcHeap& heap, GcFrame& frame, GcTypeId type) {
    for (int i = 0; i < kBatch; ++i) {
        frame.retire(heap.allocate(frame, type));
    }
}

void registerAllocation() {
    // Fixed small objects: the gen 0 bump pointer (and the gen 0 collections its budget
    // triggers, nothing surviving) against malloc + zeroing + free of the same payload.
    configure(benchmark::RegisterBenchmark("alloc_32B/gc",
                                           [](benchmark::State& state) {
                                               GcHeap heap(benchmarkSettings());
                                               const GcTypeId type = heap.registerType(
                                                   GcType{"Small", kSmallPayloadBytes, {}, {}});
                                               GcFrame frame(heap, "loop");
                                               for (auto _ : state) {
                                                   allocateSmallBatch(heap, frame, type);
                                               }
                                               state.SetItemsProcessed(state.iterations() * kBatch);
                                           }),
              benchmark::kMicrosecond);
    configure(benchmark::RegisterBenchmark("alloc_32B/malloc",
                                           [](benchmark::State& state) {
                                               std::vector<void*> objects(kBatch);
                                               for (auto _ : state) {
                                                   for (void*& object : objects) {
                                                       object = std::malloc(kSmallPayloadBytes);
                                                       if (object == nullptr) {
                                                           throw std::bad_alloc();
                                                       }
                                                       // The managed heap hands out zeroed objects;
                                                       // so does this side.
                                                       std::memset(object, 0, kSmallPayloadBytes);
                                                   }
                                                   benchmark::DoNotOptimize(objects.data());
                                                   for (void* object : objects) {
                                                       std::free(object);
                                                   }
                                               }
                                               state.SetItemsProcessed(state.iterations() * kBatch);
                                           }),
              benchmark::kMicrosecond);
    comparisons().push_back({"alloc_32B", "alloc_32B/gc", "alloc_32B/malloc"});

    configure(
        benchmark::RegisterBenchmark("alloc_mixed_16_512B/gc",
                                     [](benchmark::State& state) {
                                         GcHeap heap(benchmarkSettings());
                                         GcFrame frame(heap, "loop");
                                         for (auto _ : state) {
                                             for (std::uint32_t bytes : mixedSizes()) {
                                                 frame.retire(heap.allocateByteArray(frame, bytes));
                                             }
                                         }
                                         state.SetItemsProcessed(state.iterations() * kBatch);
                                     }),
        benchmark::kMicrosecond);
    configure(benchmark::RegisterBenchmark(
                  "alloc_mixed_16_512B/malloc",
                  [](benchmark::State& state) {
                      std::vector<void*> objects(kBatch);
                      for (auto _ : state) {
                          for (int i = 0; i < kBatch; ++i) {
                              const std::uint32_t bytes = mixedSizes()[static_cast<std::size_t>(i)];
                              objects[static_cast<std::size_t>(i)] = std::malloc(bytes);
                              if (objects[static_cast<std::size_t>(i)] == nullptr) {
                                  throw std::bad_alloc();
                              }
                              std::memset(objects[static_cast<std::size_t>(i)], 0, bytes);
                          }
                          benchmark::DoNotOptimize(objects.data());
                          for (void* object : objects) {
                              std::free(object);
                          }
                      }
                      state.SetItemsProcessed(state.iterations() * kBatch);
                  }),
              benchmark::kMicrosecond);
    comparisons().push_back(
        {"alloc_mixed_16_512B", "alloc_mixed_16_512B/gc", "alloc_mixed_16_512B/malloc"});

    // The same small allocations beside a live set in generation 2: a generational heap's
    // allocation rate should not care how much old data there is.
    for (const std::int64_t liveMiB : kLiveSetsMiB) {
        const std::string caseName = "alloc_32B_live" + std::to_string(liveMiB) + "MiB";
        configure(
            benchmark::RegisterBenchmark((caseName + "/gc").c_str(),
                                         [liveMiB](benchmark::State& state) {
                                             LiveHeap& live = liveHeap(liveMiB);
                                             GcFrame frame(*live.heap, "loop");
                                             for (auto _ : state) {
                                                 allocateSmallBatch(*live.heap, frame, live.node);
                                             }
                                             state.SetItemsProcessed(state.iterations() * kBatch);
                                         }),
            benchmark::kMicrosecond);
        comparisons().push_back({caseName, caseName + "/gc", "alloc_32B/malloc"});
    }
}

void registerPauses() {
    for (const std::int64_t liveMiB : kLiveSetsMiB) {
        // Generation 0: the live set is old, so only the new objects and the remembered ring
        // are traced; the pause should stay flat as the live set grows.
        configure(benchmark::RegisterBenchmark(
                      ("gen0_pause_live" + std::to_string(liveMiB) + "MiB/gc").c_str(),
                      [liveMiB](benchmark::State& state) {
                          LiveHeap& live = liveHeap(liveMiB);
                          int iteration = 0;
                          for (auto _ : state) {
                              live.churn();
                              const auto start = std::chrono::steady_clock::now();
                              live.heap->collect(0);
                              state.SetIterationTime(std::chrono::duration<double>(
                                                         std::chrono::steady_clock::now() - start)
                                                         .count());
                              // Promoted ring survivors die in generation 1; collect it now and
                              // then, untimed, so it does not grow without end.
                              if (++iteration % 64 == 0) {
                                  live.heap->collect(1);
                              }
                          }
                      }),
                  benchmark::kMicrosecond, Timing::Manual);
        // Generation 2: everything is traced, fixed up and (where garbage lies below it) moved.
        configure(benchmark::RegisterBenchmark(
                      ("gen2_pause_live" + std::to_string(liveMiB) + "MiB/gc").c_str(),
                      [liveMiB](benchmark::State& state) {
                          LiveHeap& live = liveHeap(liveMiB);
                          for (auto _ : state) {
                              live.churn();
                              const auto start = std::chrono::steady_clock::now();
                              live.heap->collect(2);
                              state.SetIterationTime(std::chrono::duration<double>(
                                                         std::chrono::steady_clock::now() - start)
                                                         .count());
                          }
                      }),
                  benchmark::kMillisecond, Timing::Manual);
    }
}

// ---- the batch workload: 50 images of 4000x3000 RGBA resized to 1000x750 ----------------------

constexpr int kBatchImages = 50;
constexpr int kSourceWidth = 4000;
constexpr int kSourceHeight = 3000;
constexpr int kTargetWidth = 1000;
constexpr int kTargetHeight = 750;
constexpr int kBatchRepetitions = 3;

std::int64_t residentBytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t sizePages = 0;
    std::int64_t residentPages = 0;
    statm >> sizePages >> residentPages;
    return residentPages * sysconf(_SC_PAGESIZE);
}

// The kernel's high-water mark of the resident set, reset by writing 5 to clear_refs, catches
// the peak inside an allocation, where sampling between images would miss it.
bool resetPeakResident() {
    std::ofstream clearRefs("/proc/self/clear_refs");
    clearRefs << "5";
    clearRefs.flush();
    return static_cast<bool>(clearRefs);
}

std::int64_t peakResidentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stoll(line.substr(6)) * 1024;
        }
    }
    return 0;
}

struct BatchResult {
    double seconds = 0;
    std::int64_t peakBytes = 0;  // resident set above the start of the batch, at its highest
    std::int64_t idleBytes = 0;  // still resident after the batch, once settled
};

// Runs the batch: every image is made (filled, as a decoder would), resized, and both disposed
// at the end of their iteration, as an image pipeline with `using` blocks does. `settle` is what
// the side does once the batch is over: trim the pool, or collect the heap.
BatchResult runBatch(const Configuration& configuration, const std::function<void()>& settle) {
    BatchResult result;
    const std::int64_t baseline = residentBytes();
    const bool kernelPeak = resetPeakResident();
    std::int64_t sampledPeak = baseline;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBatchImages; ++i) {
        const auto shade = static_cast<std::uint8_t>(i * 5);
        Image<Rgba32> source(configuration, kSourceWidth, kSourceHeight,
                             Rgba32{shade, 128, static_cast<std::uint8_t>(255 - shade), 255});
        Image<Rgba32> thumbnail =
            resized(source, kTargetWidth, kTargetHeight, ResamplerKind::Bilinear);
        benchmark::DoNotOptimize(thumbnail.pixel(kTargetWidth / 2, kTargetHeight / 2));
        sampledPeak = std::max(sampledPeak, residentBytes());
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.peakBytes =
        (kernelPeak ? std::max(peakResidentBytes(), sampledPeak) : sampledPeak) - baseline;
    settle();
    result.idleBytes = std::max<std::int64_t>(0, residentBytes() - baseline);
    return result;
}

struct BatchSide {
    std::vector<BatchResult> runs;
    double medianSeconds() const {
        std::vector<double> seconds;
        for (const BatchResult& run : runs) {
            seconds.push_back(run.seconds);
        }
        std::sort(seconds.begin(), seconds.end());
        return seconds[seconds.size() / 2];
    }
    std::int64_t peakBytes() const {
        std::int64_t peak = 0;
        for (const BatchResult& run : runs) {
            peak = std::max(peak, run.peakBytes);
        }
        return peak;
    }
    std::int64_t idleBytes() const {
        std::int64_t idle = 0;
        for (const BatchResult& run : runs) {
            idle = std::max(idle, run.idleBytes);
        }
        return idle;
    }
};

// The GC side runs twice: with the heap's default LOH budget (64 MiB: a full collection about
// every image, so dead pixel arrays go back soon) and with a lazy 1 GiB budget, closer to a
// server collector that lets the LOH grow before collecting, where dead images pile up.
constexpr std::uint64_t kLazyLargeObjectBudgetBytes = std::uint64_t{1} << 30;

struct BatchOutcome {
    BatchSide gc;
    BatchSide gcLazy;
    BatchSide pool;
    std::uint64_t gcCollections[3] = {0, 0, 0};
    std::uint64_t gcLazyCollections[3] = {0, 0, 0};
    bool ran = false;
};

BatchResult runGcBatch(const GcHeap::Settings& settings, std::uint64_t (&collections)[3]) {
    auto heap = std::make_shared<GcHeap>(settings);
    Configuration configuration = Configuration::defaultInstance().clone();
    configuration.allocator = std::make_shared<GcPixelAllocator>(heap);
    const BatchResult result = runBatch(configuration, [&] {
        // The pixel arrays are unpinned but still on the heap until a collection finds them
        // dead: the last collection of the batch is what gives them back.
        heap->collect(2);
        heap->waitForPendingFinalizers();
        heap->collect(2);
    });
    const GcStatistics statistics = heap->statistics();
    for (int generation = 0; generation < 3; ++generation) {
        collections[generation] += statistics.collections[generation];
    }
    return result;
}

// Each repetition makes a fresh heap and a fresh pool, so neither side starts with memory the
// previous one left; the two sides alternate so that machine noise hits both alike.
BatchOutcome runBatchComparison() {
    BatchOutcome outcome;
    // Warm up what both sides share (the task scheduler's threads, the resize kernels' scratch)
    // so the first side measured does not pay for it.
    {
        Image<Rgba32> warm(Configuration::defaultInstance(), 400, 300);
        benchmark::DoNotOptimize(resized(warm, 100, 75, ResamplerKind::Bilinear).width());
    }
    for (int repetition = 0; repetition < kBatchRepetitions; ++repetition) {
        outcome.gc.runs.push_back(runGcBatch(GcHeap::Settings{}, outcome.gcCollections));
        GcHeap::Settings lazy;
        lazy.largeObjectBudgetBytes = kLazyLargeObjectBudgetBytes;
        outcome.gcLazy.runs.push_back(runGcBatch(lazy, outcome.gcLazyCollections));
        {
            Configuration configuration = Configuration::defaultInstance().clone();
            configuration.allocator = MemoryAllocator::create();
            std::shared_ptr<MemoryAllocator> pool = configuration.allocator;
            outcome.pool.runs.push_back(
                runBatch(configuration, [&] { pool->releaseRetainedResources(); }));
        }
    }
    outcome.ran = true;
    return outcome;
}

double mebibytes(std::int64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

void printBatch(const BatchOutcome& outcome) {
    if (!outcome.ran) {
        return;
    }
    std::printf("\n== Batch: %d images %dx%d RGBA resized to %dx%d (bilinear), %d repetitions\n",
                kBatchImages, kSourceWidth, kSourceHeight, kTargetWidth, kTargetHeight,
                kBatchRepetitions);
    const auto line = [](const char* name, const BatchSide& side) {
        std::printf("batch_%-10s time %7.2f s (median)  peak held %8.1f MiB  idle held %8.1f MiB\n",
                    name, side.medianSeconds(), mebibytes(side.peakBytes()),
                    mebibytes(side.idleBytes()));
    };
    line("gc", outcome.gc);
    line("gc_loh1GiB", outcome.gcLazy);
    line("pool", outcome.pool);
    const auto collections = [](const char* name, const std::uint64_t(&counts)[3]) {
        std::printf("%s collections over the batches: gen0 %llu, gen1 %llu, gen2 %llu\n", name,
                    static_cast<unsigned long long>(counts[0]),
                    static_cast<unsigned long long>(counts[1]),
                    static_cast<unsigned long long>(counts[2]));
    };
    collections("gc (LOH budget 64 MiB)", outcome.gcCollections);
    collections("gc_loh1GiB (LOH budget 1 GiB)", outcome.gcLazyCollections);
    std::printf(
        "(held = resident set above the batch's start; idle = after releaseRetainedResources() "
        "for the pool, after the last collection for the gc)\n");
}

void printBatchRatios(const BatchOutcome& outcome) {
    if (!outcome.ran) {
        std::printf("# no RATIO for batch_50x4000x3000 gc/pool: --batch=false\n");
        return;
    }
    // Memory: gc/pool, above 1 the GC side held more. Idle can be near zero on both sides;
    // a MiB floor keeps the quotient meaningful.
    const auto memoryRatio = [](std::int64_t gc, std::int64_t pool) {
        return std::max(mebibytes(gc), 1.0) / std::max(mebibytes(pool), 1.0);
    };
    std::printf(
        "# batch: time as above (pool median / gc median); memory held as gc / pool (above 1: "
        "the gc side held more)\n");
    const auto ratios = [&](const char* name, const BatchSide& gc) {
        std::printf("RATIO batch_50x4000x3000_time %s/pool %.3f\n", name,
                    outcome.pool.medianSeconds() / gc.medianSeconds());
        std::printf("RATIO batch_50x4000x3000_peak_held %s/pool %.3f\n", name,
                    memoryRatio(gc.peakBytes(), outcome.pool.peakBytes()));
        std::printf("RATIO batch_50x4000x3000_idle_held %s/pool %.3f\n", name,
                    memoryRatio(gc.idleBytes(), outcome.pool.idleBytes()));
    };
    ratios("gc", outcome.gc);
    ratios("gc_loh1GiB", outcome.gcLazy);
}

void printFigures(const MedianCollector& medians) {
    std::printf("\n== Figures (medians)\n");
    const auto rate = [&](const std::string& name) {
        const auto median = medians.medianNanoseconds(name);
        if (median) {
            std::printf("%-32s %8.1f M objects/s (%.1f ns per object)\n", name.c_str(),
                        kBatch / *median * 1e3, *median / kBatch);
        }
    };
    rate("alloc_32B/gc");
    rate("alloc_32B/malloc");
    rate("alloc_mixed_16_512B/gc");
    rate("alloc_mixed_16_512B/malloc");
    for (const std::int64_t liveMiB : kLiveSetsMiB) {
        rate("alloc_32B_live" + std::to_string(liveMiB) + "MiB/gc");
    }
    for (const std::int64_t liveMiB : kLiveSetsMiB) {
        const auto gen0 =
            medians.medianNanoseconds("gen0_pause_live" + std::to_string(liveMiB) + "MiB/gc");
        const auto gen2 =
            medians.medianNanoseconds("gen2_pause_live" + std::to_string(liveMiB) + "MiB/gc");
        const auto built = liveHeaps().find(liveMiB);
        if (built == liveHeaps().end() || !built->second || (!gen0 && !gen2)) {
            continue;  // filtered out
        }
        std::printf(
            "live set %3lld MiB (%8llu objects): gen0 pause %8.1f us, gen2 pause %8.2f ms\n",
            static_cast<long long>(liveMiB),
            static_cast<unsigned long long>(built->second->liveObjects), gen0 ? *gen0 / 1e3 : -1.0,
            gen2 ? *gen2 / 1e6 : -1.0);
    }
}

void printRatios(const MedianCollector& medians) {
    std::printf("\n== Ratios (value = peer median / gc median; above 1: the peer took longer)\n");
    for (const Comparison& comparison : comparisons()) {
        const auto ours = medians.medianNanoseconds(comparison.oursBenchmark);
        const auto peer = medians.medianNanoseconds(comparison.peerBenchmark);
        const std::string peerName =
            comparison.peerBenchmark.substr(comparison.peerBenchmark.find('/') + 1);
        if (ours && peer) {
            std::printf("RATIO %s gc/%s %.3f\n", comparison.caseName.c_str(), peerName.c_str(),
                        *peer / *ours);
        } else {
            std::printf("# no RATIO for %s gc/%s: a benchmark did not run\n",
                        comparison.caseName.c_str(), peerName.c_str());
        }
    }
}

int run(int argc, char** argv) {
    // --batch=false skips the image batch (about a minute); the other options are Google
    // Benchmark's.
    bool batch = true;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--batch=false") {
            batch = false;
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 2;
    }
    std::printf(
        "== PoolScope gc benchmarks: gen0 budget %llu KiB, gen1 budget %llu KiB; "
        "medians over %d repetitions of >= %.2f s\n",
        static_cast<unsigned long long>(benchmarkSettings().gen0BudgetBytes / 1024),
        static_cast<unsigned long long>(benchmarkSettings().gen1BudgetBytes / 1024), kRepetitions,
        kMinSecondsPerRepetition);
    registerAllocation();
    registerPauses();

    const MedianCollector medians = runRegisteredBenchmarks();
    const BatchOutcome batchOutcome = batch ? runBatchComparison() : BatchOutcome{};

    std::fflush(stderr);
    printFigures(medians);
    printBatch(batchOutcome);
    printRatios(medians);
    printBatchRatios(batchOutcome);
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("gc_bench", argc, argv, poolscope::bench::run);
}
