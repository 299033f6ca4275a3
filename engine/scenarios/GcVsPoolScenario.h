#pragma once

#include <cstdint>
#include <memory>

#include "scenarios/Scenario.h"

namespace poolscope {

class GcHeap;

// The same image workload (decode, resize, encode; batch-resize's job) on two allocators in
// lock-step: each step processes one image on the pool and the same image on the GC-backed
// allocator (GcPixelAllocator over a GcHeap, ImageSharp 1.x's managed arrays). Disposing an
// image gives pool memory back at once; managed arrays come back only when a collection finds
// them dead, and large ones sit on the LOH until a generation 2 collection. The figures show
// both: the peak bytes each side held (measured while an image and its resized copy are both
// alive), collections, and what each still holds at the end.
//
// The heap is attached to the context, so a person can ask for a collection between steps;
// a snapshot of it is published after every step.
class GcVsPoolScenario final : public Scenario {
public:
    static constexpr const char* kName = "gc-vs-pool";

    struct SideFigures {
        std::uint64_t peakBytes = 0;
        std::uint64_t retainedBytesAtEnd = 0;
    };

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioKind kind() const override { return ScenarioKind::Teaching; }
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    const SideFigures& pool() const { return pool_; }
    const SideFigures& gc() const { return gc_; }

private:
    SideFigures pool_;
    SideFigures gc_;
};

}  // namespace poolscope
