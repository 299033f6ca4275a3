#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace poolscope {

// The chunk pools alive in this process, described for someone outside it: the live link tells
// an attaching viewer what to draw. A pool's allocator adds it when made and removes it when
// gone. Thread-safe.
class PoolRegistry {
public:
    struct Pool {
        std::uint16_t sourceId = 0;
        std::string allocator;
        int capacityChunks = 0;
        std::uint64_t chunkBytes = 0;

        friend bool operator==(const Pool&, const Pool&) = default;
    };

    void add(const Pool& pool);
    void remove(std::uint16_t sourceId);
    // The pools alive, in the order they were made.
    std::vector<Pool> pools() const;
    // Goes up with every add and remove, so a watcher sees a change without comparing lists.
    std::uint64_t generation() const;

    static PoolRegistry& instance();

private:
    mutable std::mutex mutex_;
    std::vector<Pool> pools_;
    std::uint64_t generation_ = 0;
};

}  // namespace poolscope
