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

}  // namespace poolscope
