#include "imaging/ImageBufferEvents.h"

#include "diagnostics/EventStream.h"

namespace poolscope {

void publishImageBufferCreated(const std::vector<AllocationId>& allocationIds, int width,
                               int height, PixelTypeId pixelType, std::size_t bytesPerPixel,
                               std::uint16_t sourceId) {
    if (!EventStream::active()) {
        return;
    }
    for (const AllocationId id : allocationIds) {
        MemoryEvent event;
        event.kind = MemoryEventKind::ImageBufferCreated;
        event.allocationId = id;
        event.sourceId = sourceId;
        event.value = static_cast<std::uint64_t>(width);
        event.value2 = static_cast<std::uint64_t>(height);
        event.chunkIndex = static_cast<std::uint32_t>(pixelType);
        event.chunkCount = static_cast<std::uint32_t>(allocationIds.size());
        event.bytes =
            static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) * bytesPerPixel;
        EventStream::publish(event);
    }
}

}  // namespace poolscope
