#include "memory/GroupLayout.h"

namespace poolscope {

std::optional<GroupLayout> GroupLayout::compute(std::int64_t totalLength, std::int64_t alignment,
                                                std::int64_t capacityElements) {
    if (alignment <= 0 || alignment > capacityElements || totalLength < 0) {
        return std::nullopt;
    }
    GroupLayout layout;
    if (totalLength == 0) {
        return layout;
    }
    layout.bufferLength = (capacityElements / alignment) * alignment;
    if (totalLength < layout.bufferLength) {
        layout.bufferLength = totalLength;
    }
    layout.count = (totalLength + layout.bufferLength - 1) / layout.bufferLength;
    const std::int64_t remainder = totalLength % layout.bufferLength;
    layout.lastLength = remainder == 0 ? layout.bufferLength : remainder;
    return layout;
}

std::string GroupLayout::rowTooWideMessage(std::int64_t alignment, std::int64_t elementBytes,
                                           std::int64_t chunkBytes) {
    constexpr std::int64_t kMiB = 1024 * 1024;
    const std::string chunk =
        std::to_string(chunkBytes) + " bytes" +
        (chunkBytes % kMiB == 0 ? " (" + std::to_string(chunkBytes / kMiB) + " MiB)" : "");
    std::int64_t rowBytes = 0;
    const std::string row = __builtin_mul_overflow(alignment, elementBytes, &rowBytes)
                                ? std::string("more than 2^63")
                                : std::to_string(rowBytes);
    return "The buffer capacity of the provided MemoryAllocator is insufficient for the "
           "requested buffer alignment: " +
           std::to_string(alignment) + ". A row of " + std::to_string(alignment) + " x " +
           std::to_string(elementBytes) + " bytes = " + row +
           " bytes does not fit in one chunk of " + chunk + ", the most a row can take.";
}

}  // namespace poolscope
