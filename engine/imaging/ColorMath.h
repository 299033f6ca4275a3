#pragma once

#include <cstdint>

namespace poolscope {

// The exact integer conversions every pixel type shares: 8 <-> 16 bit scaling and BT.709
// luminance. Integer arithmetic keeps them exact and identical on every machine.
struct ColorMath {
    static constexpr std::uint16_t upscale8To16(std::uint8_t value) {
        return static_cast<std::uint16_t>(value * 257);
    }
    // round(value * 255 / 65535) for every 16-bit value (ImageSharp's DownScaleFrom16BitTo8Bit).
    static constexpr std::uint8_t downscale16To8(std::uint16_t value) {
        return static_cast<std::uint8_t>((value * 255u + 32895u) >> 16);
    }

    // BT.709 weights 0.2126, 0.7152, 0.0722 in 16.16 fixed point. They sum to exactly 65536, so
    // a gray input (r == g == b) comes back unchanged.
    static constexpr std::uint32_t kRedWeight = 13933;
    static constexpr std::uint32_t kGreenWeight = 46871;
    static constexpr std::uint32_t kBlueWeight = 4732;
    static_assert(kRedWeight + kGreenWeight + kBlueWeight == 65536);

    static constexpr std::uint8_t luminance709(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        return static_cast<std::uint8_t>(
            (kRedWeight * r + kGreenWeight * g + kBlueWeight * b + 32768u) >> 16);
    }
    static constexpr std::uint16_t luminance709(std::uint16_t r, std::uint16_t g, std::uint16_t b) {
        const std::uint64_t weighted = std::uint64_t{kRedWeight} * r +
                                       std::uint64_t{kGreenWeight} * g +
                                       std::uint64_t{kBlueWeight} * b + 32768u;
        return static_cast<std::uint16_t>(weighted >> 16);
    }
    static constexpr float luminance709(float r, float g, float b) {
        return 0.2126f * r + 0.7152f * g + 0.0722f * b;
    }

    // [0, 1] float to an integer channel, rounded to nearest; NaN maps to 0.
    template <class Channel, std::uint32_t kMax>
    static constexpr Channel fromUnitFloat(float value) {
        if (!(value > 0.0f)) {
            return 0;
        }
        if (value >= 1.0f) {
            return static_cast<Channel>(kMax);
        }
        return static_cast<Channel>(value * static_cast<float>(kMax) + 0.5f);
    }
    static constexpr std::uint8_t unitTo8(float value) {
        return fromUnitFloat<std::uint8_t, 255>(value);
    }
    static constexpr std::uint16_t unitTo16(float value) {
        return fromUnitFloat<std::uint16_t, 65535>(value);
    }
    static constexpr float unitFrom8(std::uint8_t value) { return value / 255.0f; }
    static constexpr float unitFrom16(std::uint16_t value) { return value / 65535.0f; }
};

}  // namespace poolscope
