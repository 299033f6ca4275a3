#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

// The same images decoded twice: under the run's default configuration (row-aligned chunk
// groups, pooled) and under a clone of it with preferContiguousImageBuffers (one buffer per
// image). For each it records the layout, whether dangerousTryGetSinglePixelMemory succeeds,
// and the bytes that went unpooled: what asking for contiguous memory costs the pool.
class ContiguousVsDiscontiguousScenario final : public Scenario {
public:
    static constexpr const char* kName = "contiguous-vs-discontiguous";

    using Layout = ImageBufferLayout;
    using Record = ImageLayoutComparison;

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    const std::vector<Record>& records() const { return records_; }

    // "3 chunks of 512 rows, single memory: no, unpooled: 0 B"
    static std::string describe(const Layout& layout);

private:
    std::vector<Record> records_;
};

}  // namespace poolscope
