#include "imaging/Image.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace poolscope {

namespace {

std::string sizeText(int width, int height) {
    return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

template <class TPixel>
Image<TPixel>::Image(const Configuration& configuration, Buffer2D<TPixel> buffer)
    : configuration_(configuration), buffer_(std::move(buffer)) {}

template <class TPixel>
Image<TPixel>::Image(const Configuration& configuration, int width, int height)
    : configuration_(configuration) {
    configuration_.validate();
    buffer_ = Buffer2D<TPixel>::allocate(*configuration_.allocator, width, height,
                                         configuration_.preferContiguousImageBuffers,
                                         AllocationOptions::Clean);
}

template <class TPixel>
Image<TPixel>::Image(const Configuration& configuration, int width, int height,
                     const TPixel& background)
    : configuration_(configuration) {
    configuration_.validate();
    buffer_ = Buffer2D<TPixel>::allocate(*configuration_.allocator, width, height,
                                         configuration_.preferContiguousImageBuffers,
                                         AllocationOptions::None);
    for (const auto& chunk : buffer_.chunks()) {
        std::fill(chunk.pixels.begin(), chunk.pixels.end(), background);
    }
}

template <class TPixel>
Image<TPixel> Image<TPixel>::createUninitialized(const Configuration& configuration, int width,
                                                 int height) {
    configuration.validate();
    return Image(configuration,
                 Buffer2D<TPixel>::allocate(*configuration.allocator, width, height,
                                            configuration.preferContiguousImageBuffers,
                                            AllocationOptions::None));
}

template <class TPixel>
void Image<TPixel>::checkWrapArguments(int width, int height, std::int64_t availablePixels) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("Image dimensions must be positive, got " +
                                    sizeText(width, height) + ".");
    }
    const std::int64_t pixels = static_cast<std::int64_t>(width) * height;
    if (pixels > INT_MAX) {
        throw std::invalid_argument(std::string(kTooManyPixelsMessage) + ": " +
                                    sizeText(width, height) + " is " + std::to_string(pixels) +
                                    " pixels.");
    }
    if (availablePixels < pixels) {
        throw std::invalid_argument(std::string(kMemoryTooShortMessage) + ": " +
                                    std::to_string(availablePixels) + " pixels for " +
                                    sizeText(width, height) + ".");
    }
}

template <class TPixel>
Image<TPixel> Image<TPixel>::wrapMemory(const Configuration& configuration,
                                        std::span<TPixel> memory, int width, int height) {
    configuration.validate();
    if (memory.data() == nullptr && !memory.empty()) {
        throw std::invalid_argument(kNullPointerMessage);
    }
    checkWrapArguments(width, height, static_cast<std::int64_t>(memory.size()));
    return Image(configuration, Buffer2D<TPixel>::wrap(memory, width, height));
}

template <class TPixel>
Image<TPixel> Image<TPixel>::wrapMemory(const Configuration& configuration, MemoryOwner owner,
                                        int width, int height) {
    configuration.validate();
    const std::span<std::byte> bytes = owner.bytes();
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(TPixel) != 0) {
        throw std::invalid_argument("The owner's memory is not aligned for the pixel type.");
    }
    checkWrapArguments(width, height, static_cast<std::int64_t>(bytes.size() / sizeof(TPixel)));
    return Image(configuration, Buffer2D<TPixel>::wrap(std::move(owner), width, height));
}

template <class TPixel>
Image<TPixel> Image<TPixel>::wrapMemory(const Configuration& configuration, void* pointer,
                                        std::size_t bufferSizeInBytes, int width, int height) {
    configuration.validate();
    if (pointer == nullptr) {
        throw std::invalid_argument(kNullPointerMessage);
    }
    if (reinterpret_cast<std::uintptr_t>(pointer) % alignof(TPixel) != 0) {
        throw std::invalid_argument("The pointer is not aligned for the pixel type.");
    }
    const auto availablePixels = static_cast<std::int64_t>(
        std::min<std::size_t>(bufferSizeInBytes / sizeof(TPixel), INT64_MAX));
    if (width > 0 && height > 0 && static_cast<std::int64_t>(width) * height <= INT_MAX &&
        availablePixels < static_cast<std::int64_t>(width) * height) {
        // The reference raises ArgumentOutOfRange for a byte size that cannot hold the image.
        throw std::out_of_range(std::string(kMemoryTooShortMessage) + ": " +
                                std::to_string(bufferSizeInBytes) + " bytes for " +
                                sizeText(width, height) + " pixels of " +
                                std::to_string(sizeof(TPixel)) + " bytes.");
    }
    checkWrapArguments(width, height, availablePixels);
    std::span<TPixel> memory(static_cast<TPixel*>(pointer),
                             static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
    return Image(configuration, Buffer2D<TPixel>::wrap(memory, width, height));
}

template <class TPixel>
Image<TPixel> Image<TPixel>::clone(const Configuration& configuration) const {
    Image copy = createUninitialized(configuration, width(), height());
    const PixelAccessor<TPixel> from = buffer_.accessor();
    const PixelAccessor<TPixel> to = copy.buffer_.accessor();
    for (int y = 0; y < height(); ++y) {
        std::memcpy(static_cast<void*>(to.row(y)), from.row(y),
                    static_cast<std::size_t>(width()) * sizeof(TPixel));
    }
    return copy;
}

template class Image<Rgba32>;
template class Image<Bgra32>;
template class Image<Rgb24>;
template class Image<L8>;
template class Image<L16>;
template class Image<RgbaVector>;

}  // namespace poolscope
