#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "base/SpinLock.h"
#include "diagnostics/TrackedAllocation.h"

namespace poolscope {

// Every live tracked allocation, in intrusive lists sharded by id so that threads allocating
// at once rarely meet on a lock. It also keeps MemoryDiagnostics' undisposed count, per shard
// under the shard's lock, so that adding and removing an allocation costs no atomic operation
// beyond that lock, and threads allocating at once share no count.
class AllocationRegistry {
public:
    // Links the allocation in and counts it undisposed.
    void add(TrackedAllocation* allocation);
    // Unlinks the allocation. `disposedByOwner` ends its undisposed count; memory let go any
    // other way (by a finalizer) stays counted.
    void remove(TrackedAllocation* allocation, bool disposedByOwner);

    std::int64_t undisposedCount() const;
    // Allocations with id >= firstId, sorted by id.
    std::vector<AllocationInfo> liveSince(AllocationId firstId) const;

    AllocationId nextId() { return nextId_.fetch_add(1, std::memory_order_relaxed); }
    // The id the next allocation will get: a mark for leak checkpoints.
    AllocationId peekNextId() const { return nextId_.load(std::memory_order_relaxed); }

    // Constant-initialized and trivially destructible, so it outlives static destructors and
    // reaching it costs no initialization check on every rent and return.
    static AllocationRegistry& instance() { return instance_; }

private:
    static AllocationRegistry instance_;

    static constexpr int kShards = 16;
    struct alignas(64) Shard {
        mutable SpinLock mutex;
        TrackedAllocation* head = nullptr;
        // Written under the mutex, read without it: atomic for the readers only.
        std::atomic<std::int64_t> undisposed{0};
    };

    std::array<Shard, kShards> shards_;
    std::atomic<AllocationId> nextId_{1};
};

}  // namespace poolscope
