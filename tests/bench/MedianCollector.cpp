#include "MedianCollector.h"

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

}  // namespace poolscope::bench
