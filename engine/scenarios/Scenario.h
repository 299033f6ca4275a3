#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memory/PooledMemoryAllocator.h"
#include "scenarios/ScenarioContext.h"
#include "scenarios/ScenarioParameter.h"

namespace poolscope {

// A leak a scenario made on purpose: the tag of its allocations and the function that made
// them, so that a test or a person can hold what the diagnostics found against it.
struct InjectedLeak {
    std::string kind;      // "forgotten-cache", "event-subscriber", ...
    std::string tag;       // the AllocationTagScope the allocations were made under
    std::string function;  // qualified name of the function that allocated them
    std::int64_t allocations = 0;
    std::uint64_t bytes = 0;
    // Released by a finalizer-like path without dispose (the diagnostics hear of it through the
    // undisposed notification) rather than still live at the end.
    bool releasedWithoutDispose = false;
};

// An image file a scenario could not process, and why.
struct ImageFailure {
    std::string file;
    std::string error;
};

// The image files a scenario worked through: how many it processed, and the ones it skipped.
struct ImageResults {
    std::int64_t processed = 0;
    std::vector<ImageFailure> failed;
};

// How one image's pixel buffer lay in memory.
struct ImageBufferLayout {
    int chunks = 0;
    std::int64_t rowsPerChunk = 0;
    bool singlePixelMemory = false;   // dangerousTryGetSinglePixelMemory succeeded
    std::uint64_t unpooledBytes = 0;  // exact-size memory the decode took outside the pool
};

// One image decoded under the default configuration and under preferContiguousImageBuffers.
struct ImageLayoutComparison {
    std::string file;
    int width = 0;
    int height = 0;
    ImageBufferLayout discontiguous;  // the default configuration
    ImageBufferLayout contiguous;     // the clone with preferContiguousImageBuffers
};

// What a scenario says about its own run: named figures in the order it wants them shown,
// and the leaks it injected.
struct ScenarioOutcome {
    bool cancelled = false;
    std::vector<std::pair<std::string, ScenarioValue>> figures;
    std::vector<InjectedLeak> injectedLeaks;
    // Set by scenarios that decode image files.
    std::optional<ImageResults> images;
    // Set by scenarios that compare image buffer layouts, one per image.
    std::vector<ImageLayoutComparison> layoutComparisons;

    void addFigure(std::string name, ScenarioValue value) {
        figures.emplace_back(std::move(name), std::move(value));
    }
};

// What a scenario is about, so that whoever shows it can bring the matching views forward:
// the pool at work, undisposed allocations to hunt, or the managed heap (compared with the
// pool, or taught lesson by lesson).
// Teaching scenarios open paused on their first checkpoint, so a teacher starts the lesson.
enum class ScenarioKind { PoolBehaviour, LeakHunting, Teaching };

// A workload that drives the engine: the GUI, the command line and the tests all run the
// engine through scenarios. An instance is made for one run and may hold what the run leaves
// behind (a leaky cache, say) until it is destroyed, so that whoever runs it can look for
// leaks after run() returns and before the scenario goes.
class Scenario {
public:
    virtual ~Scenario() = default;

    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    virtual std::vector<ScenarioParameter> parameters() const = 0;
    virtual ScenarioKind kind() const { return ScenarioKind::PoolBehaviour; }
    // The phases of its checkpoints in the order it passes them, for a scenario whose
    // checkpoints are known before it runs; empty otherwise.
    virtual std::vector<std::string> checkpointNames() const { return {}; }

    // Lets the scenario shape the allocator it will run on (pool size, trim policy) before it
    // is made; the clock and memory load source are already those of the run.
    virtual void configureAllocator(PooledMemoryAllocator::Settings& /*settings*/,
                                    const ScenarioParameters& /*parameters*/) const {}

    // Runs on the calling thread. Throws ScenarioError when an invariant breaks and lets
    // allocator errors propagate; a cancelled run returns with outcome.cancelled set.
    virtual ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) = 0;

    ScenarioParameters resolveParameters(
        const std::vector<std::pair<std::string, std::string>>& given) const {
        return ScenarioParameters::resolve(name(), parameters(), given);
    }
};

}  // namespace poolscope
