#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/ZeroedPages.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Deduplicated call stacks of raw return addresses. Interning a stack that was seen before
// costs a hash and one lookup under a shard lock; a new stack is copied once into stable
// storage, so readers get a stack by id without locks held across calls.
class StackTable {
public:
    static constexpr int kMaxFrames = 32;

    StackTable();
    ~StackTable();
    StackTable(const StackTable&) = delete;
    StackTable& operator=(const StackTable&) = delete;

    // Returns the id of this stack (never 0), or 0 when count is 0 or the table is full.
    StackId intern(const std::uintptr_t* frames, int count);
    // The frames of a stack, innermost first; empty for 0 or an unknown id.
    std::vector<std::uintptr_t> frames(StackId id) const;
    std::size_t size() const { return nextId_.load(std::memory_order_acquire) - 1; }

    static StackTable& instance();

private:
    struct Entry {
        std::uint32_t count = 0;
        std::uintptr_t frames[kMaxFrames];
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_multimap<std::uint64_t, StackId> byHash;
    };
    static constexpr int kShards = 16;
    static constexpr std::uint32_t kBlockBits = 12;
    static constexpr std::uint32_t kBlockSize = 1u << kBlockBits;
    static constexpr std::uint32_t kMaxBlocks = 1024;

    const Entry* entry(StackId id) const;
    bool matches(StackId id, const std::uintptr_t* frames, int count) const;
    StackId internLocked(std::uint64_t hash, const std::uintptr_t* frames, int count);

    std::array<Shard, kShards> shards_;
    std::unique_ptr<std::atomic<Entry*>[]> blocks_;
    std::mutex blockMutex_;
    std::vector<ZeroedPages> blockPages_;  // the blocks' memory, under blockMutex_
    std::atomic<StackId> nextId_{1};
};

// Captures the caller's stack (raw addresses via libunwind) into the process-wide table,
// leaving out the innermost skipFrames frames. Does not allocate once the stack is known.
StackId captureStack(int skipFrames = 0);

}  // namespace poolscope
