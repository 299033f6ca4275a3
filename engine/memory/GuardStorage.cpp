#include "memory/GuardStorage.h"

#include <new>

namespace poolscope {

namespace {

enum class CacheState : unsigned char { Unused, Live, Exited };

// Trivially destructible, so that it stays usable while the thread's other thread_local
// objects are destroyed: a guard freed from one of those destructors, after the Reaper below
// has run, goes straight to the heap.
struct BlockCache {
    void* blocks[GuardStorage::kCachedBlocks];
    int count;
    CacheState state;
};

thread_local BlockCache t_cache{};

// Gives the cached blocks back to the heap when the thread exits. Constructed on the thread's
// first cached free only, so that the threads that never free a guard register nothing.
struct Reaper {
    Reaper() { t_cache.state = CacheState::Live; }
    ~Reaper() {
        t_cache.state = CacheState::Exited;
        while (t_cache.count > 0) {
            ::operator delete(t_cache.blocks[--t_cache.count], GuardStorage::kBlockBytes);
        }
    }
};

[[gnu::noinline]] void startCache() {
    thread_local Reaper reaper;
}

}  // namespace

void* GuardStorage::allocate(std::size_t bytes) {
    if (bytes > kBlockBytes) {
        return ::operator new(bytes);
    }
    BlockCache& cache = t_cache;
    if (cache.count > 0) {
        return cache.blocks[--cache.count];
    }
    return ::operator new(kBlockBytes);
}

void GuardStorage::free(void* block, std::size_t bytes) noexcept {
    if (bytes <= kBlockBytes) {
        BlockCache& cache = t_cache;
        if (cache.state == CacheState::Live && cache.count < kCachedBlocks) {
            cache.blocks[cache.count++] = block;
            return;
        }
        if (cache.state == CacheState::Unused) {
            startCache();  // Live now, and empty: only a live cache takes blocks
            cache.blocks[cache.count++] = block;
            return;
        }
        bytes = kBlockBytes;  // what allocate() asked the heap for
    }
    ::operator delete(block, bytes);
}

int GuardStorage::cachedOnThisThread() noexcept {
    return t_cache.count;
}

}  // namespace poolscope
