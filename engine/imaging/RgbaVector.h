#pragma once

#include "imaging/PixelTypeId.h"
#include "imaging/Rgba32.h"

namespace poolscope {

// Four floats, each channel scaled to [0, 1] (ImageSharp's RgbaVector). Values outside [0, 1]
// are kept: filters may overshoot, and conversions to integer types clamp.
struct RgbaVector {
    using Component = float;
    static constexpr int kChannels = 4;
    static constexpr PixelTypeId kTypeId = PixelTypeId::RgbaVector;

    float r = 0.0f;
    float g = 0.0f;
    float b = 0.0f;
    float a = 0.0f;

    friend bool operator==(const RgbaVector&, const RgbaVector&) = default;

    RgbaVector toVector() const { return *this; }
    static RgbaVector fromVector(const RgbaVector& vector) { return vector; }
    Rgba32 toRgba32() const {
        return {ColorMath::unitTo8(r), ColorMath::unitTo8(g), ColorMath::unitTo8(b),
                ColorMath::unitTo8(a)};
    }
    static RgbaVector fromRgba32(Rgba32 color) { return color.toVector(); }
};

inline RgbaVector Rgba32::toVector() const {
    return {ColorMath::unitFrom8(r), ColorMath::unitFrom8(g), ColorMath::unitFrom8(b),
            ColorMath::unitFrom8(a)};
}

inline Rgba32 Rgba32::fromVector(const RgbaVector& vector) {
    return vector.toRgba32();
}

}  // namespace poolscope
