#include "imaging/ColorAdjustments.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "imaging/ParallelRowIterator.h"
#include "imaging/PixelTypeList.h"

namespace poolscope {

namespace {

template <class TPixel>
constexpr bool kIsGray = std::is_same_v<TPixel, L8> || std::is_same_v<TPixel, L16>;

// Calls operation(firstRow, endRow, rows) row-parallel over the whole image.
template <class TPixel, class Operation>
void forEachRow(Image<TPixel>& image, Operation operation) {
    if (image.isDisposed()) {
        throw InvalidMemoryOperation("Cannot process a disposed image.");
    }
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    const int width = image.width();
    ParallelRowIterator::forEachRowRange(image.configuration(), image.height(), width,
                                         [&](int first, int end) {
                                             for (int y = first; y < end; ++y) {
                                                 TPixel* row = rows.row(y);
                                                 for (int x = 0; x < width; ++x) {
                                                     operation(row[x]);
                                                 }
                                             }
                                         });
}

float adjust(float unit, float brightness, float contrast) {
    return std::clamp((unit * brightness - 0.5f) * contrast + 0.5f, 0.0f, 1.0f);
}

}  // namespace

template <class TPixel>
void grayscale(Image<TPixel>& image) {
    if constexpr (kIsGray<TPixel>) {
        if (image.isDisposed()) {
            throw InvalidMemoryOperation("Cannot process a disposed image.");
        }
    } else {
        forEachRow(image, [](TPixel& pixel) {
            const auto luminance = ColorMath::luminance709(pixel.r, pixel.g, pixel.b);
            pixel.r = luminance;
            pixel.g = luminance;
            pixel.b = luminance;
        });
    }
}

template <class TPixel>
void adjustBrightnessContrast(Image<TPixel>& image, float brightness, float contrast) {
    if (!(brightness >= 0.0f) || !(contrast >= 0.0f) || !std::isfinite(brightness) ||
        !std::isfinite(contrast)) {
        throw std::invalid_argument(
            "adjustBrightnessContrast: amounts must be finite and >= 0, got " +
            std::to_string(brightness) + " and " + std::to_string(contrast) + ".");
    }
    using Component = typename TPixel::Component;
    if constexpr (std::is_same_v<Component, float>) {
        forEachRow(image, [&](TPixel& pixel) {
            pixel.r = adjust(pixel.r, brightness, contrast);
            pixel.g = adjust(pixel.g, brightness, contrast);
            pixel.b = adjust(pixel.b, brightness, contrast);
        });
    } else {
        // Integer channels: a lookup table over every channel value, built once.
        constexpr std::uint32_t kMax = static_cast<Component>(~Component(0));
        std::vector<Component> table(kMax + 1);
        for (std::uint32_t v = 0; v <= kMax; ++v) {
            const float unit = static_cast<float>(v) / static_cast<float>(kMax);
            table[v] = static_cast<Component>(adjust(unit, brightness, contrast) * kMax + 0.5f);
        }
        if constexpr (kIsGray<TPixel>) {
            forEachRow(image, [&](TPixel& pixel) { pixel.value = table[pixel.value]; });
        } else {
            forEachRow(image, [&](TPixel& pixel) {
                pixel.r = table[pixel.r];
                pixel.g = table[pixel.g];
                pixel.b = table[pixel.b];
            });
        }
    }
}

#define POOLSCOPE_INSTANTIATE_COLOR(T)     \
    template void grayscale<T>(Image<T>&); \
    template void adjustBrightnessContrast<T>(Image<T>&, float, float);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_COLOR)

}  // namespace poolscope
