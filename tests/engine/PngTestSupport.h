#pragma once

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

namespace poolscope::testing {

// A PNG as libpng stores it, for the layouts our encoder never writes: samples are given one
// per pixel and channel, packed and byte-swapped by libpng itself.
struct RawPng {
    int width = 0;
    int height = 0;
    int colorType = PNG_COLOR_TYPE_RGB;
    int bitDepth = 8;
    bool interlaced = false;
    std::vector<png_color> palette;
    std::vector<png_byte> paletteAlpha;  // tRNS for palette images
    std::vector<std::uint16_t> samples;  // width * height * channels, each < 2^bitDepth
};

inline int channelsOf(int colorType) {
    switch (colorType) {
        case PNG_COLOR_TYPE_GRAY:
        case PNG_COLOR_TYPE_PALETTE:
            return 1;
        case PNG_COLOR_TYPE_GRAY_ALPHA:
            return 2;
        case PNG_COLOR_TYPE_RGB:
            return 3;
        default:
            return 4;
    }
}

// The rows in PNG byte order (big-endian, sub-byte samples packed from the high bits).
inline std::vector<std::vector<png_byte>> packRows(const RawPng& spec) {
    const int channels = channelsOf(spec.colorType);
    std::vector<std::vector<png_byte>> rows(static_cast<std::size_t>(spec.height));
    for (int y = 0; y < spec.height; ++y) {
        const std::size_t samplesPerRow = static_cast<std::size_t>(spec.width * channels);
        const std::size_t rowBytes = (samplesPerRow * spec.bitDepth + 7) / 8;
        std::vector<png_byte>& row = rows[static_cast<std::size_t>(y)];
        row.assign(rowBytes, 0);
        for (std::size_t i = 0; i < samplesPerRow; ++i) {
            const std::uint16_t sample = spec.samples[y * samplesPerRow + i];
            if (spec.bitDepth == 16) {
                row[2 * i] = static_cast<png_byte>(sample >> 8);
                row[2 * i + 1] = static_cast<png_byte>(sample & 0xff);
            } else if (spec.bitDepth == 8) {
                row[i] = static_cast<png_byte>(sample);
            } else {
                const std::size_t bit = i * spec.bitDepth;
                const int shift = 8 - spec.bitDepth - static_cast<int>(bit % 8);
                row[bit / 8] = static_cast<png_byte>(row[bit / 8] | (sample << shift));
            }
        }
    }
    return rows;
}

inline void appendOutput(png_structp png, png_bytep data, std::size_t length) {
    auto* output = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    output->insert(output->end(), data, data + length);
}

inline void flushNothing(png_structp) {}

// libpng longjmps on error; this frame owns nothing with a destructor, the caller owns the rest.
inline bool writeWithLibpng(const RawPng* spec, png_bytepp rows,
                            std::vector<std::uint8_t>* output) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, output, appendOutput, flushNothing);
    png_set_IHDR(png, info, static_cast<png_uint_32>(spec->width),
                 static_cast<png_uint_32>(spec->height), spec->bitDepth, spec->colorType,
                 spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!spec->palette.empty()) {
        png_set_PLTE(png, info, spec->palette.data(), static_cast<int>(spec->palette.size()));
    }
    if (!spec->paletteAlpha.empty()) {
        png_set_tRNS(png, info, spec->paletteAlpha.data(),
                     static_cast<int>(spec->paletteAlpha.size()), nullptr);
    }
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

inline std::vector<std::uint8_t> encodeWithLibpng(const RawPng& spec) {
    std::vector<std::vector<png_byte>> rows = packRows(spec);
    std::vector<png_bytep> rowPointers;
    for (auto& row : rows) {
        rowPointers.push_back(row.data());
    }
    std::vector<std::uint8_t> output;
    if (!writeWithLibpng(&spec, rowPointers.data(), &output)) {
        throw std::runtime_error("libpng could not write the test image");
    }
    return output;
}

inline RawPng noisePng(int colorType, int bitDepth, bool interlaced, std::uint32_t seed) {
    RawPng spec;
    spec.width = 37;
    spec.height = 23;
    spec.colorType = colorType;
    spec.bitDepth = bitDepth;
    spec.interlaced = interlaced;
    std::mt19937 random(seed);
    const std::uint32_t sampleLimit = colorType == PNG_COLOR_TYPE_PALETTE
                                          ? (1u << bitDepth)
                                          : (bitDepth == 16 ? 65536u : (1u << bitDepth));
    if (colorType == PNG_COLOR_TYPE_PALETTE) {
        for (std::uint32_t i = 0; i < sampleLimit; ++i) {
            spec.palette.push_back({static_cast<png_byte>(random()),
                                    static_cast<png_byte>(random()),
                                    static_cast<png_byte>(random())});
            spec.paletteAlpha.push_back(static_cast<png_byte>(random()));
        }
    }
    const std::size_t count =
        static_cast<std::size_t>(spec.width * spec.height * channelsOf(colorType));
    for (std::size_t i = 0; i < count; ++i) {
        spec.samples.push_back(static_cast<std::uint16_t>(random() % sampleLimit));
    }
    return spec;
}

// What the IHDR of an encoded PNG says, read by libpng itself.
struct PngHeaderFields {
    int colorType = -1;
    int bitDepth = 0;
};

inline void readInput(png_structp png, png_bytep out, std::size_t length) {
    auto* input = static_cast<std::pair<const std::uint8_t*, std::size_t>*>(png_get_io_ptr(png));
    if (input->second < length) {
        png_error(png, "read past the end");
    }
    std::copy(input->first, input->first + length, out);
    input->first += length;
    input->second -= length;
}

// libpng longjmps on error; this frame owns nothing with a destructor.
inline bool readHeaderWithLibpng(const std::vector<std::uint8_t>* bytes, PngHeaderFields* fields) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    std::pair<const std::uint8_t*, std::size_t> input(bytes->data(), bytes->size());
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        return false;
    }
    png_set_read_fn(png, &input, readInput);
    png_read_info(png, info);
    fields->colorType = png_get_color_type(png, info);
    fields->bitDepth = png_get_bit_depth(png, info);
    png_destroy_read_struct(&png, &info, nullptr);
    return true;
}

inline PngHeaderFields pngHeaderFields(const std::vector<std::uint8_t>& bytes) {
    PngHeaderFields fields;
    if (!readHeaderWithLibpng(&bytes, &fields)) {
        throw std::runtime_error("libpng could not read the header");
    }
    return fields;
}

}  // namespace poolscope::testing
