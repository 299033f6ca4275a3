#pragma once

#include <array>
#include <cstdint>
#include <string>
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

// What the rest of the program knows of a pixel type without its C++ type: the one table
// behind events, views, the layout calculator and the command line. PixelTypeList.h holds each
// pixel struct to its row.
struct PixelTypeInfo {
    PixelTypeId id = PixelTypeId::Unknown;
    std::string_view name;  // the C++ type's name, as views and reports show it
    int channels = 0;
    int bytesPerChannel = 0;

    constexpr int bytesPerPixel() const { return channels * bytesPerChannel; }
    // The name in lower case, as `poolscope layout --pixel` takes it.
    std::string optionName() const;
};

// In PixelTypeId order, which is the order the command line lists them in.
inline constexpr std::array<PixelTypeInfo, 6> kPixelTypes{{
    {PixelTypeId::Rgba32, "Rgba32", 4, 1},
    {PixelTypeId::Bgra32, "Bgra32", 4, 1},
    {PixelTypeId::Rgb24, "Rgb24", 3, 1},
    {PixelTypeId::L8, "L8", 1, 1},
    {PixelTypeId::L16, "L16", 1, 2},
    {PixelTypeId::RgbaVector, "RgbaVector", 4, 4},
}};

// The row of `id`; none for Unknown or a number no pixel type has (a newer recording's).
constexpr const PixelTypeInfo* findPixelType(PixelTypeId id) {
    for (const PixelTypeInfo& info : kPixelTypes) {
        if (info.id == id) {
            return &info;
        }
    }
    return nullptr;
}

// By name, ignoring case; none for an unknown name.
const PixelTypeInfo* findPixelType(std::string_view name);

constexpr std::string_view pixelTypeName(PixelTypeId id) {
    const PixelTypeInfo* info = findPixelType(id);
    return info != nullptr ? info->name : "unknown";
}

}  // namespace poolscope
