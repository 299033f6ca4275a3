#pragma once

#include <cstdint>

#include "imaging/PixelTypeId.h"
#include "imaging/RgbaVector.h"

namespace poolscope {

// 8-bit luminance; opaque. Colour becomes BT.709 luminance, alpha is dropped.
struct L8 {
    using Component = std::uint8_t;
    static constexpr int kChannels = 1;
    static constexpr PixelTypeId kTypeId = PixelTypeId::L8;

    std::uint8_t value = 0;

    friend bool operator==(const L8&, const L8&) = default;

    Rgba32 toRgba32() const { return {value, value, value, 255}; }
    static L8 fromRgba32(Rgba32 color) {
        return {ColorMath::luminance709(color.r, color.g, color.b)};
    }
    RgbaVector toVector() const {
        const float unit = ColorMath::unitFrom8(value);
        return {unit, unit, unit, 1.0f};
    }
    static L8 fromVector(const RgbaVector& vector) {
        return {ColorMath::unitTo8(ColorMath::luminance709(vector.r, vector.g, vector.b))};
    }
};

}  // namespace poolscope
