#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/ScenarioRunner.h"

namespace poolscope {

// A run's report as a person reads it, in sections of labelled values: the one wording of
// `poolscope run`'s summary and of the window's Results view, so both always say the same.
class RunSummary {
public:
    struct Row {
        std::string label;
        std::string value;
        // An item of a list (a failed file and its error) rather than a labelled figure.
        bool listed = false;
    };
    struct Section {
        std::string title;
        std::vector<Row> rows;
    };
    // The leaks one stack made: the report shows each stack once.
    struct LeakStack {
        std::uint64_t bytes = 0;
        std::vector<const LeakRecord*> leaks;  // by id
    };

    // Parameters, the scenario's figures, the pool, images (for scenarios that decode files),
    // the managed heap (when it collected) and the diagnostics, in that order.
    static std::vector<Section> sections(const ScenarioRunReport& report);
    // Biggest first; stacks of equal size in the order of their first allocation. The records
    // point into `leaks`.
    static std::vector<LeakStack> leakStacks(const std::vector<LeakRecord>& leaks);
    // "3 allocations, 1.0 MiB total, pooled, tag cache"
    static std::string describe(const LeakStack& stack);
    // "12.345 ms"
    static std::string milliseconds(std::uint64_t nanoseconds);
    // The leaks line of the diagnostics: "none", or "4 allocations, 2.0 MiB".
    static std::string leaksInBrief(const std::vector<LeakRecord>& leaks);
};

}  // namespace poolscope
