#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace poolscope {

// The shape of a chunk pool, as a pool map needs it to draw the pool's slots.
struct PoolDescription {
    std::uint16_t sourceId = 0;
    std::string name;
    int capacityChunks = 0;
    std::uint64_t chunkBytes = 0;
};

// The chunk pools of the process: the engine's own and those a program describes through the
// C API. Their events carry only a source id; whoever draws or records a pool (a recording
// started by POOLSCOPE_RECORD, a live link) learns its shape here.
class PoolDirectory {
public:
    using Listener = std::function<void(const PoolDescription&)>;

    class Watch {
    public:
        virtual ~Watch() = default;
    };

    // The id every allocator's events carry; unique in the process.
    static std::uint16_t newSourceId();

    static void add(PoolDescription pool);
    static void remove(std::uint16_t sourceId);
    static std::vector<PoolDescription> pools();
    // Goes up with every add and remove, so a poller sees a change without comparing lists.
    static std::uint64_t generation();

    // The listener hears of the pools described so far at once, then of each new one, on the
    // thread that describes it, until the token is destroyed. It runs under the directory's
    // lock, so it must not describe or remove pools itself.
    [[nodiscard]] static std::unique_ptr<Watch> watch(Listener listener);
};

}  // namespace poolscope
