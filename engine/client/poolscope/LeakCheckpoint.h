#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/TrackedAllocation.h"

namespace poolscope {

// Which leaks a check counts: those of one tag (empty: any) of at least minimumBytes.
struct LeakFilter {
    std::string tag;
    std::uint64_t minimumBytes = 0;
};

// The outcome of LeakCheckpoint::check(): true when nothing counted is still live. The
// message lists each leak (id, size, tier, tag) with the stack that made it, ready for a test
// framework's failure output; it is empty when the check passed.
struct LeakCheckResult {
    std::vector<AllocationInfo> leaks;
    std::string message;

    bool passed() const { return leaks.empty(); }
    explicit operator bool() const { return passed(); }
};

// A test's memory check, in the manner of dotMemory Unit's checkpoints: construct one, run the
// code under test, then check() that nothing allocated since is still undisposed. Stacks of
// new allocations are captured while a checkpoint lives.
//
//   poolscope::LeakCheckpoint checkpoint;
//   makeThumbnails(folder);
//   const poolscope::LeakCheckResult result = checkpoint.check();
//   EXPECT_TRUE(result) << result.message;          // GoogleTest
//   QVERIFY2(result.passed(), result.message.c_str());  // Qt Test
class LeakCheckpoint {
public:
    LeakCheckpoint();
    ~LeakCheckpoint();
    LeakCheckpoint(const LeakCheckpoint&) = delete;
    LeakCheckpoint& operator=(const LeakCheckpoint&) = delete;

    LeakCheckResult check(const LeakFilter& filter = {}) const;

    static constexpr int kFramesPerLeak = 12;

private:
    std::unique_ptr<MemoryDiagnostics::Subscription> capture_;
    LeakMark mark_;
};

}  // namespace poolscope
