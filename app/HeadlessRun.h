#pragma once

#include <cstdint>
#include <ostream>

#include "scenarios/DefaultWorkload.h"

namespace poolscope {

// The command line's run without a window: the default workload on a fresh pooled allocator,
// then the pool figures and a leak checkpoint, printed for a person or a CI log.
class HeadlessRun {
public:
    HeadlessRun(std::int64_t poolSizeMegabytes, WorkloadOptions workloadOptions);

    // Returns the exit status: CommandLine::kExitLeaksFound when allocations made by the
    // workload are still live after it, kExitFailure when the workload fails.
    int exec(std::ostream& out, std::ostream& errors) const;

    static constexpr int kReportedLeakStacks = 5;
    static constexpr int kFramesPerStack = 12;

private:
    std::int64_t poolSizeMegabytes_;
    WorkloadOptions workloadOptions_;
};

}  // namespace poolscope
