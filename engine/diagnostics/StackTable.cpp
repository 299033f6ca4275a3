#include "diagnostics/StackTable.h"

#include <execinfo.h>
#include <libunwind.h>

#include <algorithm>
#include <cstring>

namespace poolscope {

namespace {

std::uint64_t hashFrames(const std::uintptr_t* frames, int count) {
    // FNV-1a over whole words, then a final avalanche; stacks differ in a few words only.
    std::uint64_t hash = 1469598103934665603ull;
    for (int i = 0; i < count; ++i) {
        hash ^= frames[i];
        hash *= 1099511628211ull;
    }
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdull;
    hash ^= hash >> 33;
    return hash;
}

}  // namespace

StackTable::StackTable() : blocks_(new std::atomic<Entry*>[kMaxBlocks]) {
    for (std::uint32_t i = 0; i < kMaxBlocks; ++i) {
        blocks_[i].store(nullptr, std::memory_order_relaxed);
    }
}

StackTable::~StackTable() = default;

namespace {

// Set when the process's table is destroyed at exit: later captures are not made.
std::atomic<bool> g_processTableGone{false};

}  // namespace

StackTable& StackTable::instance() {
    // Destroyed at exit, once the threads that capture and look up stacks have ended, so that
    // leak checkers see its memory given back. A static destructor that allocates after that
    // gets no stack.
    struct ProcessTable {
        StackTable table;
        ~ProcessTable() { g_processTableGone.store(true); }
    };
    static ProcessTable process;
    return process.table;
}

const StackTable::Entry* StackTable::entry(StackId id) const {
    if (id == 0 || id >= nextId_.load(std::memory_order_acquire)) {
        return nullptr;
    }
    const Entry* block = blocks_[id >> kBlockBits].load(std::memory_order_acquire);
    return block ? &block[id & (kBlockSize - 1)] : nullptr;
}

bool StackTable::matches(StackId id, const std::uintptr_t* frames, int count) const {
    const Entry* known = entry(id);
    return known != nullptr && known->count == static_cast<std::uint32_t>(count) &&
           std::memcmp(known->frames, frames, sizeof(std::uintptr_t) * count) == 0;
}

StackId StackTable::intern(const std::uintptr_t* frames, int count) {
    count = std::min(count, kMaxFrames);
    if (count <= 0) {
        return 0;
    }
    const std::uint64_t hash = hashFrames(frames, count);
    // Allocation sites repeat: a small per-thread cache answers most lookups without a lock.
    // A hit is checked against the stored frames, so a stale or colliding entry is harmless.
    struct CachedStack {
        const StackTable* table = nullptr;
        std::uint64_t hash = 0;
        StackId id = 0;
    };
    thread_local CachedStack cache[256];
    CachedStack& cached = cache[hash % 256];
    if (cached.table == this && cached.hash == hash && matches(cached.id, frames, count)) {
        return cached.id;
    }
    const StackId id = internLocked(hash, frames, count);
    if (id != 0) {
        cached = CachedStack{this, hash, id};
    }
    return id;
}

StackId StackTable::internLocked(std::uint64_t hash, const std::uintptr_t* frames, int count) {
    Shard& shard = shards_[hash % kShards];
    std::lock_guard lock(shard.mutex);
    auto [first, last] = shard.byHash.equal_range(hash);
    for (auto it = first; it != last; ++it) {
        if (matches(it->second, frames, count)) {
            return it->second;
        }
    }
    // The id is published (nextId_) only after its entry is written, so entry() never reads a
    // half-written stack. Ids are taken under the block mutex to keep them dense and ordered.
    std::lock_guard idLock(blockMutex_);
    const StackId id = nextId_.load(std::memory_order_relaxed);
    const std::uint32_t blockIndex = id >> kBlockBits;
    if (blockIndex >= kMaxBlocks) {
        return 0;
    }
    Entry* block = blocks_[blockIndex].load(std::memory_order_relaxed);
    if (block == nullptr) {
        // Zeroed pages: an entry is an empty stack until written, and the block's pages (a
        // megabyte, for the thousands of stacks a large program has) are faulted in only as
        // stacks fill them, not all on the thread that allocates first.
        blockPages_.emplace_back(sizeof(Entry) * kBlockSize);
        block = static_cast<Entry*>(blockPages_.back().data());
        blocks_[blockIndex].store(block, std::memory_order_release);
    }
    Entry& slot = block[id & (kBlockSize - 1)];
    slot.count = static_cast<std::uint32_t>(count);
    std::memcpy(slot.frames, frames, sizeof(std::uintptr_t) * count);
    nextId_.store(id + 1, std::memory_order_release);
    shard.byHash.emplace(hash, id);
    return id;
}

std::vector<std::uintptr_t> StackTable::frames(StackId id) const {
    const Entry* known = entry(id);
    if (known == nullptr) {
        return {};
    }
    return {known->frames, known->frames + known->count};
}

namespace {

[[gnu::always_inline]] inline int walkStack(void** buffer, int size) {
#if defined(__SANITIZE_THREAD__)
    // libunwind keeps a per-thread trace cache that a thread-exit destructor frees; under TSan
    // that destructor crashes short-lived threads. glibc's walker has no such cache.
    return backtrace(buffer, size);
#else
    return unw_backtrace(buffer, size);
#endif
}

}  // namespace

StackId captureStack(int skipFrames) {
    if (g_processTableGone.load(std::memory_order_relaxed)) {
        return 0;
    }
#if defined(__SANITIZE_THREAD__)
    constexpr int kOwnFramesAtMost = 2;  // this function, and TSan's backtrace interceptor
#else
    constexpr int kOwnFramesAtMost = 1;  // this function
#endif
    // Every frame walked costs time: walk just what is kept.
    void* raw[StackTable::kMaxFrames + kOwnFramesAtMost + 8];
    const int skip = std::clamp(skipFrames, 0, 8);
    const int depth = walkStack(raw, StackTable::kMaxFrames + kOwnFramesAtMost + skip);
    // The caller's frame is the one that returns where this call returns; what the walker put
    // above it (this function, interceptors) is not the caller's business.
    void* const callerReturn = __builtin_return_address(0);
    int caller = 0;
    while (caller <= std::min(depth - 1, kOwnFramesAtMost) && raw[caller] != callerReturn) {
        ++caller;
    }
    if (caller > std::min(depth - 1, kOwnFramesAtMost)) {
        caller = 1;  // the caller's frame was not recognised: drop this function's only
    }
    const int first = caller + skip;
    if (depth <= first) {
        return 0;
    }
    std::uintptr_t frames[StackTable::kMaxFrames];
    const int count = std::min(depth - first, StackTable::kMaxFrames);
    for (int i = 0; i < count; ++i) {
        frames[i] = reinterpret_cast<std::uintptr_t>(raw[first + i]);
    }
    return StackTable::instance().intern(frames, count);
}

}  // namespace poolscope
