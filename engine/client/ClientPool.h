#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/ReportedAllocation.h"

namespace poolscope {

// A chunk pool of a program's own, described through the C API (poolscope_pool_*): listed in
// the PoolDirectory while it lives, so that a pool map can draw it, and each rented chunk a
// live allocation of the Pooled tier with its renter's stack.
class ClientPool {
public:
    ClientPool(std::string name, std::size_t chunkBytes, int capacity);
    ~ClientPool();
    ClientPool(const ClientPool&) = delete;
    ClientPool& operator=(const ClientPool&) = delete;

    // Slots outside the pool, a rent of a rented slot and a return of a free one are ignored.
    void rent(int slot, const void* chunk);
    void giveBack(int slot);

    std::uint16_t sourceId() const { return sourceId_; }

private:
    std::uint16_t sourceId_;
    std::size_t chunkBytes_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<ReportedAllocation>> rented_;  // by slot
};

}  // namespace poolscope
