// The recording suite (scripts/bench recording): how fast the recording writer commits events,
// and what a recording costs the main job.
//
//  - Writer throughput: kWriterEvents synthetic allocator events handed to a RecordingWriter in
//    the engine drain's batch size, timed until finish() has committed them all; events/s.
//    With the analysis summary a run's recording carries (AnalysisSummarizer, which follows
//    every committed event on the writer's thread) and, as the peer, without, alternating.
//  - Overhead: batch-resize over the shipped samples through the ScenarioRunner, with and
//    without a RecordingWriter as the event sink (what `poolscope run --record` attaches),
//    alternating, kRepetitions of each; medians.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer), as the other suites print them.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "MedianCollector.h"
#include "analysis/AnalysisSummarizer.h"
#include "recording/RecordingWriter.h"
#include "scenarios/BatchResizeScenario.h"
#include "scenarios/SampleImages.h"
#include "scenarios/ScenarioRunner.h"
#include "scenarios/TemporaryDirectory.h"

namespace poolscope::bench {

namespace {

constexpr std::size_t kWriterEvents = 2'000'000;
constexpr std::size_t kDrainBatch = 1024;
constexpr int kWriterRepetitions = 5;
constexpr int kRepetitions = 7;
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

// Rent and return pairs over a pool of 64 slots, as a busy pool publishes them.
std::vector<MemoryEvent> syntheticEvents(std::uint16_t sourceId) {
    std::vector<MemoryEvent> events(kWriterEvents);
    for (std::size_t i = 0; i < events.size(); ++i) {
        MemoryEvent& event = events[i];
        event.timeNanoseconds = static_cast<std::int64_t>(i) * 250;
        event.allocationId = i / 2 + 1;
        event.bytes = 4u << 20;
        event.kind = i % 2 == 0 ? MemoryEventKind::Rent : MemoryEventKind::Return;
        event.slot = static_cast<std::int32_t>((i / 2) % 64);
        event.threadId = 1;
        event.sourceId = sourceId;
        event.chunkCount = 1;
    }
    return events;
}

double writerEventsPerSecond(const std::vector<MemoryEvent>& events,
                             const std::filesystem::path& directory, int repetition,
                             bool summarized) {
    const std::filesystem::path path =
        directory / ("writer-" + std::to_string(repetition) + ".sqlite");
    RecordingWriter::Options options =
        summarized ? AnalysisSummarizer::recordingOptions() : RecordingWriter::Options{};
    options.queueCapacityEvents = kWriterEvents;  // measure the disk, not the drop policy
    const auto started = std::chrono::steady_clock::now();
    RecordingWriter writer(path.string(), {{"scenario", "recording_bench"}}, options);
    writer.setPool(7, 64, 4 << 20);
    for (std::size_t at = 0; at < events.size(); at += kDrainBatch) {
        const std::size_t count = std::min(kDrainBatch, events.size() - at);
        writer.consume(std::span<const MemoryEvent>(events.data() + at, count));
    }
    writer.finish({}, 0);
    const double elapsed = seconds(std::chrono::steady_clock::now() - started);
    if (writer.droppedEvents() != 0 || writer.committedEvents() != events.size()) {
        std::fprintf(stderr, "writer committed %llu of %zu events, dropped %llu\n",
                     static_cast<unsigned long long>(writer.committedEvents()), events.size(),
                     static_cast<unsigned long long>(writer.droppedEvents()));
    }
    const double rate = static_cast<double>(writer.committedEvents()) / elapsed;
    std::printf("writer repetition %d%s: %zu events in %.3f s, %.0f events/s\n", repetition + 1,
                summarized ? ", with the analysis summary" : "", events.size(), elapsed, rate);
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
    return rate;
}

struct BatchRun {
    double seconds = 0;
    std::uint64_t events = 0;
    std::uint64_t droppedByWriter = 0;
};

BatchRun runBatchResize(const std::filesystem::path& input, const std::filesystem::path& scratch,
                        bool record, int repetition) {
    const std::filesystem::path output =
        scratch / ((record ? "recorded-" : "plain-") + std::to_string(repetition));
    const std::filesystem::path recordingPath =
        scratch / ("run-" + std::to_string(repetition) + ".sqlite");
    BatchResizeScenario scenario;
    const ScenarioParameters parameters = scenario.resolveParameters({{"input", input.string()},
                                                                      {"output", output.string()},
                                                                      {"width", kBatchWidth},
                                                                      {"threads", kBatchThreads}});
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = 256;  // the command line's default
    std::unique_ptr<RecordingWriter> writer;
    const auto started = std::chrono::steady_clock::now();
    if (record) {
        // As `poolscope run --record` makes it: with the analysis summary.
        writer = std::make_unique<RecordingWriter>(
            recordingPath.string(),
            std::vector<std::pair<std::string, std::string>>{{"scenario", "batch-resize"}},
            AnalysisSummarizer::recordingOptions());
        options.eventSink = writer.get();
        options.onAllocatorReady = [&writer](const PooledMemoryAllocator& allocator) {
            writer->setPool(allocator.sourceId(), allocator.pool().capacity(),
                            static_cast<std::int64_t>(allocator.pool().chunkBytes()));
        };
    }
    ScenarioRunner runner(options);
    const ScenarioRunReport report = runner.run(scenario, parameters);
    BatchRun run;
    if (writer) {
        writer->finish({}, report.droppedEvents);
        run.droppedByWriter = writer->droppedEvents();
    }
    run.seconds = seconds(std::chrono::steady_clock::now() - started);
    run.events = report.eventsObserved;
    if (!report.error.empty()) {
        throw std::runtime_error("batch-resize failed: " + report.error);
    }
    std::filesystem::remove_all(output);
    std::filesystem::remove(recordingPath);
    std::filesystem::remove(recordingPath.string() + "-wal");
    std::filesystem::remove(recordingPath.string() + "-shm");
    return run;
}

int run(int /*argc*/, char** /*argv*/) {
    const std::filesystem::path scratch = TemporaryDirectory::create("poolscope-recording-bench");
    const std::filesystem::path input = SampleImages::defaultDirectory();
    std::printf(
        "== PoolScope recording benchmarks: writer %zu events in batches of %zu, %d "
        "repetitions; batch-resize of %s (width %s, %s threads), %d repetitions each way\n",
        kWriterEvents, kDrainBatch, kWriterRepetitions, input.c_str(), kBatchWidth, kBatchThreads,
        kRepetitions);

    const std::vector<MemoryEvent> events = syntheticEvents(7);
    std::vector<double> plainWriter;
    std::vector<double> summarizingWriter;
    for (int repetition = 0; repetition < kWriterRepetitions; ++repetition) {
        plainWriter.push_back(writerEventsPerSecond(events, scratch, repetition, false));
        summarizingWriter.push_back(writerEventsPerSecond(events, scratch, repetition, true));
    }
    const double writerRate = median(summarizingWriter);
    const double plainWriterRate = median(plainWriter);

    // Alternating, so that a machine getting busier or quieter affects both sides alike; one
    // run of each first to warm the page cache and the decoders.
    runBatchResize(input, scratch, false, -1);
    runBatchResize(input, scratch, true, -1);
    std::vector<double> plain;
    std::vector<double> recorded;
    std::vector<double> eventRates;
    std::uint64_t dropped = 0;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        const BatchRun without = runBatchResize(input, scratch, false, repetition);
        const BatchRun with = runBatchResize(input, scratch, true, repetition);
        plain.push_back(without.seconds);
        recorded.push_back(with.seconds);
        eventRates.push_back(static_cast<double>(with.events) / with.seconds);
        dropped += with.droppedByWriter;
        std::printf(
            "batch-resize repetition %d: without recording %.3f s, with %.3f s "
            "(%llu events)\n",
            repetition + 1, without.seconds, with.seconds,
            static_cast<unsigned long long>(with.events));
    }
    std::filesystem::remove_all(scratch);

    const double plainMedian = median(plain);
    const double recordedMedian = median(recorded);
    const double batchEventRate = median(eventRates);
    std::printf(
        "\nrecording writer: %.0f events/s with the analysis summary, %.0f events/s without "
        "(medians)\n",
        writerRate, plainWriterRate);
    std::printf(
        "batch-resize: %.3f s without recording, %.3f s with (medians); overhead %.2f%% "
        "(target <= 5%%); %.0f events/s produced; %llu events dropped by the writer\n",
        plainMedian, recordedMedian, 100.0 * (recordedMedian / plainMedian - 1.0), batchEventRate,
        static_cast<unsigned long long>(dropped));
    // Headroom: how many times faster the writer commits than batch-resize produces events.
    std::printf("RATIO recording_throughput writer/batch_resize_event_rate %.3f\n",
                writerRate / batchEventRate);
    std::printf("RATIO batch_resize_time recorded/plain %.3f\n", plainMedian / recordedMedian);
    // What following the allocations for the summary costs the writer (above 1: nothing).
    std::printf("RATIO recording_throughput summarized/plain_writer %.3f\n",
                writerRate / plainWriterRate);
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("recording_bench", argc, argv, poolscope::bench::run);
}
