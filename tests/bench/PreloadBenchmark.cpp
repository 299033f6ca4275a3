// The preload suite (scripts/bench preload): what `poolscope launch` costs against heaptrack on
// the same programs and inputs. Each program runs plain, under PoolScope as `poolscope launch`
// runs it (the interposer and the launcher reading its stream, in a process of its own), the
// same with a recording written (`--record`), and under heaptrack (`heaptrack -o`), alternating,
// kRepetitions of each; medians of the wall time from start to the end of the tracker (for
// heaptrack, of heaptrack_interpret writing its file; for PoolScope, of the recording). The
// tracker's memory is the peak resident size of PoolScope's launcher process against
// heaptrack_interpret's (run alone on the raw data `heaptrack -r` recorded); the recording's
// size against heaptrack's .zst.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer, used more, wrote more), as the other
// suites print them.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "analysis/AnalysisSummarizer.h"
#include "native/LaunchedProgram.h"
#include "recording/RecordingWriter.h"
#include "scenarios/TemporaryDirectory.h"

extern char** environ;

namespace poolscope::bench {

namespace {

constexpr int kRepetitions = 3;
// malloc/free pairs of the one-thread rate case: 20M events.
constexpr long kRatePairs = 10'000'000;
constexpr const char* kHeaptrackInterpret = "/usr/lib/heaptrack/libexec/heaptrack_interpret";
// Where Debian's imagemagick package puts convert (scripts/bench installs it).
constexpr const char* kDebianConvert = "/usr/bin/convert";

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct Workload {
    std::string name;
    std::vector<std::string> argv;
};

struct Run {
    double wallSeconds = 0;
    double peakMegabytes = 0;  // of the process measured
    long events = 0;           // captured, under PoolScope
    long dropped = 0;          // lost, under PoolScope
};

// Spawns `argv` (looked up in PATH) with stdout and stdin as given, and waits for it.
Run spawnAndWait(std::vector<std::string> argv, const std::string& input = "/dev/null") {
    std::vector<char*> pointers;
    for (std::string& argument : argv) {
        pointers.push_back(argument.data());
    }
    pointers.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, input.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t child = 0;
    const int error =
        posix_spawnp(&child, pointers[0], &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    const auto end = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(argv[0] + " failed");
    }
    return {std::chrono::duration<double>(end - start).count(),
            static_cast<double>(usage.ru_maxrss) / 1024.0};
}

long peakKilobytesOfThisProcess() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return 0;
}

// `poolscope launch`, with `--record` when `recording` is named, in a process of its own so that
// its peak memory is its own.
Run poolscope(const Workload& workload, const std::string& recording) {
    int report[2];
    if (pipe(report) != 0) {
        throw std::runtime_error("pipe");
    }
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        long values[3] = {0, 0, 0};
        try {
            LaunchedProgram::Options options;
            options.program = workload.argv[0];
            options.arguments.assign(workload.argv.begin() + 1, workload.argv.end());
            options.preloadLibrary = POOLSCOPE_PRELOAD_LIBRARY;
            LaunchedProgram program(options);
            // As LaunchCommand records: with the analysis summary its writer works out.
            RecordingWriter::Options recordingOptions = AnalysisSummarizer::recordingOptions();
            recordingOptions.replaceExisting = true;
            recordingOptions.queueCapacityEvents = std::size_t{1} << 17;
            recordingOptions.symbolizeInBackground = false;
            recordingOptions.stacks = program.stacks().get();
            std::unique_ptr<RecordingWriter> writer;
            if (!recording.empty()) {
                writer = std::make_unique<RecordingWriter>(
                    recording,
                    std::vector<std::pair<std::string, std::string>>{{"source", "launch"}},
                    recordingOptions);
            }
            // As LaunchCommand drains: a writer behind takes only what it has room for.
            std::vector<MemoryEvent> batch;
            for (;;) {
                const bool ended = program.ended();
                batch.clear();
                program.drain(batch, writer ? writer->room() : batch.max_size());
                if (writer && !batch.empty()) {
                    writer->consume(batch);
                }
                if (ended && program.inboxEmpty()) {
                    break;
                }
                if (!ended || batch.empty()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            }
            values[1] = static_cast<long>(program.droppedEvents());
            values[2] = static_cast<long>(program.receivedEvents());
            if (writer) {
                writer->finish({}, program.droppedEvents());
                values[1] += static_cast<long>(writer->droppedEvents());
            }
            values[0] = peakKilobytesOfThisProcess();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "poolscope launch of %s failed: %s\n", workload.name.c_str(),
                         error.what());
            _exit(1);
        }
        [[maybe_unused]] const ssize_t written = write(report[1], values, sizeof values);
        _exit(0);
    }
    close(report[1]);
    long values[3] = {0, 0, 0};
    [[maybe_unused]] const ssize_t got = read(report[0], values, sizeof values);
    close(report[0]);
    int status = 0;
    waitpid(child, &status, 0);
    const auto end = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("poolscope launch failed on " + workload.name);
    }
    if (values[1] != 0) {
        std::printf("# %s: %ld events dropped under PoolScope\n", workload.name.c_str(), values[1]);
    }
    return {std::chrono::duration<double>(end - start).count(),
            static_cast<double>(values[0]) / 1024.0, values[2], values[1]};
}

Run heaptrack(const Workload& workload, const std::string& output) {
    std::vector<std::string> argv{"heaptrack", "-o", output};
    argv.insert(argv.end(), workload.argv.begin(), workload.argv.end());
    return spawnAndWait(argv);
}

// heaptrack_interpret's peak on the raw data `heaptrack -r` recorded of the workload.
double heaptrackInterpretPeak(const Workload& workload, const std::filesystem::path& scratch) {
    const std::string raw = (scratch / "raw").string();
    std::vector<std::string> argv{"heaptrack", "-r", "-o", raw};
    argv.insert(argv.end(), workload.argv.begin(), workload.argv.end());
    spawnAndWait(argv);
    const std::string plain = (scratch / "raw.data").string();
    spawnAndWait({"zstd", "-d", "-q", "-f", raw + ".raw.zst", "-o", plain});
    const double peak = spawnAndWait({kHeaptrackInterpret}, plain).peakMegabytes;
    std::filesystem::remove(raw + ".raw.zst");
    std::filesystem::remove(plain);
    return peak;
}

void compare(const Workload& workload, const std::filesystem::path& scratch) {
    const std::string recording = (scratch / (workload.name + ".psrec")).string();
    const std::string heaptrackOutput = (scratch / workload.name).string();
    spawnAndWait(workload.argv);  // warms the page cache
    std::vector<double> plain;
    std::vector<double> launched;
    std::vector<double> recorded;
    std::vector<double> peer;
    std::vector<double> launchedPeak;
    std::vector<double> recordedPeak;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        plain.push_back(spawnAndWait(workload.argv).wallSeconds);
        const Run alone = poolscope(workload, std::string());
        launched.push_back(alone.wallSeconds);
        launchedPeak.push_back(alone.peakMegabytes);
        const Run withRecording = poolscope(workload, recording);
        recorded.push_back(withRecording.wallSeconds);
        recordedPeak.push_back(withRecording.peakMegabytes);
        peer.push_back(heaptrack(workload, heaptrackOutput).wallSeconds);
        std::printf(
            "%s repetition %d: plain %.3f s, poolscope launch %.3f s, with --record %.3f s, "
            "heaptrack %.3f s\n",
            workload.name.c_str(), repetition + 1, plain.back(), launched.back(), recorded.back(),
            peer.back());
    }
    const double interpretPeak = heaptrackInterpretPeak(workload, scratch);
    const auto ourBytes = static_cast<double>(std::filesystem::file_size(recording));
    const auto peerBytes =
        static_cast<double>(std::filesystem::file_size(heaptrackOutput + ".zst"));
    const double plainMedian = median(plain);
    std::printf(
        "%s: plain %.3f s; slowdown poolscope launch %.2fx, with --record %.2fx, heaptrack "
        "%.2fx; tracker peak poolscope %.1f MiB (with --record %.1f MiB), heaptrack_interpret "
        "%.1f MiB; recording %.2f MiB, heaptrack .zst %.2f MiB\n",
        workload.name.c_str(), plainMedian, median(launched) / plainMedian,
        median(recorded) / plainMedian, median(peer) / plainMedian, median(launchedPeak),
        median(recordedPeak), interpretPeak, ourBytes / 1048576.0, peerBytes / 1048576.0);
    const char* name = workload.name.c_str();
    std::printf("RATIO preload_%s_time launch/heaptrack %.3f\n", name,
                median(peer) / median(launched));
    std::printf("RATIO preload_%s_time launch_record/heaptrack %.3f\n", name,
                median(peer) / median(recorded));
    std::printf("RATIO preload_%s_tracker_memory launch/heaptrack %.3f\n", name,
                interpretPeak / median(launchedPeak));
    std::printf("RATIO preload_%s_tracker_memory launch_record/heaptrack %.3f\n", name,
                interpretPeak / median(recordedPeak));
    std::printf("RATIO preload_%s_recording_size launch_record/heaptrack %.3f\n", name,
                peerBytes / ourBytes);
    std::fflush(stdout);
    std::filesystem::remove(recording);
    std::filesystem::remove(heaptrackOutput + ".zst");
}

// PoolScope's goal for one thread: this many allocation events a second captured, none dropped.
constexpr double kTargetEventsPerSecond = 5e6;

// The capture rate on one thread: `pairs` malloc/free pairs as fast as the allocator goes
// (two events each), under `poolscope launch` and with --record; events received by the
// launcher over the wall time from start to the end of the recording, which includes starting
// and ending the program.
void captureRate(long pairs, const std::filesystem::path& scratch) {
    const Workload workload{"single_thread_rate", {POOLSCOPE_RATE_PROGRAM, std::to_string(pairs)}};
    const std::string recording = (scratch / "rate.psrec").string();
    std::vector<double> plain;
    std::vector<double> launched;
    std::vector<double> recorded;
    long droppedLaunched = 0;
    long droppedRecorded = 0;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        plain.push_back(spawnAndWait(workload.argv).wallSeconds);
        const Run alone = poolscope(workload, std::string());
        launched.push_back(static_cast<double>(alone.events) / alone.wallSeconds);
        droppedLaunched += alone.dropped;
        const Run withRecording = poolscope(workload, recording);
        recorded.push_back(static_cast<double>(withRecording.events) / withRecording.wallSeconds);
        droppedRecorded += withRecording.dropped;
        std::printf(
            "single_thread_rate repetition %d: %ld pairs, plain %.3f s; poolscope launch %.3f s, "
            "%ld events, %.2fM/s, %ld dropped; with --record %.3f s, %ld events, %.2fM/s, "
            "%ld dropped\n",
            repetition + 1, pairs, plain.back(), alone.wallSeconds, alone.events,
            launched.back() / 1e6, alone.dropped, withRecording.wallSeconds, withRecording.events,
            recorded.back() / 1e6, withRecording.dropped);
    }
    std::printf(
        "single_thread_rate: median %.2fM events/s captured (%ld dropped in all), with --record "
        "%.2fM/s (%ld dropped); target %.1fM/s with none dropped\n",
        median(launched) / 1e6, droppedLaunched, median(recorded) / 1e6, droppedRecorded,
        kTargetEventsPerSecond / 1e6);
    std::printf("RATIO preload_single_thread_rate launch/target %.3f\n",
                median(launched) / kTargetEventsPerSecond);
    std::printf("RATIO preload_single_thread_rate launch_record/target %.3f\n",
                median(recorded) / kTargetEventsPerSecond);
    std::fflush(stdout);
    std::filesystem::remove(recording);
}

bool onPath(const std::string& program) {
    const std::string command = "command -v " + program + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

int run(int argc, char** argv) {
    // preload_bench [ALLOCATIONS [CASE...]]: the churn's allocations, and the cases to run
    // (all when none is named).
    const long allocations = argc > 1 ? std::atol(argv[1]) : 2'000'000;
    const std::vector<std::string> chosen(argv + std::min(argc, 2), argv + argc);
    const auto wanted = [&chosen](const std::string& name) {
        return chosen.empty() || std::find(chosen.begin(), chosen.end(), name) != chosen.end();
    };
    const std::filesystem::path scratch = TemporaryDirectory::create("poolscope-preload-bench");
    std::vector<Workload> workloads{
        {"churn_4_threads", {POOLSCOPE_CHURN_PROGRAM, std::to_string(allocations)}},
        {"python3_structure",
         {"/usr/bin/python3", "-c",
          "d = {i: str(i) * 3 for i in range(300000)}\n"
          "rows = [[j, str(j), (j, j)] for j in range(200000)]\n"}}};
    if (wanted("convert_resize") && onPath("convert")) {
        // ImageMagick's own program, not a wrapper script found first on PATH: heaptrack
        // follows only the program it started, so a script that execs convert would be
        // compared with everything PoolScope follows through the exec.
        const std::string convert =
            std::filesystem::exists(kDebianConvert) ? kDebianConvert : "convert";
        const std::string photo = (scratch / "photo.jpg").string();
        spawnAndWait({convert, "-size", "3000x2000", "plasma:", photo});
        workloads.push_back(
            {"convert_resize",
             {convert, photo, "-resize", "40%", (scratch / "small.jpg").string()}});
    } else if (wanted("convert_resize")) {
        std::printf("# no ImageMagick convert: its case is left out\n");
    }
    if (onPath("sqlite3")) {
        workloads.push_back(
            {"sqlite3_insert_index",
             {"sqlite3", ":memory:",
              "create table t(a, b); with recursive c(x) as (select 1 union all select x + 1 "
              "from c limit 200000) insert into t select x, hex(randomblob(16)) from c; create "
              "index tb on t(b);"}});
    } else {
        std::printf("# no sqlite3: its case is left out\n");
    }
    std::printf(
        "== PoolScope preload benchmark: poolscope launch --record against heaptrack, "
        "%d repetitions each\n",
        kRepetitions);
    if (wanted("single_thread_rate")) {
        try {
            captureRate(kRatePairs, scratch);
        } catch (const std::exception& error) {
            std::printf("# single_thread_rate: %s\n", error.what());
        }
    }
    for (const Workload& workload : workloads) {
        if (!wanted(workload.name)) {
            continue;
        }
        try {
            compare(workload, scratch);
        } catch (const std::exception& error) {
            std::printf("# %s: %s\n", workload.name.c_str(), error.what());
        }
    }
    std::filesystem::remove_all(scratch);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::run(argc, argv);
}
