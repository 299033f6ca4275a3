#include "memory/LayoutCalculator.h"

#include <stdexcept>
#include <string>

#include "memory/GroupLayout.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/MemoryAllocator.h"
#include "memory/PooledMemoryAllocator.h"
#include "memory/SystemMemory.h"

namespace poolscope {

namespace {

// MemoryAllocator's checks, with its messages word for word (LayoutCalculatorTest holds them
// against the allocator's own), made before anything is sized.
std::int64_t checkedByteCount(std::int64_t length, std::int64_t elementSize, std::int64_t limit) {
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(length),
                               static_cast<std::uint64_t>(elementSize), &bytes)) {
        throw InvalidMemoryOperation(
            "Attempted to allocate a buffer of length=" + std::to_string(length) + " elements of " +
            std::to_string(elementSize) +
            " bytes, which overflows 64-bit size arithmetic; the limit is " +
            std::to_string(limit) + ".");
    }
    if (bytes > static_cast<std::uint64_t>(limit)) {
        throw InvalidMemoryOperation(
            "Attempted to allocate a buffer of length=" + std::to_string(bytes) +
            " that exceeded the limit " + std::to_string(limit) + ".");
    }
    return static_cast<std::int64_t>(bytes);
}

ImageLayout oneChunk(std::int64_t width, std::int64_t pixels, int bytesPerPixel, MemoryTier tier) {
    ImageLayout layout;
    layout.tier = tier;
    layout.pooled = tier == MemoryTier::Small || tier == MemoryTier::Pooled;
    layout.chunks.push_back({pixels / width, pixels, pixels * bytesPerPixel});
    return layout;
}

ImageLayout fromGroupLayout(const GroupLayout& group, std::int64_t width, int bytesPerPixel,
                            MemoryTier tier) {
    ImageLayout layout;
    layout.tier = tier;
    layout.pooled = tier == MemoryTier::Pooled;
    for (std::int64_t i = 0; i < group.count; ++i) {
        const std::int64_t elements = i + 1 == group.count ? group.lastLength : group.bufferLength;
        layout.chunks.push_back({elements / width, elements, elements * bytesPerPixel});
    }
    return layout;
}

}  // namespace

ImageLayout LayoutCalculator::calculate(const ImageLayoutRequest& request) {
    if (request.width <= 0 || request.height <= 0) {
        throw std::invalid_argument("width and height must be positive, not " +
                                    std::to_string(request.width) + "x" +
                                    std::to_string(request.height));
    }
    if (request.bytesPerPixel <= 0) {
        throw std::invalid_argument("the pixel size must be positive, not " +
                                    std::to_string(request.bytesPerPixel));
    }
    if (request.maximumPoolSizeMegabytes && *request.maximumPoolSizeMegabytes < 0) {
        throw std::invalid_argument("the maximum pool size must be >= 0 MiB, not " +
                                    std::to_string(*request.maximumPoolSizeMegabytes));
    }
    // The thresholds of the default allocator are those of a default-made one.
    const PooledMemoryAllocator::Settings tiers;
    const std::int64_t poolBytes =
        request.maximumPoolSizeMegabytes
            ? *request.maximumPoolSizeMegabytes * MemoryAllocator::kMegabyte
            : static_cast<std::int64_t>(SystemMemory::defaultMaximumPoolSizeBytes());
    const std::int64_t capacityChunks = poolBytes / tiers.poolChunkBytes;
    const std::int64_t width = request.width;
    const int pixelBytes = request.bytesPerPixel;

    std::int64_t pixels = 0;
    if (__builtin_mul_overflow(request.width, request.height, &pixels)) {
        throw InvalidMemoryOperation(
            "Attempted to allocate an image of " + std::to_string(request.width) + "x" +
            std::to_string(request.height) + " pixels, which overflows 64-bit size arithmetic.");
    }

    ImageLayout layout;
    if (request.preferContiguous) {
        // allocate(): one buffer, under the single-buffer limit.
        const std::int64_t bytes =
            checkedByteCount(pixels, pixelBytes, MemoryAllocator::kDefaultSingleBufferLimitBytes);
        if (bytes <= tiers.smallBufferThresholdBytes) {
            layout = oneChunk(width, pixels, pixelBytes, MemoryTier::Small);
        } else if (bytes <= tiers.poolChunkBytes && capacityChunks >= 1) {
            layout = oneChunk(width, pixels, pixelBytes, MemoryTier::Pooled);
        } else {
            layout = oneChunk(width, pixels, pixelBytes, MemoryTier::Unpooled);
        }
    } else {
        // allocateGroup(): row-aligned chunks, under the group limit.
        const std::int64_t bytes =
            checkedByteCount(pixels, pixelBytes, MemoryAllocator::kDefaultGroupLimitBytes);
        const std::optional<GroupLayout> pooledGroup =
            GroupLayout::compute(pixels, width, tiers.poolChunkBytes / pixelBytes);
        if (bytes <= tiers.smallBufferThresholdBytes) {
            layout = oneChunk(width, pixels, pixelBytes, MemoryTier::Small);
        } else if (bytes <= tiers.poolChunkBytes && capacityChunks >= 1) {
            layout = oneChunk(width, pixels, pixelBytes, MemoryTier::Pooled);
        } else if (pooledGroup && pooledGroup->count <= capacityChunks) {
            layout = fromGroupLayout(*pooledGroup, width, pixelBytes, MemoryTier::Pooled);
        } else {
            const std::optional<GroupLayout> unpooledGroup =
                GroupLayout::compute(pixels, width, tiers.unpooledChunkBytes / pixelBytes);
            if (!unpooledGroup) {
                throw InvalidMemoryOperation(
                    GroupLayout::rowTooWideMessage(width, pixelBytes, tiers.unpooledChunkBytes));
            }
            layout = fromGroupLayout(*unpooledGroup, width, pixelBytes, MemoryTier::Unpooled);
        }
    }
    layout.contiguous = layout.chunks.size() == 1;
    layout.singlePixelMemory = layout.contiguous;
    return layout;
}

}  // namespace poolscope
