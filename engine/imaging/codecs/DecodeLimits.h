#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/codecs/InvalidImageContent.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

// The checks every decoder makes between reading a header and allocating pixel memory.
struct DecodeLimits {
    static constexpr const char* kDegenerateDimensionsPrefix =
        "Cannot decode image. Failed to allocate buffers for possibly degenerate dimensions: ";

    // "Cannot decode image. Failed to allocate buffers for possibly degenerate dimensions: WxH."
    static std::string degenerateDimensionsMessage(std::int64_t width, std::int64_t height);

    // Throws InvalidImageContent (the degenerate-dimensions message) unless an image of
    // width x height pixels of bytesPerPixel fits the configuration's allocator: the single-buffer
    // limit with preferContiguousImageBuffers, the group limit otherwise. Nothing is allocated,
    // so a hostile header costs no memory.
    static void checkDimensions(const Configuration& configuration, std::int64_t width,
                                std::int64_t height, std::size_t bytesPerPixel,
                                std::string_view sourceName);

    // The decoder's target image, uninitialized (the decoder writes every pixel) and laid out as
    // the configuration asks. An allocator refusal the dimension check did not foresee (a row
    // wider than a pool chunk, the pool exhausted) becomes the degenerate-dimensions error.
    template <class TPixel>
    static Image<TPixel> allocateImage(const Configuration& configuration, int width, int height,
                                       std::string_view sourceName) {
        try {
            return Image<TPixel>::createUninitialized(configuration, width, height);
        } catch (const InvalidMemoryOperation&) {
            throw InvalidImageContent(degenerateDimensionsMessage(width, height),
                                      std::string(sourceName));
        }
    }

    // "Cannot decode image 'source': reason"
    static std::string corruptMessage(std::string_view sourceName, std::string_view reason);
};

}  // namespace poolscope
