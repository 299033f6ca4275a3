// The gc suite (scripts/bench gc): the managed heap's allocation rate against glibc malloc of
// the same payload sizes, and its generation 0 and generation 2 pause times at live sets of
// 1 to 64 MiB.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer). Pause times have no peer in this
// process; they are printed as figures. Medians over kRepetitions repetitions.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "MedianCollector.h"
#include "gc/GcHeap.h"

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
    std::printf(
        "not measured here: the 50-image 4000x3000 batch resize on the GC-backed allocator vs the "
        "pool, which needs the imaging engine\n");
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

    std::fflush(stderr);
    printFigures(medians);
    printRatios(medians);
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("gc_bench", argc, argv, poolscope::bench::run);
}
