#include "imaging/Transforms.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "imaging/ParallelRowIterator.h"
#include "imaging/PixelTypeList.h"

namespace poolscope {

namespace {

template <class TPixel>
void throwIfDisposed(const Image<TPixel>& image) {
    if (image.isDisposed()) {
        throw InvalidMemoryOperation("Cannot process a disposed image.");
    }
}

// A new buffer for a result of width x height, refused up front when the image is wrapped
// memory that could not take it (so nothing is computed in vain).
template <class TPixel>
Buffer2D<TPixel> allocateResult(const Image<TPixel>& image, int width, int height,
                                AllocationOptions options) {
    if (!image.pixelBuffer().isSwappable() &&
        static_cast<std::int64_t>(width) * height != image.pixelBuffer().totalLength()) {
        throw InvalidMemoryOperation(Buffer2D<TPixel>::kIncompatibleBuffersMessage);
    }
    const Configuration& configuration = image.configuration();
    return Buffer2D<TPixel>::allocate(*configuration.allocator, width, height,
                                      configuration.preferContiguousImageBuffers, options);
}

template <class TPixel>
void flipVertical(Image<TPixel>& image) {
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    const int height = image.height();
    const int width = image.width();
    ParallelRowIterator::forEachRowRange(
        image.configuration(), height / 2, width, [&](int first, int end) {
            for (int y = first; y < end; ++y) {
                std::swap_ranges(rows.row(y), rows.row(y) + width, rows.row(height - 1 - y));
            }
        });
}

template <class TPixel>
void flipHorizontal(Image<TPixel>& image) {
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    const int width = image.width();
    ParallelRowIterator::forEachRowRange(image.configuration(), image.height(), width,
                                         [&](int first, int end) {
                                             for (int y = first; y < end; ++y) {
                                                 std::reverse(rows.row(y), rows.row(y) + width);
                                             }
                                         });
}

// Rotate 180 is both flips: swap each top row with its mirror bottom row, reversed.
template <class TPixel>
void rotate180(Image<TPixel>& image) {
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    const int height = image.height();
    const int width = image.width();
    ParallelRowIterator::forEachRowRange(image.configuration(), (height + 1) / 2, width,
                                         [&](int first, int end) {
                                             for (int y = first; y < end; ++y) {
                                                 TPixel* top = rows.row(y);
                                                 TPixel* bottom = rows.row(height - 1 - y);
                                                 if (top == bottom) {
                                                     std::reverse(top, top + width);
                                                     continue;
                                                 }
                                                 for (int x = 0; x < width; ++x) {
                                                     std::swap(top[x], bottom[width - 1 - x]);
                                                 }
                                             }
                                         });
}

template <class TPixel>
void rotateQuarter(Image<TPixel>& image, bool clockwise) {
    const int sourceWidth = image.width();
    const int sourceHeight = image.height();
    Buffer2D<TPixel> target =
        allocateResult(image, sourceHeight, sourceWidth, AllocationOptions::None);
    const PixelAccessor<TPixel> source = image.pixelBuffer().accessor();
    const PixelAccessor<TPixel> destination = target.accessor();
    std::vector<const TPixel*> sourceRows(static_cast<std::size_t>(sourceHeight));
    for (int y = 0; y < sourceHeight; ++y) {
        sourceRows[static_cast<std::size_t>(y)] = source.row(y);
    }
    // Output row y is source column y (clockwise: read bottom to top; counter-clockwise: column
    // width - 1 - y, read top to bottom).
    ParallelRowIterator::forEachRowRange(
        image.configuration(), sourceWidth, sourceHeight, [&](int first, int end) {
            for (int y = first; y < end; ++y) {
                TPixel* out = destination.row(y);
                if (clockwise) {
                    for (int x = 0; x < sourceHeight; ++x) {
                        out[x] = sourceRows[static_cast<std::size_t>(sourceHeight - 1 - x)][y];
                    }
                } else {
                    const int column = sourceWidth - 1 - y;
                    for (int x = 0; x < sourceHeight; ++x) {
                        out[x] = sourceRows[static_cast<std::size_t>(x)][column];
                    }
                }
            }
        });
    Buffer2D<TPixel>::swapOrCopyContent(image.pixelBuffer(), target);
}

}  // namespace

template <class TPixel>
void crop(Image<TPixel>& image, const PixelRect& rectangle) {
    throwIfDisposed(image);
    if (rectangle.width <= 0 || rectangle.height <= 0 || rectangle.x < 0 || rectangle.y < 0 ||
        rectangle.x > image.width() - rectangle.width ||
        rectangle.y > image.height() - rectangle.height) {
        throw std::invalid_argument(
            "crop: the rectangle (" + std::to_string(rectangle.x) + ", " +
            std::to_string(rectangle.y) + ", " + std::to_string(rectangle.width) + "x" +
            std::to_string(rectangle.height) + ") is not a non-empty part of the " +
            std::to_string(image.width()) + "x" + std::to_string(image.height()) + " image.");
    }
    if (rectangle.width == image.width() && rectangle.height == image.height()) {
        return;
    }
    Buffer2D<TPixel> target =
        allocateResult(image, rectangle.width, rectangle.height, AllocationOptions::None);
    const PixelAccessor<TPixel> source = image.pixelBuffer().accessor();
    const PixelAccessor<TPixel> destination = target.accessor();
    ParallelRowIterator::forEachRowRange(
        image.configuration(), rectangle.height, rectangle.width, [&](int first, int end) {
            for (int y = first; y < end; ++y) {
                std::memcpy(static_cast<void*>(destination.row(y)),
                            source.row(rectangle.y + y) + rectangle.x,
                            static_cast<std::size_t>(rectangle.width) * sizeof(TPixel));
            }
        });
    Buffer2D<TPixel>::swapOrCopyContent(image.pixelBuffer(), target);
}

template <class TPixel>
void rotate(Image<TPixel>& image, RotateMode mode) {
    throwIfDisposed(image);
    switch (mode) {
        case RotateMode::Rotate90:
            rotateQuarter(image, true);
            break;
        case RotateMode::Rotate180:
            rotate180(image);
            break;
        case RotateMode::Rotate270:
            rotateQuarter(image, false);
            break;
    }
}

template <class TPixel>
void flip(Image<TPixel>& image, FlipMode mode) {
    throwIfDisposed(image);
    if (mode == FlipMode::Horizontal) {
        flipHorizontal(image);
    } else {
        flipVertical(image);
    }
}

template <class TPixel>
void pad(Image<TPixel>& image, int width, int height, const TPixel& background) {
    throwIfDisposed(image);
    const int canvasWidth = std::max(width, image.width());
    const int canvasHeight = std::max(height, image.height());
    if (canvasWidth == image.width() && canvasHeight == image.height()) {
        return;
    }
    Buffer2D<TPixel> target =
        allocateResult(image, canvasWidth, canvasHeight, AllocationOptions::None);
    const int left = (canvasWidth - image.width()) / 2;
    const int top = (canvasHeight - image.height()) / 2;
    const PixelAccessor<TPixel> source = image.pixelBuffer().accessor();
    const PixelAccessor<TPixel> destination = target.accessor();
    const int sourceWidth = image.width();
    const int sourceHeight = image.height();
    ParallelRowIterator::forEachRowRange(
        image.configuration(), canvasHeight, canvasWidth, [&](int first, int end) {
            for (int y = first; y < end; ++y) {
                TPixel* out = destination.row(y);
                const int sourceY = y - top;
                if (sourceY < 0 || sourceY >= sourceHeight) {
                    std::fill(out, out + canvasWidth, background);
                    continue;
                }
                std::fill(out, out + left, background);
                std::memcpy(static_cast<void*>(out + left), source.row(sourceY),
                            static_cast<std::size_t>(sourceWidth) * sizeof(TPixel));
                std::fill(out + left + sourceWidth, out + canvasWidth, background);
            }
        });
    Buffer2D<TPixel>::swapOrCopyContent(image.pixelBuffer(), target);
}

#define POOLSCOPE_INSTANTIATE_TRANSFORMS(T)             \
    template void crop<T>(Image<T>&, const PixelRect&); \
    template void rotate<T>(Image<T>&, RotateMode);     \
    template void flip<T>(Image<T>&, FlipMode);         \
    template void pad<T>(Image<T>&, int, int, const T&);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_TRANSFORMS)

}  // namespace poolscope
