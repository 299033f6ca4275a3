#pragma once

#include <cstdint>
#include <string_view>

namespace poolscope {

// A number per pixel type, so that events and recordings can say what an image buffer holds
// without naming C++ types. 0 means unknown.
enum class PixelTypeId : std::uint8_t {
    Unknown = 0,
    Rgba32 = 1,
    Bgra32 = 2,
    Rgb24 = 3,
    L8 = 4,
    L16 = 5,
    RgbaVector = 6,
};

constexpr std::string_view pixelTypeName(PixelTypeId id) {
    switch (id) {
        case PixelTypeId::Rgba32:
            return "Rgba32";
        case PixelTypeId::Bgra32:
            return "Bgra32";
        case PixelTypeId::Rgb24:
            return "Rgb24";
        case PixelTypeId::L8:
            return "L8";
        case PixelTypeId::L16:
            return "L16";
        case PixelTypeId::RgbaVector:
            return "RgbaVector";
        case PixelTypeId::Unknown:
            break;
    }
    return "unknown";
}

}  // namespace poolscope
