#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "imaging/Configuration.h"
#include "imaging/Image.h"
#include "imaging/codecs/ImageInfo.h"
#include "imaging/codecs/JpegCodec.h"

namespace poolscope {

// The format-neutral front door: picks PNG or JPEG by the file's signature when decoding and by
// the path's extension when saving. Decode errors are InvalidImageContent naming sourceName (the
// path, for the file functions); I/O errors are std::runtime_error naming the path and the
// system's reason.
class ImageCodecs {
public:
    static ImageFormat detectFormat(std::span<const std::uint8_t> bytes);
    // By extension, case-insensitive: .png; .jpg, .jpeg, .jpe, .jfif. Unknown otherwise.
    static ImageFormat formatForPath(const std::filesystem::path& path);

    // Dimensions and format from the header; no pixel memory is allocated.
    static ImageInfo identify(std::span<const std::uint8_t> bytes, std::string_view sourceName);
    static ImageInfo identifyFile(const std::filesystem::path& path);

    template <class TPixel>
    static Image<TPixel> decode(std::span<const std::uint8_t> bytes,
                                const Configuration& configuration, std::string_view sourceName);
    template <class TPixel>
    static Image<TPixel> load(
        const std::filesystem::path& path,
        const Configuration& configuration = Configuration::defaultInstance());

    // Throws std::invalid_argument for ImageFormat::Unknown. `layout` (the source's, from
    // identify) is how the file stores its pixels; the default is the pixel type's own.
    template <class TPixel>
    static std::vector<std::uint8_t> encode(const Image<TPixel>& image, ImageFormat format,
                                            int jpegQuality = JpegCodec::kDefaultQuality,
                                            ChannelLayout layout = {});
    // Throws std::invalid_argument for an extension that names no supported format.
    template <class TPixel>
    static void save(const Image<TPixel>& image, const std::filesystem::path& path,
                     int jpegQuality = JpegCodec::kDefaultQuality);

    static std::vector<std::uint8_t> readFile(const std::filesystem::path& path);
    static void writeFile(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
};

}  // namespace poolscope
