#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace poolscope {

// How a 2-D buffer of totalLength elements splits into chunks: equal chunks of bufferLength
// elements, a whole number of `alignment` elements (image rows) each, and a shorter last one.
struct GroupLayout {
    std::int64_t bufferLength = 0;  // elements per chunk
    std::int64_t count = 0;         // chunks
    std::int64_t lastLength = 0;    // elements in the last chunk

    // None when a single aligned unit (a row) does not fit in capacityElements.
    static std::optional<GroupLayout> compute(std::int64_t totalLength, std::int64_t alignment,
                                              std::int64_t capacityElements);
    // Why compute() found none: the allocator's refusal, with the row's size in bytes and the
    // chunk size that limits it.
    static std::string rowTooWideMessage(std::int64_t alignment, std::int64_t elementBytes,
                                         std::int64_t chunkBytes);
};

}  // namespace poolscope
