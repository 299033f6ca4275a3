#pragma once

namespace poolscope {

// The channels and bits per channel an encoder stores pixels in. The default, all zero,
// stores each pixel type its own way (see PngCodec and JpegCodec); a decode-process-encode
// pipeline passes the source's (ImageInfo::layout) so that the output is stored as the source
// was: a gray photo stays gray, a 16-bit one 16-bit, whatever pixel type it was processed in.
struct ChannelLayout {
    int channels = 0;        // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int bitsPerChannel = 0;  // 8 or 16

    bool isDefault() const { return channels == 0; }
    bool hasAlpha() const { return channels == 2 || channels == 4; }
    friend bool operator==(const ChannelLayout&, const ChannelLayout&) = default;
};

}  // namespace poolscope
