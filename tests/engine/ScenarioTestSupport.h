#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "memory/SystemMemory.h"
#include "scenarios/Scenario.h"
#include "scenarios/ScenarioRunner.h"

namespace poolscope::testing {

constexpr std::int64_t kMiB = 1024 * 1024;

// Far from the high-load threshold, so trimming follows the period and rate alone.
inline FixedLoadSource& quietMachine() {
    static FixedLoadSource source(MemoryLoad{16 * 1024 * kMiB, 15 * 1024 * kMiB});
    return source;
}

inline ScenarioRunner::Options smallPool(std::int64_t megabytes) {
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = megabytes;
    options.loadSource = &quietMachine();
    return options;
}

// For scenarios that allocate on threads of their own and are checked on their pool figures.
// Without stack capture: libunwind's per-thread cache is freed in a thread-exit destructor
// that ThreadSanitizer's runtime cannot survive, so the TSan build could not run them.
inline ScenarioRunner::Options smallPoolWithoutStacks(std::int64_t megabytes) {
    ScenarioRunner::Options options = smallPool(megabytes);
    options.captureLeakStacks = false;
    return options;
}

// The scenario's figure of that name, or null when it reported none.
inline const ScenarioValue* figureValue(const ScenarioOutcome& outcome, const std::string& name) {
    for (const auto& [key, value] : outcome.figures) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

// A whole-number figure, or -1 when the scenario reported none.
inline std::int64_t integerFigure(const ScenarioOutcome& outcome, const std::string& name) {
    const ScenarioValue* value = figureValue(outcome, name);
    return value != nullptr ? std::get<std::int64_t>(*value) : -1;
}

}  // namespace poolscope::testing
