#pragma once

#include <cstdint>

#include "diagnostics/TrackedAllocation.h"

namespace poolscope {

// An allocation a program reported through the C API: a live tracked allocation (in the
// registry, counted as undisposed, with the reporter's stack) from construction until end()
// or abandon(), each of which publishes its closing event.
class ReportedAllocation final : public TrackedAllocation {
public:
    // Publishes `opening` (UnpooledAllocate, Rent) at `address`; `slot` is the pool slot of a
    // rented chunk, -1 otherwise.
    ReportedAllocation(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId,
                       MemoryEventKind opening, const void* address, std::int32_t slot = -1);
    ~ReportedAllocation() override;

    // The program freed it: publishes `closing` (UnpooledFree, Return).
    void end(MemoryEventKind closing);
    // Nobody will free it any more (its pool was destroyed): released without dispose.
    void abandon();

private:
    void collectSlots(std::vector<std::int32_t>& chunkSlots) const override;

    const void* address_;
    std::int32_t slot_;
    bool ended_ = false;
};

}  // namespace poolscope
