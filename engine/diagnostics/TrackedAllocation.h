#pragma once

#include <cstdint>
#include <vector>

#include "base/MemoryTier.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// A copy of what the registry knows about one live allocation.
struct AllocationInfo {
    AllocationId id = 0;
    std::uint64_t bytes = 0;
    MemoryTier tier = MemoryTier::Pooled;
    std::uint32_t threadId = 0;
    std::int64_t timeNanoseconds = 0;
    StackId stackId = 0;
    std::uint16_t tagId = 0;
    std::uint16_t sourceId = 0;
    std::vector<std::int32_t> chunkSlots;  // pool chunk slots, empty for other tiers
};

// The diagnostic half of an allocation: its id, size, tier, the thread and time that made it,
// the tag in force and (while capture is on) its stack. It links itself into the
// AllocationRegistry, so the registry needs no memory of its own per allocation.
class TrackedAllocation {
public:
    TrackedAllocation(const TrackedAllocation&) = delete;
    TrackedAllocation& operator=(const TrackedAllocation&) = delete;

    AllocationId id() const { return id_; }
    std::uint64_t bytes() const { return bytes_; }
    MemoryTier tier() const { return tier_; }
    StackId stackId() const { return stackId_; }
    std::uint16_t sourceId() const { return sourceId_; }
    AllocationInfo info() const;

protected:
    TrackedAllocation(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId);
    virtual ~TrackedAllocation() = default;
    virtual void collectSlots(std::vector<std::int32_t>& /*chunkSlots*/) const {}

    // Publishes one event about this allocation, when anybody listens. `address` is where the
    // chunk's memory starts (0 when unknown); it travels in value2, so that a layout view can
    // show where each chunk lives.
    void publish(MemoryEventKind kind, std::uint64_t bytes, std::int32_t slot = -1,
                 std::uint32_t chunkIndex = 0, std::uint32_t chunkCount = 1,
                 const void* address = nullptr) const {
        // Checked here, inline: with nobody listening a rent and a return make no call for it.
        if (EventStream::active()) {
            publishNow(kind, bytes, slot, chunkIndex, chunkCount, address);
        }
    }

private:
    friend class AllocationRegistry;

    void publishNow(MemoryEventKind kind, std::uint64_t bytes, std::int32_t slot,
                    std::uint32_t chunkIndex, std::uint32_t chunkCount, const void* address) const;

    AllocationId id_;
    std::uint64_t bytes_;
    std::int64_t timeNanoseconds_;
    StackId stackId_;
    std::uint32_t threadId_;
    std::uint16_t tagId_;
    std::uint16_t sourceId_;
    MemoryTier tier_;
    TrackedAllocation* previous_ = nullptr;
    TrackedAllocation* next_ = nullptr;
};

}  // namespace poolscope
