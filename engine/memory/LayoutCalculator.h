#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/MemoryTier.h"

namespace poolscope {

struct ImageLayoutRequest {
    std::int64_t width = 0;
    std::int64_t height = 0;
    // Memory knows pixel types by their size only (imaging's PixelTypeInfo::bytesPerPixel()).
    int bytesPerPixel = 4;
    // The pool's maximum size; unset: the machine's default, as MemoryAllocator::create uses.
    std::optional<std::int64_t> maximumPoolSizeMegabytes;
    bool preferContiguous = false;
};

// What memory the default allocator would give an image, worked out from its rules without
// allocating anything: one buffer of the whole image when contiguous buffers are preferred,
// otherwise a row-aligned group; small-buffer, pool-chunk or unpooled tier, as a fresh pool
// (nothing rented yet) of that size would serve it.
struct ImageLayout {
    struct Chunk {
        std::int64_t rows = 0;
        std::int64_t elements = 0;  // pixels
        std::int64_t bytes = 0;
    };

    bool contiguous = false;         // one chunk holds the whole image
    bool singlePixelMemory = false;  // dangerousTryGetSinglePixelMemory would succeed
    bool pooled = false;             // served by the small-buffer pool or the chunk pool
    MemoryTier tier = MemoryTier::Pooled;
    std::vector<Chunk> chunks;
};

class LayoutCalculator {
public:
    // Throws InvalidMemoryOperation with the allocator's own message for a request it would
    // refuse, and std::invalid_argument for a width, height or pixel size that is not positive.
    static ImageLayout calculate(const ImageLayoutRequest& request);
};

}  // namespace poolscope
