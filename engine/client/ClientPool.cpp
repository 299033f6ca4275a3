#include "client/ClientPool.h"

#include "diagnostics/PoolDirectory.h"

namespace poolscope {

ClientPool::ClientPool(std::string name, std::size_t chunkBytes, int capacity)
    : sourceId_(PoolDirectory::newSourceId()),
      chunkBytes_(chunkBytes),
      rented_(static_cast<std::size_t>(capacity)) {
    PoolDirectory::add({sourceId_, std::move(name), capacity, chunkBytes});
}

ClientPool::~ClientPool() {
    PoolDirectory::remove(sourceId_);
    for (std::unique_ptr<ReportedAllocation>& chunk : rented_) {
        if (chunk) {
            chunk->abandon();
        }
    }
}

void ClientPool::rent(int slot, const void* chunk) {
    if (slot < 0 || static_cast<std::size_t>(slot) >= rented_.size()) {
        return;
    }
    std::lock_guard lock(mutex_);
    std::unique_ptr<ReportedAllocation>& rented = rented_[static_cast<std::size_t>(slot)];
    if (!rented) {
        rented = std::make_unique<ReportedAllocation>(chunkBytes_, MemoryTier::Pooled, sourceId_,
                                                      MemoryEventKind::Rent, chunk, slot);
    }
}

void ClientPool::giveBack(int slot) {
    if (slot < 0 || static_cast<std::size_t>(slot) >= rented_.size()) {
        return;
    }
    // Under the lock, so that the slot's Return is published before a later Rent of it.
    std::lock_guard lock(mutex_);
    if (const std::unique_ptr<ReportedAllocation> returned =
            std::move(rented_[static_cast<std::size_t>(slot)])) {
        returned->end(MemoryEventKind::Return);
    }
}

}  // namespace poolscope
