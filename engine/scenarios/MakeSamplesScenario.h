#pragma once

#include "scenarios/Scenario.h"

namespace poolscope {

// Draws the project's sample photographs (SampleImages) into `output`: how the files under
// resources/samples were made, and how to make them again
// (poolscope run make-samples --param output=resources/samples).
class MakeSamplesScenario final : public Scenario {
public:
    static constexpr const char* kName = "make-samples";

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;
};

}  // namespace poolscope
