#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "diagnostics/TrackedAllocation.h"

namespace poolscope {

// Every live tracked allocation, in intrusive lists sharded by id so that threads allocating
// at once rarely meet on a lock.
class AllocationRegistry {
public:
    void add(TrackedAllocation* allocation);
    void remove(TrackedAllocation* allocation);

    std::int64_t liveCount() const { return liveCount_.load(std::memory_order_relaxed); }
    // Allocations with id >= firstId, sorted by id.
    std::vector<AllocationInfo> liveSince(AllocationId firstId) const;

    AllocationId nextId() { return nextId_.fetch_add(1, std::memory_order_relaxed); }
    // The id the next allocation will get: a mark for leak checkpoints.
    AllocationId peekNextId() const { return nextId_.load(std::memory_order_relaxed); }

    static AllocationRegistry& instance();

private:
    static constexpr int kShards = 16;
    struct alignas(64) Shard {
        mutable std::mutex mutex;
        TrackedAllocation* head = nullptr;
    };

    std::array<Shard, kShards> shards_;
    std::atomic<std::int64_t> liveCount_{0};
    std::atomic<AllocationId> nextId_{1};
};

}  // namespace poolscope
