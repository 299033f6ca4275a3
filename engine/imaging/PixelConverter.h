#pragma once

#include <algorithm>
#include <span>
#include <stdexcept>
#include <type_traits>

#include "imaging/Bgra32.h"
#include "imaging/L16.h"
#include "imaging/L8.h"
#include "imaging/Rgb24.h"
#include "imaging/Rgba32.h"
#include "imaging/RgbaVector.h"

namespace poolscope {

// Converts between pixel types by the most exact route: floats go through RgbaVector, 16-bit
// luminance through its own integer scaling, everything else through Rgba32 (lossless between
// the 8-bit types apart from dropped channels).
struct PixelConverter {
    template <class To, class From>
    static To convert(const From& pixel) {
        if constexpr (std::is_same_v<To, From>) {
            return pixel;
        } else if constexpr (std::is_same_v<To, RgbaVector>) {
            return pixel.toVector();
        } else if constexpr (std::is_same_v<From, RgbaVector>) {
            return To::fromVector(pixel);
        } else if constexpr (std::is_same_v<To, L16> && std::is_same_v<From, L8>) {
            return L16{ColorMath::upscale8To16(pixel.value)};
        } else {
            return To::fromRgba32(pixel.toRgba32());
        }
    }

    template <class To, class From>
    static void convertRow(std::span<const From> source, std::span<To> destination) {
        if (destination.size() < source.size()) {
            throw std::invalid_argument(
                "PixelConverter::convertRow: destination is shorter than source.");
        }
        std::transform(source.begin(), source.end(), destination.begin(),
                       [](const From& pixel) { return convert<To>(pixel); });
    }
};

}  // namespace poolscope
