#pragma once

#include <cstdint>

#include "imaging/PixelTypeId.h"
#include "imaging/RgbaVector.h"

namespace poolscope {

// 16-bit luminance; opaque. From 8-bit colour it takes the luminance of the colour scaled to
// 16 bits, so an 8-bit gray g becomes exactly g * 257 and comes back as g.
struct L16 {
    using Component = std::uint16_t;
    static constexpr int kChannels = 1;
    static constexpr PixelTypeId kTypeId = PixelTypeId::L16;

    std::uint16_t value = 0;

    friend bool operator==(const L16&, const L16&) = default;

    Rgba32 toRgba32() const {
        const std::uint8_t gray = ColorMath::downscale16To8(value);
        return {gray, gray, gray, 255};
    }
    static L16 fromRgba32(Rgba32 color) {
        return {ColorMath::luminance709(ColorMath::upscale8To16(color.r),
                                        ColorMath::upscale8To16(color.g),
                                        ColorMath::upscale8To16(color.b))};
    }
    RgbaVector toVector() const {
        const float unit = ColorMath::unitFrom16(value);
        return {unit, unit, unit, 1.0f};
    }
    static L16 fromVector(const RgbaVector& vector) {
        return {ColorMath::unitTo16(ColorMath::luminance709(vector.r, vector.g, vector.b))};
    }
};

}  // namespace poolscope
