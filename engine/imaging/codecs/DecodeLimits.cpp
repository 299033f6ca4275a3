#include "imaging/codecs/DecodeLimits.h"

#include <climits>
#include <cstdint>

#include "imaging/codecs/InvalidImageContent.h"

namespace poolscope {

std::string DecodeLimits::degenerateDimensionsMessage(std::int64_t width, std::int64_t height,
                                                      std::string_view sourceName,
                                                      std::string_view reason) {
    return std::string(kDegenerateDimensionsPrefix) + std::to_string(width) + "x" +
           std::to_string(height) + ". '" + std::string(sourceName) + "': " + std::string(reason);
}

void DecodeLimits::checkDimensions(const Configuration& configuration, std::int64_t width,
                                   std::int64_t height, std::size_t bytesPerPixel,
                                   std::string_view sourceName) {
    configuration.validate();
    const auto refuse = [&](const std::string& reason) {
        throw InvalidImageContent(degenerateDimensionsMessage(width, height, sourceName, reason),
                                  std::string(sourceName));
    };
    if (width <= 0 || height <= 0 || width > INT_MAX || height > INT_MAX) {
        refuse("each side must be between 1 and " + std::to_string(INT_MAX) + " pixels.");
    }
    // Both factors are below 2^31, so the pixel count and, with at most 64 bytes a pixel, the
    // byte count fit in 64 bits.
    const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    if (pixels > static_cast<std::uint64_t>(configuration.maxDecodePixels)) {
        refuse(std::to_string(pixels) + " pixels exceed the decode limit of " +
               std::to_string(configuration.maxDecodePixels) +
               " pixels (Configuration::maxDecodePixels).");
    }
    const MemoryAllocator& allocator = *configuration.allocator;
    const bool contiguous = configuration.preferContiguousImageBuffers;
    const std::int64_t limit = contiguous ? allocator.singleBufferAllocationLimitBytes()
                                          : allocator.groupAllocationLimitBytes();
    const std::uint64_t bytes = pixels * bytesPerPixel;
    if (bytes > static_cast<std::uint64_t>(limit)) {
        refuse("decoding needs " + std::to_string(bytes) + " bytes; the allocator's " +
               (contiguous ? "single-buffer" : "group") + " limit is " + std::to_string(limit) +
               " bytes.");
    }
}

std::string DecodeLimits::outOfMemoryReason(std::uint64_t bytes) {
    return "the system could not provide " + std::to_string(bytes) + " bytes.";
}

std::string DecodeLimits::corruptMessage(std::string_view sourceName, std::string_view reason) {
    return "Cannot decode image '" + std::string(sourceName) + "': " + std::string(reason);
}

}  // namespace poolscope
