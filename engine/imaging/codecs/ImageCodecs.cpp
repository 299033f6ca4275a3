#include "imaging/codecs/ImageCodecs.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "imaging/PixelTypeList.h"
#include "imaging/codecs/DecodeLimits.h"
#include "imaging/codecs/InvalidImageContent.h"
#include "imaging/codecs/PngCodec.h"

namespace poolscope {

namespace {

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

[[noreturn]] void throwIoError(const char* action, const std::filesystem::path& path, int error) {
    throw std::runtime_error(std::string("Cannot ") + action + " '" + path.string() +
                             "': " + std::strerror(error));
}

[[noreturn]] void throwUnknownFormat(std::string_view sourceName) {
    throw InvalidImageContent(
        DecodeLimits::corruptMessage(sourceName, "Unknown image format (neither PNG nor JPEG)"),
        std::string(sourceName));
}

}  // namespace

ImageFormat ImageCodecs::detectFormat(std::span<const std::uint8_t> bytes) {
    if (PngCodec::isPng(bytes)) {
        return ImageFormat::Png;
    }
    if (JpegCodec::isJpeg(bytes)) {
        return ImageFormat::Jpeg;
    }
    return ImageFormat::Unknown;
}

ImageFormat ImageCodecs::formatForPath(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".png") {
        return ImageFormat::Png;
    }
    if (extension == ".jpg" || extension == ".jpeg" || extension == ".jpe" ||
        extension == ".jfif") {
        return ImageFormat::Jpeg;
    }
    return ImageFormat::Unknown;
}

ImageInfo ImageCodecs::identify(std::span<const std::uint8_t> bytes, std::string_view sourceName) {
    switch (detectFormat(bytes)) {
        case ImageFormat::Png:
            return PngCodec::identify(bytes, sourceName);
        case ImageFormat::Jpeg:
            return JpegCodec::identify(bytes, sourceName);
        case ImageFormat::Unknown:
            break;
    }
    throwUnknownFormat(sourceName);
}

ImageInfo ImageCodecs::identifyFile(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> bytes = readFile(path);
    return identify(bytes, path.string());
}

template <class TPixel>
Image<TPixel> ImageCodecs::decode(std::span<const std::uint8_t> bytes,
                                  const Configuration& configuration, std::string_view sourceName) {
    switch (detectFormat(bytes)) {
        case ImageFormat::Png:
            return PngCodec::decode<TPixel>(bytes, configuration, sourceName);
        case ImageFormat::Jpeg:
            return JpegCodec::decode<TPixel>(bytes, configuration, sourceName);
        case ImageFormat::Unknown:
            break;
    }
    throwUnknownFormat(sourceName);
}

template <class TPixel>
Image<TPixel> ImageCodecs::load(const std::filesystem::path& path,
                                const Configuration& configuration) {
    const std::vector<std::uint8_t> bytes = readFile(path);
    return decode<TPixel>(bytes, configuration, path.string());
}

template <class TPixel>
std::vector<std::uint8_t> ImageCodecs::encode(const Image<TPixel>& image, ImageFormat format,
                                              int jpegQuality, ChannelLayout layout) {
    switch (format) {
        case ImageFormat::Png:
            return PngCodec::encode(image, layout);
        case ImageFormat::Jpeg:
            return JpegCodec::encode(image, jpegQuality, false, layout);
        case ImageFormat::Unknown:
            break;
    }
    throw std::invalid_argument("ImageCodecs::encode: no encoder for an unknown format.");
}

template <class TPixel>
void ImageCodecs::save(const Image<TPixel>& image, const std::filesystem::path& path,
                       int jpegQuality) {
    const ImageFormat format = formatForPath(path);
    if (format == ImageFormat::Unknown) {
        throw std::invalid_argument("Cannot save '" + path.string() +
                                    "': the extension names no supported format (.png, .jpg).");
    }
    writeFile(path, encode(image, format, jpegQuality));
}

std::vector<std::uint8_t> ImageCodecs::readFile(const std::filesystem::path& path) {
    FileHandle file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        throwIoError("open", path, errno);
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t block[64 * 1024];
    std::size_t count = 0;
    while ((count = std::fread(block, 1, sizeof block, file.get())) > 0) {
        bytes.insert(bytes.end(), block, block + count);
    }
    if (std::ferror(file.get())) {
        throwIoError("read", path, errno);
    }
    return bytes;
}

void ImageCodecs::writeFile(const std::filesystem::path& path,
                            std::span<const std::uint8_t> bytes) {
    FileHandle file(std::fopen(path.c_str(), "wb"));
    if (!file) {
        throwIoError("create", path, errno);
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) {
        throwIoError("write", path, errno);
    }
    // fclose flushes; a full disk may only show here.
    if (std::fclose(file.release()) != 0) {
        throwIoError("write", path, errno);
    }
}

#define POOLSCOPE_INSTANTIATE_IMAGE_CODECS(TPixel)                                              \
    template Image<TPixel> ImageCodecs::decode<TPixel>(std::span<const std::uint8_t>,           \
                                                       const Configuration&, std::string_view); \
    template Image<TPixel> ImageCodecs::load<TPixel>(const std::filesystem::path&,              \
                                                     const Configuration&);                     \
    template std::vector<std::uint8_t> ImageCodecs::encode<TPixel>(                             \
        const Image<TPixel>&, ImageFormat, int, ChannelLayout);                                 \
    template void ImageCodecs::save<TPixel>(const Image<TPixel>&, const std::filesystem::path&, \
                                            int);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_IMAGE_CODECS)
#undef POOLSCOPE_INSTANTIATE_IMAGE_CODECS

}  // namespace poolscope
