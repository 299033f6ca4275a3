#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "TestAllocators.h"
#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope::testing {

// Pool chunks of 256 bytes (64 Rgba32 pixels) and unpooled chunks of 4 KiB: a 37-pixel-wide
// Rgba32 image gets one row per chunk, so every processor crosses chunk boundaries constantly.
inline Configuration tinyChunkConfiguration(int threads) {
    Configuration configuration;
    configuration.allocator =
        std::make_shared<PooledMemoryAllocator>(tinySettings(64, 256, 4096, 4096));
    configuration.maxDegreeOfParallelism = threads;
    return configuration;
}

// Every image one buffer.
inline Configuration contiguousConfiguration(int threads) {
    Configuration configuration;
    configuration.allocator =
        std::make_shared<PooledMemoryAllocator>(tinySettings(64, 256, 4096, 4096));
    configuration.preferContiguousImageBuffers = true;
    configuration.maxDegreeOfParallelism = threads;
    return configuration;
}

template <class TPixel>
Image<TPixel> randomImage(const Configuration& configuration, int width, int height,
                          std::uint32_t seed) {
    Image<TPixel> image = Image<TPixel>::createUninitialized(configuration, width, height);
    std::mt19937 random(seed);
    image.processPixelRows([&](PixelAccessor<TPixel>& rows) {
        for (int y = 0; y < rows.height(); ++y) {
            for (TPixel& pixel : rows.getRowSpan(y)) {
                Rgba32 color{
                    static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random()),
                    static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random())};
                pixel = PixelConverter::convert<TPixel>(color);
            }
        }
    });
    return image;
}

// The image's pixels, row by row, as bytes: compares layouts that differ in chunking.
template <class TPixel>
std::vector<std::uint8_t> pixelBytes(Image<TPixel>& image) {
    std::vector<std::uint8_t> bytes;
    image.processPixelRows([&](PixelAccessor<TPixel>& rows) {
        for (int y = 0; y < rows.height(); ++y) {
            const auto row = rows.getRowSpan(y);
            const auto* begin = reinterpret_cast<const std::uint8_t*>(row.data());
            bytes.insert(bytes.end(), begin, begin + row.size_bytes());
        }
    });
    return bytes;
}

// An L8 image from row-major values.
inline Image<L8> grayImage(const Configuration& configuration, int width, int height,
                           const std::vector<int>& values) {
    Image<L8> image(configuration, width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.setPixel(
                x, y,
                L8{static_cast<std::uint8_t>(values[static_cast<std::size_t>(y * width + x)])});
        }
    }
    return image;
}

inline std::vector<int> grayValues(const Image<L8>& image) {
    std::vector<int> values;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            values.push_back(image.pixel(x, y).value);
        }
    }
    return values;
}

}  // namespace poolscope::testing
