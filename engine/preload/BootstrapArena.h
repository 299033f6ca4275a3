#pragma once

#include <cstddef>

namespace poolscope::preload {

// Memory for the allocations dlsym makes while the real allocator is still being looked up. A
// static bump region: its blocks are never given back (free ignores them) and start zeroed, so
// calloc is served too.
class BootstrapArena {
public:
    static void* allocate(std::size_t bytes, std::size_t alignment);
    static bool owns(const void* pointer);
    // The size a block was asked with, for a realloc that moves it to the real allocator.
    static std::size_t blockBytes(const void* pointer);
};

}  // namespace poolscope::preload
