#include "diagnostics/PoolRegistry.h"

#include <algorithm>

namespace poolscope {

PoolRegistry& PoolRegistry::instance() {
    static PoolRegistry* registry = new PoolRegistry();  // outlives static destructors
    return *registry;
}

void PoolRegistry::add(const Pool& pool) {
    std::lock_guard lock(mutex_);
    pools_.push_back(pool);
    generation_ += 1;
}

void PoolRegistry::remove(std::uint16_t sourceId) {
    std::lock_guard lock(mutex_);
    std::erase_if(pools_, [sourceId](const Pool& pool) { return pool.sourceId == sourceId; });
    generation_ += 1;
}

std::vector<PoolRegistry::Pool> PoolRegistry::pools() const {
    std::lock_guard lock(mutex_);
    return pools_;
}

std::uint64_t PoolRegistry::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

}  // namespace poolscope
