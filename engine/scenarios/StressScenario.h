#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

// N threads renting, writing, checking and disposing buffers and groups of every tier at
// random, with the allocator's invariants checked as they go: memory handed to one owner is
// never handed to another while it lives, the pool never holds more than its capacity, dispose
// twice is harmless, access after dispose is refused, and at the end nothing is left rented
// or live. A broken invariant fails the run with ScenarioError.
class StressScenario final : public Scenario {
public:
    static constexpr const char* kName = "stress";
    static constexpr const char* kTag = "stress";

    struct Counts {
        std::int64_t operations = 0;
        std::int64_t smallRents = 0;
        std::int64_t chunkRents = 0;
        std::int64_t groupRents = 0;
        std::int64_t disposes = 0;
        std::int64_t refusedAccessesAfterDispose = 0;
    };

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    const std::vector<std::string>& violations() const { return violations_; }

private:
    void runThread(ScenarioContext& context, int thread, std::int64_t operations, int maxHeld,
                   std::uint32_t seed, Counts& counts);
    void reportViolation(std::string message);

    std::mutex violationsMutex_;
    std::vector<std::string> violations_;
    std::atomic<std::int64_t> operationsDone_{0};
};

}  // namespace poolscope
