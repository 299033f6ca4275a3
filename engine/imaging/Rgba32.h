#pragma once

#include <cstdint>

#include "imaging/ColorMath.h"
#include "imaging/PixelTypeId.h"

namespace poolscope {

struct RgbaVector;

// Four 8-bit channels in memory order R, G, B, A. Every pixel type converts to and from Rgba32
// and RgbaVector; convertPixel (PixelConverter.h) picks the exact route between two types.
struct Rgba32 {
    using Component = std::uint8_t;
    static constexpr int kChannels = 4;
    static constexpr PixelTypeId kTypeId = PixelTypeId::Rgba32;

    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    std::uint8_t a = 0;

    friend bool operator==(const Rgba32&, const Rgba32&) = default;

    Rgba32 toRgba32() const { return *this; }
    static Rgba32 fromRgba32(Rgba32 color) { return color; }
    RgbaVector toVector() const;                         // defined in RgbaVector.h
    static Rgba32 fromVector(const RgbaVector& vector);  // defined in RgbaVector.h
};

}  // namespace poolscope

#include "imaging/RgbaVector.h"
