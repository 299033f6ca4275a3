#pragma once

#include <cstddef>

namespace poolscope::preload {

// The interposer's own memory: pages straight from the kernel, so that its tables never go
// through the allocator it watches, nor through its own mmap hook.
class PageMemory {
public:
    // Zeroed pages, or nullptr. Reserved without swap: tables grow into them as they are touched.
    static void* map(std::size_t bytes);
    static void unmap(void* pages, std::size_t bytes);
};

}  // namespace poolscope::preload
