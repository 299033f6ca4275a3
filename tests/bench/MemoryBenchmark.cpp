// The memory suite (scripts/bench memory): the pooled allocator against glibc malloc, jemalloc
// and mimalloc, all in this one process, plus the costs of trimming and of stack capture.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer, or for RSS, kept more memory).
// Medians are over kRepetitions repetitions, each at least kMinSecondsPerRepetition long.

#include <benchmark/benchmark.h>
#include <execinfo.h>
#include <libunwind.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "MedianCollector.h"
#include "PeerAllocator.h"
#include "base/Clock.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackTable.h"
#include "memory/MemoryGroup.h"
#include "memory/MemoryOwner.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"

namespace poolscope::bench {

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr std::size_t kPageBytes = 4096;
// An image row of 4096 one-byte pixels, so 4 MiB chunks hold whole rows.
constexpr std::int64_t kRowBytes = 4096;

constexpr int kRepetitions = 7;
constexpr double kReleaseWithoutDisposeTargetNanoseconds = 5'000;
constexpr double kMinSecondsPerRepetition = 0.1;

constexpr std::int64_t kChurnSizesMiB[] = {4, 16, 64, 128};
constexpr int kChurnThreadCounts[] = {1, 2};
constexpr std::int64_t kRentReturnBytes = 64 * kMiB;
constexpr int kBurstGroups = 20;
constexpr std::int64_t kBurstGroupBytes = 16 * kMiB;
constexpr std::chrono::milliseconds kFastTrimPeriod{100};
// A second of idle time: ten trim periods, enough for rate 0.5 to empty 80 chunks (7 passes).
constexpr int kIdleTrimPeriods = 10;
// Real recursion below the benchmark's own frames; with those, about 30 frames to walk.
constexpr int kStackDepth = 16;
constexpr std::int64_t kSmallAllocationBytes = 256;

constexpr double kChurnTargetRatio = 300.0;
constexpr double kRentReturnTargetNanoseconds = 2000.0;
constexpr double kStackCaptureTargetNanoseconds = 300.0;

double toMiB(std::uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

// One RATIO line: the two benchmarks whose medians it divides, or a value measured directly.
struct Comparison {
    std::string caseName;
    std::string ours;
    std::string peer;
    std::string oursBenchmark;
    std::string peerBenchmark;
    std::optional<double> measuredValue;
};

std::vector<Comparison>& comparisons() {
    static std::vector<Comparison> all;
    return all;
}

void compare(const std::string& caseName, const std::string& ours, const std::string& peer) {
    comparisons().push_back(
        {caseName, ours, peer, caseName + "/" + ours, caseName + "/" + peer, std::nullopt});
}

PooledMemoryAllocator::Settings benchmarkSettings() {
    PooledMemoryAllocator::Settings settings;
    // The shared trim thread would free retained chunks on its own schedule, in the middle of a
    // measurement; trimming is measured on its own, with a clock the suite moves.
    settings.registerForTrimming = false;
    return settings;
}

// Shared by every thread of a churn case, as one allocator serves a whole process.
PooledMemoryAllocator& churnAllocator() {
    static PooledMemoryAllocator allocator(benchmarkSettings());
    return allocator;
}

benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* benchmark,
                                          benchmark::TimeUnit unit, int threads = 1) {
    return benchmark->Threads(threads)
        ->UseRealTime()
        ->Unit(unit)
        ->MinTime(kMinSecondsPerRepetition)
        ->Repetitions(kRepetitions)
        ->ReportAggregatesOnly(true);
}

// Writes one byte in every 4 KiB page: the least work that makes a buffer resident. Both sides of
// every churn comparison touch through this one function, and at the same place in every page,
// its middle, whatever the buffer's alignment. Where in its page a store lands changes its cost
// (measured on a Xeon KVM guest: in the first two and last two cache lines of a page a third
// more, page edges being where the hardware prefetchers act apart), so stepping whole pages from
// the buffer's start handed page-aligned buffers (the pool's, mimalloc's) the slow line, and
// glibc's warm 4 MiB heap chunks (shifted by their headers) and jemalloc's (shifted by a random
// number of cache lines) mostly a fast one. One store per page whose middle the buffer holds:
// 1024 for any 4 MiB buffer. Volatile, so that the compiler keeps stores into memory that is
// freed right after.
constexpr std::uintptr_t kTouchOffsetInPage = kPageBytes / 2;

[[gnu::noinline]] void touchPages(std::byte* data, std::size_t bytes) {
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t end = begin + bytes;
    std::uintptr_t touch = (begin & ~(std::uintptr_t{kPageBytes} - 1)) + kTouchOffsetInPage;
    if (touch < begin) {
        touch += kPageBytes;
    }
    for (; touch < end; touch += kPageBytes) {
        *reinterpret_cast<volatile std::byte*>(touch) = std::byte{1};
    }
}

void touchGroup(const MemoryGroup& group) {
    for (int i = 0; i < group.count(); ++i) {
        const std::span<std::byte> chunk = group.chunkBytes(i);
        touchPages(chunk.data(), chunk.size());
    }
}

void churnPooled(PooledMemoryAllocator& allocator, std::int64_t bytes) {
    MemoryGroup group = allocator.allocateGroup(bytes, 1, kRowBytes);
    touchGroup(group);
    group.dispose();
}

void churnPeer(const PeerAllocator& peer, std::int64_t bytes) {
    auto* data = static_cast<std::byte*>(peer.allocate(static_cast<std::size_t>(bytes)));
    if (data == nullptr) {
        throw std::bad_alloc();
    }
    touchPages(data, static_cast<std::size_t>(bytes));
    peer.free(data);
}

void registerChurn() {
    for (const std::int64_t megabytes : kChurnSizesMiB) {
        for (const int threads : kChurnThreadCounts) {
            const std::int64_t bytes = megabytes * kMiB;
            const std::string caseName =
                "churn_" + std::to_string(megabytes) + "MiB_" + std::to_string(threads) + "t";
            // Each thread churns its own buffers; the first churn, before the timed loop,
            // warms the pool (and gives every peer the same chance to keep memory around).
            configure(benchmark::RegisterBenchmark((caseName + "/poolscope").c_str(),
                                                   [bytes](benchmark::State& state) {
                                                       PooledMemoryAllocator& allocator =
                                                           churnAllocator();
                                                       churnPooled(allocator, bytes);
                                                       for (auto _ : state) {
                                                           churnPooled(allocator, bytes);
                                                       }
                                                   }),
                      benchmark::kMicrosecond, threads);
            for (const PeerAllocator& peer : PeerAllocator::all()) {
                configure(benchmark::RegisterBenchmark((caseName + "/" + peer.name()).c_str(),
                                                       [bytes, &peer](benchmark::State& state) {
                                                           churnPeer(peer, bytes);
                                                           for (auto _ : state) {
                                                               churnPeer(peer, bytes);
                                                           }
                                                       }),
                          benchmark::kMicrosecond, threads);
                compare(caseName, "poolscope", peer.name());
            }
        }
    }
}

// Rent and return only: the cost of the pool's bookkeeping for a 16-chunk group, nothing
// touched. The peers' counterpart is malloc + free of the same 64 MiB, also untouched.
void registerRentReturn() {
    const std::string caseName = "rent_return_16chunk";
    configure(
        benchmark::RegisterBenchmark((caseName + "/poolscope").c_str(),
                                     [](benchmark::State& state) {
                                         PooledMemoryAllocator& allocator = churnAllocator();
                                         churnPooled(allocator, kRentReturnBytes);
                                         for (auto _ : state) {
                                             MemoryGroup group = allocator.allocateGroup(
                                                 kRentReturnBytes, 1, kRowBytes);
                                             benchmark::DoNotOptimize(group.chunkBytes(0).data());
                                             group.dispose();
                                         }
                                     }),
        benchmark::kNanosecond);
    for (const PeerAllocator& peer : PeerAllocator::all()) {
        configure(benchmark::RegisterBenchmark(
                      (caseName + "/" + peer.name()).c_str(),
                      [&peer](benchmark::State& state) {
                          for (auto _ : state) {
                              void* data =
                                  peer.allocate(static_cast<std::size_t>(kRentReturnBytes));
                              benchmark::DoNotOptimize(data);
                              peer.free(data);
                          }
                      }),
                  benchmark::kNanosecond);
        compare(caseName, "poolscope", peer.name());
    }
}

// Calls atBottom `depth` real frames below the caller, so that a stack walk has a realistic
// distance to cover. noinline/noclone and using the result after the call keep the compiler
// from inlining the recursion, turning it into a loop or making the call a tail call.
[[gnu::noinline, gnu::noclone]] int callAtDepth(int depth, const std::function<void()>& atBottom) {
    if (depth <= 0) {
        atBottom();
        return 0;
    }
    int below = callAtDepth(depth - 1, atBottom);
    asm volatile("" : "+r"(below));
    return below + 1;
}

void registerStackCapture() {
    const std::string caseName = "stack_capture";
    configure(benchmark::RegisterBenchmark((caseName + "/poolscope").c_str(),
                                           [](benchmark::State& state) {
                                               callAtDepth(kStackDepth, [&state] {
                                                   const StackId warm = captureStack();
                                                   state.counters["frames"] = static_cast<double>(
                                                       StackTable::instance().frames(warm).size());
                                                   for (auto _ : state) {
                                                       benchmark::DoNotOptimize(captureStack());
                                                   }
                                               });
                                           }),
              benchmark::kNanosecond);
    configure(benchmark::RegisterBenchmark(
                  (caseName + "/glibc_backtrace").c_str(),
                  [](benchmark::State& state) {
                      callAtDepth(kStackDepth, [&state] {
                          // As many frames as captureStack keeps, from the same caller outward.
                          void* frames[StackTable::kMaxFrames];
                          state.counters["frames"] = backtrace(frames, StackTable::kMaxFrames);
                          for (auto _ : state) {
                              benchmark::DoNotOptimize(backtrace(frames, StackTable::kMaxFrames));
                              benchmark::ClobberMemory();
                          }
                      });
                  }),
              benchmark::kNanosecond);
    // The walk alone, without interning into the stack table: where captureStack's time goes.
    configure(benchmark::RegisterBenchmark((caseName + "/libunwind_walk").c_str(),
                                           [](benchmark::State& state) {
                                               callAtDepth(kStackDepth, [&state] {
                                                   void* frames[StackTable::kMaxFrames];
                                                   state.counters["frames"] = unw_backtrace(
                                                       frames, StackTable::kMaxFrames);
                                                   for (auto _ : state) {
                                                       benchmark::DoNotOptimize(unw_backtrace(
                                                           frames, StackTable::kMaxFrames));
                                                       benchmark::ClobberMemory();
                                                   }
                                               });
                                           }),
              benchmark::kNanosecond);
    compare(caseName, "poolscope", "glibc_backtrace");
    compare(caseName, "poolscope", "libunwind_walk");

    // What capture adds to a small allocation from the same depth.
    const std::string allocationCase = "small_alloc_dispose";
    for (const bool capture : {false, true}) {
        configure(benchmark::RegisterBenchmark(
                      (allocationCase + (capture ? "/capture_on" : "/capture_off")).c_str(),
                      [capture](benchmark::State& state) {
                          std::unique_ptr<MemoryDiagnostics::Subscription> capturing;
                          if (capture) {
                              capturing = MemoryDiagnostics::enableStackCapture();
                          }
                          PooledMemoryAllocator& allocator = churnAllocator();
                          callAtDepth(kStackDepth, [&] {
                              allocator.allocate<std::byte>(kSmallAllocationBytes).dispose();
                              for (auto _ : state) {
                                  MemoryOwner owner =
                                      allocator.allocate<std::byte>(kSmallAllocationBytes);
                                  benchmark::DoNotOptimize(owner.bytes().data());
                                  owner.dispose();
                              }
                          });
                      }),
                  benchmark::kNanosecond);
    }
    compare(allocationCase, "capture_on", "capture_off");
}

// What a "released without dispose" notification costs the thread that lets the memory go,
// with a listener that notes the stack id as the session and the run report do: naming the
// stack is the listener's business, later, on a thread of its own.
void registerReleaseWithoutDispose() {
    // Manual time: only the release is timed, not the allocation before it.
    benchmark::RegisterBenchmark(
        "release_without_dispose/releasing_thread",
        [](benchmark::State& state) {
            std::mutex mutex;
            std::vector<StackId> heard;
            heard.reserve(1024);
            auto subscription =
                MemoryDiagnostics::subscribeUndisposed([&](const UndisposedAllocation& undisposed) {
                    std::lock_guard lock(mutex);
                    if (heard.size() < heard.capacity()) {
                        heard.push_back(undisposed.allocation.stackId);
                    }
                });
            PooledMemoryAllocator& allocator = churnAllocator();
            callAtDepth(kStackDepth, [&] {
                for (auto _ : state) {
                    MemoryOwner owner = allocator.allocate<std::byte>(kSmallAllocationBytes);
                    const auto started = std::chrono::steady_clock::now();
                    owner.abandonToFinalizer();
                    state.SetIterationTime(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                            .count());
                }
            });
        })
        ->UseManualTime()
        ->Unit(benchmark::kNanosecond)
        ->MinTime(kMinSecondsPerRepetition)
        ->Repetitions(kRepetitions)
        ->ReportAggregatesOnly(true);
}

// Resident set of this process before a burst, at its peak, and after an idle period.
struct IdleRss {
    std::uint64_t baselineBytes = 0;
    std::uint64_t peakBytes = 0;
    std::uint64_t peakHugePageBytes = 0;
    std::uint64_t idleBytes = 0;
    int retainedChunks = 0;
};

// Runs a measurement in a forked child, so that every RSS figure starts from the same process
// state: whatever an earlier measurement left in malloc's heap or its mmap threshold cannot
// leak into the next one.
IdleRss measureInChildProcess(const std::function<IdleRss()>& measure) {
    int pipeEnds[2];
    if (pipe(pipeEnds) != 0) {
        throw std::runtime_error("pipe() failed");
    }
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0) {
        throw std::runtime_error("fork() failed");
    }
    if (child == 0) {
        close(pipeEnds[0]);
        int status = 1;
        try {
            const IdleRss result = measure();
            status = write(pipeEnds[1], &result, sizeof(result)) == sizeof(result) ? 0 : 1;
        } catch (const std::exception& error) {
            std::fprintf(stderr, "RSS measurement failed: %s\n", error.what());
        }
        _exit(status);
    }
    close(pipeEnds[1]);
    IdleRss result;
    const ssize_t received = read(pipeEnds[0], &result, sizeof(result));
    close(pipeEnds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (received != sizeof(result) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("RSS measurement child process failed");
    }
    return result;
}

// Transparent huge pages of this process: the pool asks for them (MADV_HUGEPAGE), malloc does
// not, which changes both the page-fault count and what RSS means for a touched buffer.
std::uint64_t anonymousHugePageBytes() {
    std::ifstream in("/proc/self/smaps_rollup");
    const std::string key = "AnonHugePages:";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) == 0) {
            return std::stoull(line.substr(key.size())) * 1024;  // "AnonHugePages:  N kB"
        }
    }
    return 0;
}

IdleRss burstThroughPool(bool trimming) {
    ManualClock clock;
    // A quiet machine, so that only the periodic trim frees memory, never the high-load purge.
    FixedLoadSource quietMachine(
        MemoryLoad{.totalBytes = 16 * 1024 * kMiB, .availableBytes = 15 * 1024 * kMiB});
    PooledMemoryAllocator::Settings settings = benchmarkSettings();
    settings.clock = &clock;
    settings.loadSource = &quietMachine;
    settings.trimPolicy.period = kFastTrimPeriod;
    settings.trimPolicy.rate = trimming ? TrimPolicy{}.rate : 0.0;
    PooledMemoryAllocator allocator(settings);

    IdleRss rss;
    rss.baselineBytes = SystemMemory::residentSetBytes();
    {
        std::vector<MemoryGroup> groups;
        groups.reserve(kBurstGroups);
        for (int i = 0; i < kBurstGroups; ++i) {
            groups.push_back(allocator.allocateGroup(kBurstGroupBytes, 1, kRowBytes));
            touchGroup(groups.back());
        }
        rss.peakBytes = SystemMemory::residentSetBytes();
        rss.peakHugePageBytes = anonymousHugePageBytes();
    }  // every group disposed here
    for (int period = 0; period < kIdleTrimPeriods; ++period) {
        clock.advanceMilliseconds(kFastTrimPeriod.count() + 1);
        allocator.pool().trim();
    }
    rss.idleBytes = SystemMemory::residentSetBytes();
    rss.retainedChunks = allocator.pool().stats().retained;
    return rss;
}

IdleRss burstThroughGlibc() {
    IdleRss rss;
    rss.baselineBytes = SystemMemory::residentSetBytes();
    std::vector<void*> buffers;
    buffers.reserve(kBurstGroups);
    for (int i = 0; i < kBurstGroups; ++i) {
        buffers.push_back(std::malloc(static_cast<std::size_t>(kBurstGroupBytes)));
        if (buffers.back() == nullptr) {
            throw std::bad_alloc();
        }
        touchPages(static_cast<std::byte*>(buffers.back()),
                   static_cast<std::size_t>(kBurstGroupBytes));
    }
    rss.peakBytes = SystemMemory::residentSetBytes();
    rss.peakHugePageBytes = anonymousHugePageBytes();
    for (void* buffer : buffers) {
        std::free(buffer);
    }
    rss.idleBytes = SystemMemory::residentSetBytes();
    return rss;
}

void printIdleRss(const char* label, const IdleRss& rss) {
    std::printf(
        "idle_rss_after_burst %-20s idle %6.1f MiB (baseline %5.1f MiB, peak %5.1f MiB of which "
        "huge pages %5.1f MiB, idle above baseline %5.1f MiB, pool chunks retained %d)\n",
        label, toMiB(rss.idleBytes), toMiB(rss.baselineBytes), toMiB(rss.peakBytes),
        toMiB(rss.peakHugePageBytes),
        toMiB(rss.idleBytes > rss.baselineBytes ? rss.idleBytes - rss.baselineBytes : 0),
        rss.retainedChunks);
}

void measureIdleRss() {
    std::printf(
        "\n== Idle RSS after a burst of %d x %lld MiB (allocate all, touch, dispose all); "
        "trimming simulates %d periods of %lld ms on a ManualClock\n",
        kBurstGroups, static_cast<long long>(kBurstGroupBytes / kMiB), kIdleTrimPeriods,
        static_cast<long long>(kFastTrimPeriod.count()));
    const IdleRss untrimmed = measureInChildProcess([] { return burstThroughPool(false); });
    const IdleRss trimmed = measureInChildProcess([] { return burstThroughPool(true); });
    const IdleRss glibc = measureInChildProcess(burstThroughGlibc);
    printIdleRss("poolscope_untrimmed", untrimmed);
    printIdleRss("poolscope_trimmed", trimmed);
    printIdleRss("glibc", glibc);
    std::printf("\n");
    const std::string caseName = "idle_rss_after_burst";
    comparisons().push_back(
        {caseName, "trimmed", "untrimmed", "", "",
         static_cast<double>(untrimmed.idleBytes) / static_cast<double>(trimmed.idleBytes)});
    comparisons().push_back(
        {caseName, "trimmed", "glibc", "", "",
         static_cast<double>(glibc.idleBytes) / static_cast<double>(trimmed.idleBytes)});
}

std::string transparentHugePageMode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string mode;
    std::getline(in, mode);
    return mode.empty() ? "unknown" : mode;
}

void printSetup() {
    std::printf("== PoolScope memory benchmarks\n");
    for (const PeerAllocator& peer : PeerAllocator::all()) {
        std::printf("peer %-9s %s\n", peer.name().c_str(), peer.identity().c_str());
    }
    const PooledMemoryAllocator& pool = churnAllocator();
    std::printf("poolscope pooled allocator: %lld MiB chunks, pool capacity %d chunks (%lld MiB)\n",
                static_cast<long long>(pool.settings().poolChunkBytes / kMiB),
                pool.pool().capacity(),
                static_cast<long long>(pool.settings().maximumPoolSizeBytes / kMiB));
    std::printf("hardware threads %u, transparent huge pages: %s\n",
                std::thread::hardware_concurrency(), transparentHugePageMode().c_str());
    std::printf(
        "medians over %d repetitions of >= %.2f s each; a 2-thread case reports wall time "
        "divided by the churns of both threads\n",
        kRepetitions, kMinSecondsPerRepetition);
}

std::optional<double> ratioOf(const Comparison& comparison, const MedianCollector& medians) {
    if (comparison.measuredValue) {
        return comparison.measuredValue;
    }
    const auto ours = medians.medianNanoseconds(comparison.oursBenchmark);
    const auto peer = medians.medianNanoseconds(comparison.peerBenchmark);
    if (!ours || !peer || *ours <= 0.0) {
        return std::nullopt;
    }
    return *peer / *ours;
}

void printTargets(const MedianCollector& medians) {
    std::printf("\n== Targets\n");
    int churnMet = 0;
    int churnTotal = 0;
    std::string churnMissed;
    for (const Comparison& comparison : comparisons()) {
        if (comparison.caseName.rfind("churn_", 0) != 0) {
            continue;
        }
        if (const auto ratio = ratioOf(comparison, medians)) {
            ++churnTotal;
            if (*ratio >= kChurnTargetRatio) {
                ++churnMet;
            } else {
                char line[160];
                std::snprintf(line, sizeof(line), "\n  %s vs %s: %.1fx",
                              comparison.caseName.c_str(), comparison.peer.c_str(), *ratio);
                churnMissed += line;
            }
        }
    }
    std::printf("churn, poolscope >= %.0fx faster than the peer: met in %d of %d comparisons%s%s\n",
                kChurnTargetRatio, churnMet, churnTotal,
                churnMissed.empty() ? "" : "; missed:", churnMissed.c_str());
    const auto printTarget = [&](const char* what, const std::string& benchmarkName,
                                 double targetNanoseconds) {
        if (const auto median = medians.medianNanoseconds(benchmarkName)) {
            std::printf("%s: median %.0f ns, target <= %.0f ns: %s\n", what, *median,
                        targetNanoseconds, *median <= targetNanoseconds ? "met" : "MISSED");
        }
    };
    printTarget("rent+return of a 16-chunk group", "rent_return_16chunk/poolscope",
                kRentReturnTargetNanoseconds);
    printTarget("stack capture", "stack_capture/poolscope", kStackCaptureTargetNanoseconds);
    const auto capture = medians.medianNanoseconds("stack_capture/poolscope");
    const auto walk = medians.medianNanoseconds("stack_capture/libunwind_walk");
    const auto glibcBacktrace = medians.medianNanoseconds("stack_capture/glibc_backtrace");
    if (capture && walk && glibcBacktrace) {
        // A difference of two medians: within a few tens of ns it is noise, not a negative cost.
        std::printf(
            "stack capture breakdown: libunwind walk %.0f ns, interning into the stack "
            "table about %.0f ns; glibc backtrace() of the same frames %.0f ns\n",
            *walk, std::max(0.0, *capture - *walk), *glibcBacktrace);
    }
    printTarget("release without dispose, on the releasing thread",
                "release_without_dispose/releasing_thread",
                kReleaseWithoutDisposeTargetNanoseconds);
    const auto captureOff = medians.medianNanoseconds("small_alloc_dispose/capture_off");
    const auto captureOn = medians.medianNanoseconds("small_alloc_dispose/capture_on");
    if (captureOff && captureOn) {
        std::printf(
            "small allocate+dispose: %.0f ns without stack capture, %.0f ns with it "
            "(capture adds %.0f ns)\n",
            *captureOff, *captureOn, *captureOn - *captureOff);
    }
}

void printRatios(const MedianCollector& medians) {
    std::printf(
        "\n== Ratios (value = peer median / poolscope median; above 1: the peer took "
        "longer, or kept more memory)\n");
    for (const Comparison& comparison : comparisons()) {
        if (const auto ratio = ratioOf(comparison, medians)) {
            std::printf("RATIO %s %s/%s %.3f\n", comparison.caseName.c_str(),
                        comparison.ours.c_str(), comparison.peer.c_str(), *ratio);
        } else {
            std::printf("# no RATIO for %s %s/%s: a benchmark did not run\n",
                        comparison.caseName.c_str(), comparison.ours.c_str(),
                        comparison.peer.c_str());
        }
    }
}

int run(int argc, char** argv) {
    PeerAllocator::ensureStaticTlsRoomForPeers(argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 2;
    }
    printSetup();
    measureIdleRss();
    registerChurn();
    registerRentReturn();
    registerStackCapture();
    registerReleaseWithoutDispose();

    const MedianCollector medians = runRegisteredBenchmarks();

    std::fflush(stderr);
    printTargets(medians);
    printRatios(medians);
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("memory_bench", argc, argv, poolscope::bench::run);
}
