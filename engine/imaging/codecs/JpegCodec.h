#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/codecs/ImageInfo.h"

namespace poolscope {

// JPEG through libjpeg-turbo. Decoding reads baseline and progressive files, grayscale, YCbCr
// and RGB, and converts CMYK and YCCK (Adobe's inverted convention included) to RGB. Truncated
// input is an error rather than the gray fill libjpeg would pad it with. Encoding writes 4:2:0
// YCbCr at the given quality, or grayscale for L8 and L16 images and for any image whose
// ChannelLayout asks for gray (one channel, or gray+alpha: JPEG keeps no alpha).
// Errors are InvalidImageContent naming sourceName; no pixel memory outlives a failed decode.
class JpegCodec {
public:
    static constexpr int kDefaultQuality = 90;

    static bool isJpeg(std::span<const std::uint8_t> bytes);

    // Reads the markers up to the first scan only: no pixel memory is allocated.
    static ImageInfo identify(std::span<const std::uint8_t> bytes, std::string_view sourceName);

    template <class TPixel>
    static Image<TPixel> decode(std::span<const std::uint8_t> bytes,
                                const Configuration& configuration, std::string_view sourceName);

    // quality is clamped to 1..100. Throws std::runtime_error when libjpeg refuses.
    template <class TPixel>
    static std::vector<std::uint8_t> encode(const Image<TPixel>& image,
                                            int quality = kDefaultQuality, bool progressive = false,
                                            ChannelLayout layout = {});
};

}  // namespace poolscope
