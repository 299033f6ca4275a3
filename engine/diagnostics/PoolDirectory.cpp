#include "diagnostics/PoolDirectory.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

namespace poolscope {

namespace {

struct Directory {
    std::mutex mutex;
    std::vector<PoolDescription> pools;
    std::map<std::uint64_t, PoolDirectory::Listener> listeners;
    std::uint64_t nextKey = 1;
    std::uint64_t generation = 0;
};

// Allocators are made and destroyed during static initialization and destruction too.
Directory& directory() {
    static Directory* instance = new Directory();
    return *instance;
}

std::atomic<std::uint16_t> g_nextSourceId{1};

class ListenerWatch final : public PoolDirectory::Watch {
public:
    explicit ListenerWatch(std::uint64_t key) : key_(key) {}
    ~ListenerWatch() override {
        Directory& state = directory();
        std::lock_guard lock(state.mutex);
        state.listeners.erase(key_);
    }

private:
    std::uint64_t key_;
};

}  // namespace

std::uint16_t PoolDirectory::newSourceId() {
    return g_nextSourceId.fetch_add(1, std::memory_order_relaxed);
}

void PoolDirectory::add(PoolDescription pool) {
    Directory& state = directory();
    std::lock_guard lock(state.mutex);
    state.pools.push_back(pool);
    ++state.generation;
    for (const auto& [key, listener] : state.listeners) {
        listener(pool);
    }
}

void PoolDirectory::remove(std::uint16_t sourceId) {
    Directory& state = directory();
    std::lock_guard lock(state.mutex);
    std::erase_if(state.pools,
                  [sourceId](const PoolDescription& pool) { return pool.sourceId == sourceId; });
    ++state.generation;
}

std::uint64_t PoolDirectory::generation() {
    Directory& state = directory();
    std::lock_guard lock(state.mutex);
    return state.generation;
}

std::vector<PoolDescription> PoolDirectory::pools() {
    Directory& state = directory();
    std::lock_guard lock(state.mutex);
    return state.pools;
}

std::unique_ptr<PoolDirectory::Watch> PoolDirectory::watch(Listener listener) {
    Directory& state = directory();
    std::lock_guard lock(state.mutex);
    for (const PoolDescription& pool : state.pools) {
        listener(pool);
    }
    const std::uint64_t key = state.nextKey++;
    state.listeners.emplace(key, std::move(listener));
    return std::make_unique<ListenerWatch>(key);
}

}  // namespace poolscope
