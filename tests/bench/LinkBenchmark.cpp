// The live-link suite (scripts/bench link): how many events a second the link carries to a
// viewer that reads, and what an attached viewer costs the main job.
//
//  - Throughput: a LinkServer in this process and a LinkClient reading its socket on threads
//    of their own; a producer publishes kThroughputEvents synthetic events at a paced rate
//    (1, 2, 4 and 8 million a second), and the run counts what reached the viewer and what
//    was dropped anywhere (the engine's queue, the viewer's buffer in the program, the
//    viewer's inbox). Carried rate = events received / time from the first publish to the
//    last arrival. The best rate carried with nothing dropped is the link's throughput.
//  - Overhead: batch-resize over the shipped samples through the ScenarioRunner, with and
//    without a live link with a viewer attached (what POOLSCOPE_LISTEN=1 and File > Attach
//    do, stack capture included), alternating, kRepetitions of each; medians.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", as the other suites
// print them.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "MedianCollector.h"
#include "diagnostics/EventStream.h"
#include "link/LinkClient.h"
#include "link/LinkServer.h"
#include "scenarios/BatchResizeScenario.h"
#include "scenarios/SampleImages.h"
#include "scenarios/ScenarioRunner.h"
#include "scenarios/TemporaryDirectory.h"

namespace poolscope::bench {

namespace {

constexpr std::uint64_t kThroughputEvents = 4'000'000;
constexpr double kPacedRates[] = {1e6, 2e6, 4e6, 8e6};
constexpr int kRepetitions = 5;
constexpr const char* kBatchWidth = "800";
constexpr const char* kBatchThreads = "2";

double seconds(std::chrono::steady_clock::duration duration) {
    return std::chrono::duration<double>(duration).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// A server in this process with one viewer attached that takes every event as it arrives.
struct AttachedViewer {
    explicit AttachedViewer(const std::filesystem::path& socket)
        : server(options(socket)), client(server.socketPath()) {
        while (server.attachedViewers() == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        reader = std::thread([this] {
            std::vector<MemoryEvent> events;
            while (!stopping.load()) {
                events.clear();
                if (client.drain(events) == 0) {
                    std::this_thread::sleep_for(std::chrono::microseconds(500));
                }
                received.fetch_add(events.size());
                if (!events.empty()) {
                    lastArrival.store(std::chrono::steady_clock::now().time_since_epoch().count());
                }
            }
        });
    }
    ~AttachedViewer() {
        stopping.store(true);
        reader.join();
    }
    static LinkServer::Options options(const std::filesystem::path& socket) {
        LinkServer::Options made;
        made.socketPath = socket.string();
        return made;
    }
    std::uint64_t dropped() const {
        const LinkStatus status = client.status();
        return status.engineDroppedEvents + status.linkDroppedEvents + client.inboxDroppedEvents();
    }

    LinkServer server;
    LinkClient client;
    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::int64_t> lastArrival{0};
    std::thread reader;
};

struct ThroughputRun {
    double carriedPerSecond = 0;
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    LinkStatus status;
    std::uint64_t inboxDropped = 0;
};

ThroughputRun throughput(const std::filesystem::path& scratch, double rate) {
    AttachedViewer viewer(scratch / "throughput.sock");
    constexpr std::uint64_t kBurst = 1000;
    const auto started = std::chrono::steady_clock::now();
    for (std::uint64_t published = 0; published < kThroughputEvents; published += kBurst) {
        const auto due = started + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                       static_cast<double>(published) / rate * 1e9));
        std::this_thread::sleep_until(due);
        for (std::uint64_t i = 0; i < kBurst; ++i) {
            MemoryEvent event;
            event.kind = (published + i) % 2 == 0 ? MemoryEventKind::Rent : MemoryEventKind::Return;
            event.allocationId = (published + i) / 2 + 1;
            event.bytes = 4u << 20;
            event.slot = static_cast<std::int32_t>(((published + i) / 2) % 64);
            event.sourceId = 999;
            EventStream::publish(event);
        }
    }
    // Everything published is either received or counted as dropped once the link is quiet.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (viewer.received.load() + viewer.dropped() < kThroughputEvents &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a last status
    ThroughputRun run;
    run.received = viewer.received.load();
    run.dropped = viewer.dropped();
    run.status = viewer.client.status();
    run.inboxDropped = viewer.client.inboxDroppedEvents();
    const auto last = std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(viewer.lastArrival.load()));
    run.carriedPerSecond = static_cast<double>(run.received) / seconds(last - started);
    return run;
}

double batchResize(const std::filesystem::path& input, const std::filesystem::path& scratch,
                   bool linked, int repetition) {
    const std::filesystem::path output =
        scratch / ((linked ? "linked-" : "plain-") + std::to_string(repetition));
    BatchResizeScenario scenario;
    const ScenarioParameters parameters = scenario.resolveParameters({{"input", input.string()},
                                                                      {"output", output.string()},
                                                                      {"width", kBatchWidth},
                                                                      {"threads", kBatchThreads}});
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = 256;  // the command line's default
    std::unique_ptr<AttachedViewer> viewer;
    if (linked) {
        viewer = std::make_unique<AttachedViewer>(scratch / "batch.sock");
    }
    const auto started = std::chrono::steady_clock::now();
    ScenarioRunner runner(options);
    const ScenarioRunReport report = runner.run(scenario, parameters);
    const double elapsed = seconds(std::chrono::steady_clock::now() - started);
    if (!report.error.empty()) {
        throw std::runtime_error("batch-resize failed: " + report.error);
    }
    std::filesystem::remove_all(output);
    return elapsed;
}

int run(int /*argc*/, char** /*argv*/) {
    const std::filesystem::path scratch = TemporaryDirectory::create("poolscope-link-bench");
    const std::filesystem::path input = SampleImages::defaultDirectory();
    std::printf(
        "== PoolScope live-link benchmarks: %llu events at paced rates to a reading viewer; "
        "batch-resize of %s (width %s, %s threads), %d repetitions each way\n",
        static_cast<unsigned long long>(kThroughputEvents), input.c_str(), kBatchWidth,
        kBatchThreads, kRepetitions);

    double bestCleanRate = 0;
    for (const double rate : kPacedRates) {
        const ThroughputRun result = throughput(scratch, rate);
        std::printf(
            "paced at %.0f events/s: carried %.0f events/s, %llu received, %llu dropped (engine "
            "queue %llu, viewer buffer %llu, viewer inbox %llu)\n",
            rate, result.carriedPerSecond, static_cast<unsigned long long>(result.received),
            static_cast<unsigned long long>(result.dropped),
            static_cast<unsigned long long>(result.status.engineDroppedEvents),
            static_cast<unsigned long long>(result.status.linkDroppedEvents),
            static_cast<unsigned long long>(result.inboxDropped));
        if (result.dropped == 0 && result.received == kThroughputEvents) {
            bestCleanRate = std::max(bestCleanRate, result.carriedPerSecond);
        }
    }

    batchResize(input, scratch, false, -1);
    batchResize(input, scratch, true, -1);
    std::vector<double> plain;
    std::vector<double> linked;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        plain.push_back(batchResize(input, scratch, false, repetition));
        linked.push_back(batchResize(input, scratch, true, repetition));
        std::printf(
            "batch-resize repetition %d: without link %.3f s, with a viewer attached %.3f s\n",
            repetition + 1, plain.back(), linked.back());
    }
    std::filesystem::remove_all(scratch);

    const double plainMedian = median(plain);
    const double linkedMedian = median(linked);
    std::printf("\nlive link: %.0f events/s carried with 0 drops (best paced run; target >= 1M)\n",
                bestCleanRate);
    std::printf(
        "batch-resize: %.3f s without link, %.3f s with a viewer attached (medians); overhead "
        "%.2f%% (target <= 5%%)\n",
        plainMedian, linkedMedian, 100.0 * (linkedMedian / plainMedian - 1.0));
    std::printf("RATIO link_throughput carried_without_drops/1M_events_per_s %.3f\n",
                bestCleanRate / 1e6);
    std::printf("RATIO batch_resize_time linked/plain %.3f\n", plainMedian / linkedMedian);
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("link_bench", argc, argv, poolscope::bench::run);
}
