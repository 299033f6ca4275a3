#pragma once

#include <cstdint>
#include <vector>

#include "scenarios/Scenario.h"

namespace poolscope {

// Bursts of concurrent large images, then idle time in which trimming gives the retained chunks
// back: half of them (the trim rate) every trim period, least recently returned first. The
// scenario makes the trim passes itself, a quarter period apart as the shared trim thread
// would, so that on a manual clock the whole timeline is exact and takes no time.
class PeriodicBurstsScenario final : public Scenario {
public:
    static constexpr const char* kName = "periodic-bursts";
    static constexpr const char* kImageTag = "burst-image";
    static constexpr int kBytesPerPixel = 4;

    // The pool at one moment of scenario time.
    struct Sample {
        std::int64_t milliseconds = 0;  // scenario time since the run started
        int burst = 0;                  // 1-based; the burst this sample follows
        int rentedChunks = 0;
        int retainedChunks = 0;
        bool afterTrimPass = false;
    };

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    void configureAllocator(PooledMemoryAllocator::Settings& settings,
                            const ScenarioParameters& parameters) const override;
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    const std::vector<Sample>& timeline() const { return timeline_; }
    int peakRentedChunks() const { return peakRentedChunks_; }

private:
    // Every image of the burst on its own thread, all alive at once; then all disposed.
    void runBurst(ScenarioContext& context, UniformChunkPool& pool, int images, int width,
                  int height);

    std::vector<Sample> timeline_;
    int peakRentedChunks_ = 0;
};

}  // namespace poolscope
