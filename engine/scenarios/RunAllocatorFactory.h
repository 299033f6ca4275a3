#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/Clock.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"
#include "scenarios/ScenarioContext.h"

namespace poolscope {

class GcHeap;
class Scenario;
class ScenarioParameters;

// What a person chooses about the memory of one scenario run, on the command line or in the
// window.
struct RunAllocatorOptions {
    // Unset: the machine's default (SystemMemory::defaultMaximumPoolSizeBytes).
    std::optional<std::int64_t> maximumPoolSizeMegabytes;
    // Unset: the scenario's own trim period (or ImageSharp's default of a minute); set, it
    // wins over the scenario's.
    std::optional<std::chrono::milliseconds> trimPeriod;
    // Pixel memory from a managed heap (GcPixelAllocator) instead of the pool; the pool
    // options then have nothing to shape.
    bool gcBacked = false;
    // Images the scenario makes get one contiguous buffer each (preferContiguousImageBuffers).
    bool preferContiguous = false;
    // Set: the pool trims by this clock, and the scenario's waits move it on.
    std::shared_ptr<ManualClock> manualClock;
    MemoryLoadSource* loadSource = &ProcMeminfoLoadSource::instance();
};

// The allocator a run works on, with what its scenario needs to use it.
struct RunAllocator {
    std::shared_ptr<MemoryAllocator> allocator;
    std::shared_ptr<PooledMemoryAllocator> pooled;  // the same allocator; empty when gc-backed
    std::shared_ptr<GcHeap> heap;                   // the managed heap; empty unless gc-backed
    RunAllocatorOptions options;

    // A scenario context's options on this allocator, its clock, load source and image
    // buffer preference; the caller adds the controls (step mode, callbacks).
    ScenarioContext::Options contextOptions() const;
};

// Builds the allocator of a scenario run, the one way for every front end: the pooled
// allocator with the scenario's own settings (configureAllocator) under the chosen pool size
// and trim period, or a managed-heap allocator.
class RunAllocatorFactory {
public:
    static RunAllocator make(const RunAllocatorOptions& options, const Scenario& scenario,
                             const ScenarioParameters& parameters);
};

}  // namespace poolscope
