#include "imaging/codecs/DecodeLimits.h"

#include <climits>
#include <cstdint>

#include "imaging/codecs/InvalidImageContent.h"

namespace poolscope {

std::string DecodeLimits::degenerateDimensionsMessage(std::int64_t width, std::int64_t height) {
    return std::string(kDegenerateDimensionsPrefix) + std::to_string(width) + "x" +
           std::to_string(height) + ".";
}

void DecodeLimits::checkDimensions(const Configuration& configuration, std::int64_t width,
                                   std::int64_t height, std::size_t bytesPerPixel,
                                   std::string_view sourceName) {
    configuration.validate();
    const MemoryAllocator& allocator = *configuration.allocator;
    const std::int64_t limit = configuration.preferContiguousImageBuffers
                                   ? allocator.singleBufferAllocationLimitBytes()
                                   : allocator.groupAllocationLimitBytes();
    bool acceptable = width > 0 && height > 0 && width <= INT_MAX && height <= INT_MAX;
    if (acceptable) {
        // Both factors are below 2^31, so the pixel count fits in 64 bits; dividing the limit
        // instead of multiplying the count keeps the byte comparison overflow-free.
        const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
        acceptable = pixels <= static_cast<std::uint64_t>(limit) / bytesPerPixel;
    }
    if (!acceptable) {
        throw InvalidImageContent(degenerateDimensionsMessage(width, height),
                                  std::string(sourceName));
    }
}

std::string DecodeLimits::corruptMessage(std::string_view sourceName, std::string_view reason) {
    return "Cannot decode image '" + std::string(sourceName) + "': " + std::string(reason);
}

}  // namespace poolscope
