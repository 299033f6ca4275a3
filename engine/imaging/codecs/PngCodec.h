#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/codecs/ImageInfo.h"

namespace poolscope {

// PNG through libpng. Decoding reads every colour type (gray, gray+alpha, palette, RGB, RGBA),
// bit depths 1 to 16 and Adam7 interlacing into any pixel type. Encoding picks the colour type
// from the pixel type: L8 gray/8, L16 gray/16, Rgb24 RGB/8, Rgba32 and Bgra32 RGBA/8,
// RgbaVector RGBA/16, so every type round-trips without loss at its own precision; or, asked
// for another ChannelLayout (gray, gray+alpha, RGB, RGBA at 8 or 16 bits, as the source file
// was), converts each row to it.
// Errors are InvalidImageContent naming sourceName; no pixel memory outlives a failed decode.
class PngCodec {
public:
    static bool isPng(std::span<const std::uint8_t> bytes);

    // Reads the IHDR chunk only: no pixel memory is allocated.
    static ImageInfo identify(std::span<const std::uint8_t> bytes, std::string_view sourceName);

    template <class TPixel>
    static Image<TPixel> decode(std::span<const std::uint8_t> bytes,
                                const Configuration& configuration, std::string_view sourceName);

    // Throws std::runtime_error when libpng refuses (it only does so for out-of-memory), and
    // std::invalid_argument for a layout PNG has not.
    template <class TPixel>
    static std::vector<std::uint8_t> encode(const Image<TPixel>& image, ChannelLayout layout = {});
};

}  // namespace poolscope
