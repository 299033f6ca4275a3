// The client suite (scripts/bench client): what recording costs a program that uses the
// engine. The example thumbnailer makes thumbnails of the shipped samples as a process of its
// own, with and without POOLSCOPE_RECORD in its environment, in pairs, kRepetitions of each,
// the pair's order swapped every time (so that neither side always runs on the caches the other
// warmed); the wall time of each process from start to exit (loading, decoding, resizing,
// encoding and, recorded, finishing the recording), and its CPU time (user and system, all its
// threads), which a machine shared with other work disturbs less; medians. The spread of the
// pairs' own ratios (quartiles) says how far a busy machine moved the figures.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer), as the other suites print them.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "MedianCollector.h"
#include "scenarios/SampleImages.h"
#include "scenarios/TemporaryDirectory.h"

extern char** environ;

namespace poolscope::bench {

namespace {

constexpr int kRepetitions = 31;

// The value a `fraction` of the way through the sorted values (0.5: the median), interpolated.
double quantile(std::vector<double> values, double fraction) {
    std::sort(values.begin(), values.end());
    const double position = fraction * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(position);
    const std::size_t above = std::min(below + 1, values.size() - 1);
    return values[below] +
           (values[above] - values[below]) * (position - static_cast<double>(below));
}

double median(std::vector<double> values) {
    return quantile(std::move(values), 0.5);
}

// plain / recorded of each pair: its quartiles, and its median as a RATIO line of its own.
// A pair's two runs are next to each other in time, so its ratio is not moved by the machine
// getting busier or quieter over the run, which moves the medians of the two sides apart.
void printPairSpread(const char* what, const char* ratioName, const std::vector<double>& plain,
                     const std::vector<double>& recorded) {
    std::vector<double> ratios;
    for (std::size_t i = 0; i < plain.size(); ++i) {
        ratios.push_back(plain[i] / recorded[i]);
    }
    std::printf("thumbnailer %s, plain/recorded of each pair: quartiles %.3f %.3f %.3f\n", what,
                quantile(ratios, 0.25), quantile(ratios, 0.5), quantile(ratios, 0.75));
    std::printf("RATIO %s recorded/plain %.3f\n", ratioName, quantile(ratios, 0.5));
}

struct ProcessTimes {
    double wallSeconds = 0;
    double cpuSeconds = 0;
};

double seconds(const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

// Runs the thumbnailer to its end; its seconds from spawn to exit, and the CPU it used.
ProcessTimes thumbnail(const std::filesystem::path& input, const std::filesystem::path& output,
                       const std::string& recording) {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::strncmp(*entry, "POOLSCOPE_RECORD=", 17) != 0) {
            environment.emplace_back(*entry);
        }
    }
    if (!recording.empty()) {
        environment.push_back("POOLSCOPE_RECORD=" + recording);
    }
    std::vector<char*> envp;
    for (std::string& entry : environment) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    std::string program = POOLSCOPE_THUMBNAILER;
    std::string in = input.string();
    std::string out = output.string();
    char* argv[] = {program.data(), in.data(), out.data(), nullptr};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t child = 0;
    const int error = posix_spawn(&child, program.c_str(), &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(error));
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    const auto end = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(program + " failed on " + in);
    }
    return {std::chrono::duration<double>(end - start).count(),
            seconds(usage.ru_utime) + seconds(usage.ru_stime)};
}

int run(int /*argc*/, char** /*argv*/) {
    const std::filesystem::path scratch = TemporaryDirectory::create("poolscope-client-bench");
    const std::filesystem::path input = SampleImages::defaultDirectory();
    const std::filesystem::path output = scratch / "thumbnails";
    const std::string recording = (scratch / "thumbnailer.psrec").string();
    std::printf(
        "== PoolScope client benchmark: the example thumbnailer over %s, with and without "
        "POOLSCOPE_RECORD, %d repetitions each way\n",
        input.c_str(), kRepetitions);

    // Alternating, so that a machine getting busier or quieter affects both sides alike; one
    // run of each first to warm the page cache.
    thumbnail(input, output, "");
    thumbnail(input, output, recording);
    std::vector<double> plain;
    std::vector<double> recorded;
    std::vector<double> plainCpu;
    std::vector<double> recordedCpu;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        ProcessTimes without;
        ProcessTimes with;
        if (repetition % 2 == 0) {
            without = thumbnail(input, output, "");
            with = thumbnail(input, output, recording);
        } else {
            with = thumbnail(input, output, recording);
            without = thumbnail(input, output, "");
        }
        plain.push_back(without.wallSeconds);
        recorded.push_back(with.wallSeconds);
        plainCpu.push_back(without.cpuSeconds);
        recordedCpu.push_back(with.cpuSeconds);
        std::printf(
            "thumbnailer repetition %d: without recording %.3f s (CPU %.3f s), with %.3f s "
            "(CPU %.3f s)\n",
            repetition + 1, without.wallSeconds, without.cpuSeconds, with.wallSeconds,
            with.cpuSeconds);
    }
    std::filesystem::remove_all(scratch);

    const double plainMedian = median(plain);
    const double recordedMedian = median(recorded);
    std::printf(
        "thumbnailer: %.3f s without recording, %.3f s with (medians); overhead %.2f%% "
        "(target <= 5%%)\n",
        plainMedian, recordedMedian, 100.0 * (recordedMedian / plainMedian - 1.0));
    std::printf("thumbnailer CPU: %.3f s without recording, %.3f s with (medians)\n",
                median(plainCpu), median(recordedCpu));
    printPairSpread("time", "thumbnailer_time_paired", plain, recorded);
    printPairSpread("CPU", "thumbnailer_cpu_paired", plainCpu, recordedCpu);
    std::printf("RATIO thumbnailer_time recorded/plain %.3f\n", plainMedian / recordedMedian);
    std::printf("RATIO thumbnailer_cpu recorded/plain %.3f\n",
                median(plainCpu) / median(recordedCpu));
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("client_bench", argc, argv, poolscope::bench::run);
}
