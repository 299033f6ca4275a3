#pragma once

#include <cstdint>

#include "imaging/PixelTypeId.h"
#include "imaging/RgbaVector.h"

namespace poolscope {

// Four 8-bit channels in memory order B, G, R, A (the layout of many GPU and window surfaces).
struct Bgra32 {
    using Component = std::uint8_t;
    static constexpr int kChannels = 4;
    static constexpr PixelTypeId kTypeId = PixelTypeId::Bgra32;

    std::uint8_t b = 0;
    std::uint8_t g = 0;
    std::uint8_t r = 0;
    std::uint8_t a = 0;

    friend bool operator==(const Bgra32&, const Bgra32&) = default;

    Rgba32 toRgba32() const { return {r, g, b, a}; }
    static Bgra32 fromRgba32(Rgba32 color) { return {color.b, color.g, color.r, color.a}; }
    RgbaVector toVector() const { return toRgba32().toVector(); }
    static Bgra32 fromVector(const RgbaVector& vector) { return fromRgba32(vector.toRgba32()); }
};

}  // namespace poolscope
