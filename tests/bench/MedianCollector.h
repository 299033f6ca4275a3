#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolscope::bench {

// Prints every run as Google Benchmark's console reporter does, and keeps the median over the
// repetitions of each benchmark, so that the suite can compare benchmarks once all have run.
class MedianCollector final : public benchmark::ConsoleReporter {
public:
    explicit MedianCollector(OutputOptions options) : benchmark::ConsoleReporter(options) {}

    void ReportRuns(const std::vector<Run>& runs) override;

    // Median real time per iteration, keyed by the name the benchmark was registered under;
    // none when the benchmark did not run (filtered out) or failed.
    std::optional<double> medianNanoseconds(const std::string& name) const;

private:
    std::map<std::string, double> medianNanoseconds_;
};

// Runs every registered benchmark, reporting as the console reporter does (tabular when stdout
// is not a terminal), and returns the medians.
MedianCollector runRegisteredBenchmarks();

// The main() of a suite: runs `run`, turning an exception into a message naming the program and
// exit status 1.
int benchmarkMain(const char* program, int argc, char** argv, int (*run)(int, char**));

}  // namespace poolscope::bench
