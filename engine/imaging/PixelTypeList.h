#pragma once

#include "imaging/Bgra32.h"
#include "imaging/L16.h"
#include "imaging/L8.h"
#include "imaging/Rgb24.h"
#include "imaging/Rgba32.h"
#include "imaging/RgbaVector.h"

// The pixel types the engine instantiates its templates for, once, in its .cpp files: X is
// applied to each type name.
#define POOLSCOPE_FOR_EACH_PIXEL_TYPE(X) X(Rgba32) X(Bgra32) X(Rgb24) X(L8) X(L16) X(RgbaVector)

namespace poolscope {

// Each pixel struct matches its row of the pixel type table, and the table has a row for each.
// The rows are read by index, not through findPixelType's pointer: GCC does not fold a
// dereferenced pointer into a constant when the undefined-behaviour sanitizer checks it.
constexpr bool pixelTypeMatchesItsRow(PixelTypeId id, std::string_view name, int channels,
                                      std::size_t componentBytes, std::size_t pixelBytes) {
    for (std::size_t row = 0; row < kPixelTypes.size(); ++row) {
        if (kPixelTypes[row].id == id) {
            return kPixelTypes[row].name == name && kPixelTypes[row].channels == channels &&
                   static_cast<std::size_t>(kPixelTypes[row].bytesPerChannel) == componentBytes &&
                   static_cast<std::size_t>(kPixelTypes[row].bytesPerPixel()) == pixelBytes;
        }
    }
    return false;
}
#define POOLSCOPE_PIXEL_TYPE_MATCHES_ITS_ROW(T) \
    static_assert(                              \
        pixelTypeMatchesItsRow(T::kTypeId, #T, T::kChannels, sizeof(T::Component), sizeof(T)));
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_PIXEL_TYPE_MATCHES_ITS_ROW)
#undef POOLSCOPE_PIXEL_TYPE_MATCHES_ITS_ROW
#define POOLSCOPE_COUNT_PIXEL_TYPE(T) +1
static_assert(kPixelTypes.size() == 0 POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_COUNT_PIXEL_TYPE));
#undef POOLSCOPE_COUNT_PIXEL_TYPE

// A pixel's channels as an array of Component (the filters work per channel, whatever their
// order). Every pixel type is a standard-layout struct of kChannels Components.
template <class TPixel>
typename TPixel::Component* componentsOf(TPixel* pixels) {
    static_assert(sizeof(TPixel) == sizeof(typename TPixel::Component) * TPixel::kChannels);
    return reinterpret_cast<typename TPixel::Component*>(pixels);
}

}  // namespace poolscope
