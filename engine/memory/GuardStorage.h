#pragma once

#include <cstddef>

namespace poolscope {

// Where LifetimeGuards live: every rent makes a guard and every return deletes it, and on a warm
// pool the heap allocation and free of that guard were the largest single cost of a rent and
// return after the locks (about 140 of 1,040 instructions, glibc's malloc plus free). Blocks of
// up to kBlockBytes are kept, once freed, in a small per-thread stack and handed to the next
// guard made on that thread, so that the steady state makes no heap call at all. Larger blocks,
// and blocks freed once the cache is full or its thread is exiting, go to the heap as before.
//
// Only memory is recycled, never an object: a guard is constructed afresh in its block, so it
// carries nothing over from the guard that used the block before.
class GuardStorage {
public:
    static constexpr std::size_t kBlockBytes = 128;
    // Per thread: more than a thread holds between two returns in the engine's workloads, few
    // enough that an idle thread keeps only a few KiB.
    static constexpr int kCachedBlocks = 32;

    static void* allocate(std::size_t bytes);
    // `bytes` is the size given to allocate() for this block.
    static void free(void* block, std::size_t bytes) noexcept;

    // Blocks in the calling thread's cache.
    static int cachedOnThisThread() noexcept;
};

}  // namespace poolscope
