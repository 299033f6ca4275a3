#include "diagnostics/AllocationRegistry.h"

#include <algorithm>
#include <type_traits>

namespace poolscope {

// Nothing to run at exit: allocations released by other static destructors still find it.
static_assert(std::is_trivially_destructible_v<AllocationRegistry>);

constinit AllocationRegistry AllocationRegistry::instance_;

void AllocationRegistry::add(TrackedAllocation* allocation) {
    Shard& shard = shards_[allocation->id_ % kShards];
    {
        std::lock_guard lock(shard.mutex);
        allocation->previous_ = nullptr;
        allocation->next_ = shard.head;
        if (shard.head != nullptr) {
            shard.head->previous_ = allocation;
        }
        shard.head = allocation;
        shard.undisposed.store(shard.undisposed.load(std::memory_order_relaxed) + 1,
                               std::memory_order_relaxed);
    }
}

void AllocationRegistry::remove(TrackedAllocation* allocation, bool disposedByOwner) {
    Shard& shard = shards_[allocation->id_ % kShards];
    {
        std::lock_guard lock(shard.mutex);
        if (allocation->previous_ != nullptr) {
            allocation->previous_->next_ = allocation->next_;
        } else {
            shard.head = allocation->next_;
        }
        if (allocation->next_ != nullptr) {
            allocation->next_->previous_ = allocation->previous_;
        }
        allocation->previous_ = nullptr;
        allocation->next_ = nullptr;
        if (disposedByOwner) {
            shard.undisposed.store(shard.undisposed.load(std::memory_order_relaxed) - 1,
                                   std::memory_order_relaxed);
        }
    }
}

std::int64_t AllocationRegistry::undisposedCount() const {
    std::int64_t total = 0;
    for (const Shard& shard : shards_) {
        total += shard.undisposed.load(std::memory_order_relaxed);
    }
    return total;
}

std::vector<AllocationInfo> AllocationRegistry::liveSince(AllocationId firstId) const {
    std::vector<AllocationInfo> result;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const TrackedAllocation* it = shard.head; it != nullptr; it = it->next_) {
            if (it->id_ >= firstId) {
                result.push_back(it->info());
            }
        }
    }
    std::sort(result.begin(), result.end(),
              [](const AllocationInfo& a, const AllocationInfo& b) { return a.id < b.id; });
    return result;
}

}  // namespace poolscope
