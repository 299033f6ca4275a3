#pragma once

#include <cstdint>

#include "imaging/PixelTypeId.h"
#include "imaging/RgbaVector.h"

namespace poolscope {

// Three 8-bit channels, R, G, B; opaque. Converting from a type with alpha drops the alpha.
struct Rgb24 {
    using Component = std::uint8_t;
    static constexpr int kChannels = 3;
    static constexpr PixelTypeId kTypeId = PixelTypeId::Rgb24;

    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;

    friend bool operator==(const Rgb24&, const Rgb24&) = default;

    Rgba32 toRgba32() const { return {r, g, b, 255}; }
    static Rgb24 fromRgba32(Rgba32 color) { return {color.r, color.g, color.b}; }
    RgbaVector toVector() const { return toRgba32().toVector(); }
    static Rgb24 fromVector(const RgbaVector& vector) { return fromRgba32(vector.toRgba32()); }
};

}  // namespace poolscope
