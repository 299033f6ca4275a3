#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
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
    // (the reference's words), then "'source': " and why, so that a person reading a log knows
    // which file, how much memory it asked for and which limit said no.
    static std::string degenerateDimensionsMessage(std::int64_t width, std::int64_t height,
                                                   std::string_view sourceName,
                                                   std::string_view reason);

    // Throws InvalidImageContent (the degenerate-dimensions message) unless an image of
    // width x height pixels of bytesPerPixel fits the configuration's decode pixel limit and its
    // allocator: the single-buffer limit with preferContiguousImageBuffers, the group limit
    // otherwise. Nothing is allocated, so a hostile header costs no memory.
    static void checkDimensions(const Configuration& configuration, std::int64_t width,
                                std::int64_t height, std::size_t bytesPerPixel,
                                std::string_view sourceName);

    // The decoder's target image, uninitialized (the decoder writes every pixel) and laid out as
    // the configuration asks. An allocator refusal the dimension check did not foresee (a row
    // wider than a pool chunk, the pool exhausted) or the system running out of memory becomes
    // the degenerate-dimensions error, naming the bytes asked for.
    template <class TPixel>
    static Image<TPixel> allocateImage(const Configuration& configuration, int width, int height,
                                       std::string_view sourceName) {
        try {
            return Image<TPixel>::createUninitialized(configuration, width, height);
        } catch (const InvalidMemoryOperation& refused) {
            throw InvalidImageContent(
                degenerateDimensionsMessage(width, height, sourceName, refused.what()),
                std::string(sourceName));
        } catch (const std::bad_alloc&) {
            throw InvalidImageContent(
                degenerateDimensionsMessage(
                    width, height, sourceName,
                    outOfMemoryReason(static_cast<std::uint64_t>(width) *
                                      static_cast<std::uint64_t>(height) * sizeof(TPixel))),
                std::string(sourceName));
        }
    }

    // "the system could not provide N bytes."
    static std::string outOfMemoryReason(std::uint64_t bytes);

    // "Cannot decode image 'source': reason"
    static std::string corruptMessage(std::string_view sourceName, std::string_view reason);
};

}  // namespace poolscope
