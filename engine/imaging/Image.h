#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "imaging/Buffer2D.h"
#include "imaging/Configuration.h"
#include "imaging/MemoryGroupView.h"
#include "imaging/PixelAccessor.h"
#include "imaging/PixelConverter.h"
#include "memory/MemoryOwner.h"
#include "memory/MemoryPin.h"

namespace poolscope {

// An image of TPixel over a Buffer2D (ImageSharp's Image<TPixel> with one frame). Move-only;
// destruction disposes; dispose() any number of times; access after dispose raises
// InvalidMemoryOperation. Processors (Resize.h, Convolution.h, Transforms.h, ColorAdjustments.h)
// change it in place.
template <class TPixel>
class Image {
public:
    // The reference's argument messages; the thrown text starts with them and adds the numbers.
    static constexpr const char* kMemoryTooShortMessage =
        "The length of the input memory is less than the specified image size";
    static constexpr const char* kNullPointerMessage = "Pointer must be not null";
    static constexpr const char* kTooManyPixelsMessage =
        "Total amount of pixels exceeds int.MaxValue";

    Image() = default;
    // Cleared to zero (transparent black).
    Image(const Configuration& configuration, int width, int height);
    Image(const Configuration& configuration, int width, int height, const TPixel& background);
    Image(int width, int height) : Image(Configuration::defaultInstance(), width, height) {}
    // Memory as the allocator hands it out; for decoders that write every pixel.
    static Image createUninitialized(const Configuration& configuration, int width, int height);
    // Takes a buffer made by a processor or decoder.
    Image(const Configuration& configuration, Buffer2D<TPixel> buffer);

    // Non-owning: the caller keeps the memory alive while the image lives, and frees it after.
    static Image wrapMemory(const Configuration& configuration, std::span<TPixel> memory, int width,
                            int height);
    // Owning: the image takes the owner and disposes it with itself, also when a check fails.
    static Image wrapMemory(const Configuration& configuration, MemoryOwner owner, int width,
                            int height);
    // Non-owning, from a pointer and its size in bytes; the pointer must suit TPixel's alignment.
    static Image wrapMemory(const Configuration& configuration, void* pointer,
                            std::size_t bufferSizeInBytes, int width, int height);

    Image(Image&&) noexcept = default;
    Image& operator=(Image&&) noexcept = default;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;
    ~Image() = default;

    int width() const { return buffer_.width(); }
    int height() const { return buffer_.height(); }
    const Configuration& configuration() const { return configuration_; }
    bool isDisposed() const { return buffer_.isDisposed(); }
    void dispose() { buffer_.dispose(); }

    TPixel pixel(int x, int y) const { return buffer_.at(x, y); }
    void setPixel(int x, int y, const TPixel& value) { buffer_.at(x, y) = value; }

    // Runs `rows(PixelAccessor<TPixel>&)` with the memory pinned: even if the image is disposed
    // meanwhile, the rows stay valid until it returns.
    template <class RowOperation>
    void processPixelRows(RowOperation&& rows) {
        MemoryPin pin = buffer_.pin();
        PixelAccessor<TPixel> accessor = buffer_.accessor();
        std::forward<RowOperation>(rows)(accessor);
    }

    // True, with the view, when the pixels are one buffer, row-major and tightly packed:
    // pixel (x, y) at y * width + x. The view does not keep the memory alive; use pin() for
    // that. It is invalidated by dispose and by processors that swap the buffer.
    bool dangerousTryGetSinglePixelMemory(MemoryGroupView<TPixel>& memory) const {
        return buffer_.tryGetSingleMemory(memory);
    }
    MemoryPin pin() const { return buffer_.pin(); }

    Image clone() const { return clone(configuration_); }
    Image clone(const Configuration& configuration) const;
    template <class TOther>
    Image<TOther> cloneAs() const {
        Image<TOther> copy = Image<TOther>::createUninitialized(configuration_, width(), height());
        const PixelAccessor<TPixel> from = buffer_.accessor();
        const PixelAccessor<TOther> to = copy.pixelBuffer().accessor();
        for (int y = 0; y < height(); ++y) {
            PixelConverter::convertRow<TOther, TPixel>(from.getRowSpan(y), to.getRowSpan(y));
        }
        return copy;
    }

    Buffer2D<TPixel>& pixelBuffer() { return buffer_; }
    const Buffer2D<TPixel>& pixelBuffer() const { return buffer_; }

private:
    static void checkWrapArguments(int width, int height, std::int64_t availablePixels);

    Configuration configuration_;
    Buffer2D<TPixel> buffer_;
};

extern template class Image<Rgba32>;
extern template class Image<Bgra32>;
extern template class Image<Rgb24>;
extern template class Image<L8>;
extern template class Image<L16>;
extern template class Image<RgbaVector>;

}  // namespace poolscope
