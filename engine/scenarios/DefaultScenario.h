#pragma once

#include <memory>

#include "scenarios/DefaultWorkload.h"
#include "scenarios/Scenario.h"

namespace poolscope {

// The DefaultWorkload as a scenario, so the window, the command line and the tests reach it
// the same way as every other scenario. The workload, with its leaky cache, lives as long as
// the scenario.
class DefaultScenario final : public Scenario {
public:
    static constexpr const char* kName = "default";

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    static WorkloadOptions workloadOptions(const ScenarioParameters& parameters);
    // The summary of the last run; empty before the first.
    const WorkloadSummary& summary() const { return summary_; }

private:
    std::unique_ptr<DefaultWorkload> workload_;
    WorkloadSummary summary_;
};

}  // namespace poolscope
