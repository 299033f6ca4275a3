#include "client/ClientAllocations.h"

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "client/ReportedAllocation.h"
#include "diagnostics/PoolDirectory.h"

namespace poolscope {

namespace {

// Sharded by address, so that threads reporting at once rarely meet on a lock.
class AllocationTable {
public:
    static constexpr std::size_t kShards = 16;

    struct alignas(64) Shard {
        std::mutex mutex;
        std::unordered_map<const void*, std::unique_ptr<ReportedAllocation>> live;
    };

    Shard& shardOf(const void* address) {
        return shards_[std::hash<const void*>{}(address) % kShards];
    }

private:
    std::array<Shard, kShards> shards_;
};

AllocationTable& table() {
    static AllocationTable* instance = new AllocationTable();
    return *instance;
}

}  // namespace

std::uint16_t ClientAllocations::sourceId() {
    static const std::uint16_t id = PoolDirectory::newSourceId();
    return id;
}

void ClientAllocations::reportAllocated(const void* address, std::size_t bytes) {
    if (address == nullptr || bytes == 0) {
        return;
    }
    // Made before the lock: stack capture and the registry must not wait on another shard.
    auto allocation = std::make_unique<ReportedAllocation>(
        bytes, MemoryTier::Unpooled, sourceId(), MemoryEventKind::UnpooledAllocate, address);
    AllocationTable::Shard& shard = table().shardOf(address);
    std::unique_ptr<ReportedAllocation> replaced;
    {
        std::lock_guard lock(shard.mutex);
        std::unique_ptr<ReportedAllocation>& slot = shard.live[address];
        replaced = std::move(slot);
        slot = std::move(allocation);
    }
    if (replaced) {
        replaced->end(MemoryEventKind::UnpooledFree);
    }
}

void ClientAllocations::reportFreed(const void* address) {
    if (address == nullptr) {
        return;
    }
    AllocationTable::Shard& shard = table().shardOf(address);
    std::unique_ptr<ReportedAllocation> freed;
    {
        std::lock_guard lock(shard.mutex);
        const auto it = shard.live.find(address);
        if (it == shard.live.end()) {
            return;
        }
        freed = std::move(it->second);
        shard.live.erase(it);
    }
    freed->end(MemoryEventKind::UnpooledFree);
}

}  // namespace poolscope
