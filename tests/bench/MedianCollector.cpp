#include "MedianCollector.h"

#include <unistd.h>

#include <cstdio>
#include <exception>

namespace poolscope::bench {

void MedianCollector::ReportRuns(const std::vector<Run>& runs) {
    for (const Run& run : runs) {
        if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median" &&
            !run.error_occurred) {
            medianNanoseconds_[run.run_name.function_name] =
                run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e9;
        }
    }
    ConsoleReporter::ReportRuns(runs);
}

std::optional<double> MedianCollector::medianNanoseconds(const std::string& name) const {
    const auto it = medianNanoseconds_.find(name);
    if (it == medianNanoseconds_.end()) {
        return std::nullopt;
    }
    return it->second;
}

MedianCollector runRegisteredBenchmarks() {
    MedianCollector medians(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Defaults
                                                  : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&medians);
    benchmark::Shutdown();
    return medians;
}

int benchmarkMain(const char* program, int argc, char** argv, int (*run)(int, char**)) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", program, error.what());
        return 1;
    }
}

}  // namespace poolscope::bench
