#pragma once

#include <cstdint>

#include "imaging/codecs/ChannelLayout.h"

namespace poolscope {

enum class ImageFormat { Unknown, Png, Jpeg };

// What identify() reads from a header without decoding any pixels.
struct ImageInfo {
    ImageFormat format = ImageFormat::Unknown;
    int width = 0;
    int height = 0;
    int bitsPerComponent = 0;  // per channel: 1..16 for PNG, 8 for JPEG
    int components = 0;        // channels as stored: 1 gray, 2 gray+alpha, 3, 4; palette is 1
    // The pixels as decoded: a palette is RGB (RGBA with a transparency chunk), transparency
    // adds alpha, bits under 8 are 8. What an encoder keeping the source's layout is given.
    ChannelLayout layout;
};

}  // namespace poolscope
