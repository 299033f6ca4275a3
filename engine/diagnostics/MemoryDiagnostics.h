#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/TrackedAllocation.h"

namespace poolscope {

// What an undisposed-allocation notification carries: the allocation, with the id of the stack
// that made it when capture was on at that time (allocation.stackId). The stack is not named
// here: naming reads debug information, which must not happen on the releasing thread; the
// one who listens names it later, with symbolizedStack().
struct UndisposedAllocation {
    AllocationInfo allocation;
};

// Live allocations that appeared after a mark and are still live, grouped by the stack that
// made them. Sorted by bytes, largest first.
struct LeakGroup {
    StackId stackId = 0;
    std::int64_t count = 0;
    std::uint64_t bytes = 0;
    std::vector<AllocationInfo> allocations;
};

struct LeakMark {
    AllocationId firstId = 0;
};

// The diagnostics facade, process-wide as ImageSharp's MemoryDiagnostics is.
class MemoryDiagnostics {
public:
    using UndisposedCallback = std::function<void(const UndisposedAllocation&)>;

    // RAII token: the callback stays subscribed, and stacks are captured, while it lives.
    class Subscription {
    public:
        virtual ~Subscription() = default;
    };

    // Counted as ImageSharp counts: a pooled group is 1, each unpooled chunk is 1, a small
    // buffer is 1. Goes down only when the owner disposes; memory released any other way (by a
    // finalizer) stays counted.
    static std::int64_t totalUndisposedAllocationCount();

    // The callback runs on the thread that released the memory, outside engine locks; it should
    // note the stack id and return.
    [[nodiscard]] static std::unique_ptr<Subscription> subscribeUndisposed(
        UndisposedCallback callback);
    // Captures stacks for new allocations while the token lives, with or without subscribers.
    [[nodiscard]] static std::unique_ptr<Subscription> enableStackCapture();
    static bool stackCaptureActive();

    static LeakMark mark();
    static std::vector<LeakGroup> leakCheckpoint(LeakMark since);
    static std::vector<AllocationInfo> liveAllocations();

    // The frames of a stack, innermost first, the engine allocator's own frames at the top
    // left out, ending at main.
    // An inlined call is a frame of its own, marked inlined.
    static std::vector<Frame> symbolizedStack(StackId stackId, int maxFrames = 24);
    // Symbolized, one frame a line, as symbolizedStack() selects them.
    static std::string formatStack(StackId stackId, int maxFrames = 24);

    // Tags name what an allocation was for ("decode", "resize"); 0 is "no tag".
    static std::uint16_t internTag(std::string_view name);
    static std::string tagName(std::uint16_t tagId);
    static std::uint16_t currentTag();

    // Engine-internal hook, called by LifetimeGuard.
    static void noteReleasedUndisposed(const TrackedAllocation& allocation);
};

// Sets the tag of allocations made on this thread while it lives.
class AllocationTagScope {
public:
    explicit AllocationTagScope(std::string_view tag);
    ~AllocationTagScope();
    AllocationTagScope(const AllocationTagScope&) = delete;
    AllocationTagScope& operator=(const AllocationTagScope&) = delete;

private:
    std::uint16_t previous_;
};

}  // namespace poolscope
