#pragma once

#include <string>

#include "scenarios/Scenario.h"

namespace poolscope {

// An external buffer (memory the engine did not allocate, as a camera driver or another
// library hands it over) wrapped as an image. Operations that keep the pixel count work in
// place in that buffer: flip, rotate 180, blur, grayscale. A resize would need a buffer of
// another size, which wrapped memory cannot swap in, so it fails with the engine's
// InvalidMemoryOperation message. The outcome records both.
class WrapMemoryScenario final : public Scenario {
public:
    static constexpr const char* kName = "wrap-memory";

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    // The message the refused resize raised; empty when it was not refused.
    const std::string& resizeError() const { return resizeError_; }

private:
    std::string resizeError_;
};

}  // namespace poolscope
