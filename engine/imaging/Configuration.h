#pragma once

#include <cstdint>
#include <memory>

#include "memory/MemoryAllocator.h"

namespace poolscope {

// What image operations run with (ImageSharp's Configuration): where pixel memory comes from,
// whether images ask for one contiguous buffer, and how many threads a processor may use.
// A value type: copies share the allocator. The process-wide default is shared by every image
// made without an explicit configuration; change a clone() rather than the default, since
// preferContiguousImageBuffers defeats pooling for every image that uses it.
struct Configuration {
    std::shared_ptr<MemoryAllocator> allocator;
    // One buffer per image, up to the allocator's single-buffer limit (1 GiB by default),
    // so that dangerousTryGetSinglePixelMemory succeeds. Off by default, as in ImageSharp.
    bool preferContiguousImageBuffers = false;
    // Upper bound on the threads a processor uses; at least 1. Defaults to the core count.
    int maxDegreeOfParallelism = defaultMaxDegreeOfParallelism();
    // Decoders refuse a header that claims more pixels than this before they allocate anything,
    // as libvips' and ImageSharp's decoder options do: a few bytes of hostile header must not
    // cost gigabytes. 2^28 pixels is a 16384 x 16384 image (1 GiB as Rgba32).
    std::int64_t maxDecodePixels = kDefaultMaxDecodePixels;

    static constexpr std::int64_t kDefaultMaxDecodePixels = std::int64_t{1} << 28;

    Configuration clone() const { return *this; }

    // The process-wide configuration, with MemoryAllocator::create()'s pooled allocator.
    static Configuration& defaultInstance();
    static int defaultMaxDegreeOfParallelism();

    // Throws std::invalid_argument for a missing allocator, a degree below 1 or a decode pixel
    // limit below 1.
    void validate() const;
};

}  // namespace poolscope
