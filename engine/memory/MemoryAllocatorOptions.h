#pragma once

#include <cstdint>
#include <optional>

namespace poolscope {

struct MemoryAllocatorOptions {
    // The pool size PoolScope's own runs start from (the window's and `poolscope run`'s), and
    // so the one its what-if view opens a recording with.
    static constexpr std::int64_t kInspectorPoolSizeMegabytes = 256;

    // The most memory the chunk pool may hold (rented plus retained). 0 disables pooling of
    // anything over the small-buffer threshold. Unset: an eighth of the machine's memory.
    std::optional<std::int64_t> maximumPoolSizeMegabytes;
    // Overrides the group limit (4 GiB) and caps the single-buffer limit (1 GiB) at this size.
    std::optional<std::int64_t> allocationLimitMegabytes;

    // Throws std::out_of_range naming the field and the value when an option is out of range.
    void validate() const;
};

}  // namespace poolscope
