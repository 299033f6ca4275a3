#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "imaging/PixelTypeId.h"

namespace poolscope {

// Tells event subscribers that these allocations hold the pixels of one width x height image
// of this pixel type (one ImageBufferCreated event per allocation), so that leak tables and
// layout views can say which image a buffer is. The events carry the allocator that made the
// buffer (sourceId), so that whoever keeps one allocator's events, as a run's recording does,
// keeps them too. Costs nothing without subscribers.
void publishImageBufferCreated(const std::vector<AllocationId>& allocationIds, int width,
                               int height, PixelTypeId pixelType, std::size_t bytesPerPixel,
                               std::uint16_t sourceId);

}  // namespace poolscope
