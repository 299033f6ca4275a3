#include "imaging/Resize.h"

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "imaging/ParallelRowIterator.h"
#include "imaging/PixelTypeList.h"
#include "imaging/RowKernels.h"

namespace poolscope {

namespace {

template <class TPixel>
void resizeNearest(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                   const Configuration& configuration) {
    const int sourceWidth = source.width();
    const int sourceHeight = source.height();
    const int width = target.width();
    const int height = target.height();
    // Source index of each destination centre, (i + 0.5) * source / destination, in integers.
    std::vector<int> columns(static_cast<std::size_t>(width));
    for (int x = 0; x < width; ++x) {
        columns[static_cast<std::size_t>(x)] = static_cast<int>(
            (2 * static_cast<std::int64_t>(x) + 1) * sourceWidth / (2 * std::int64_t{width}));
    }
    ParallelRowIterator::forEachRowRange(configuration, height, width, [&](int first, int end) {
        for (int y = first; y < end; ++y) {
            const auto sourceY = static_cast<int>((2 * static_cast<std::int64_t>(y) + 1) *
                                                  sourceHeight / (2 * std::int64_t{height}));
            const TPixel* from = source.row(sourceY);
            TPixel* to = target.row(y);
            for (int x = 0; x < width; ++x) {
                to[x] = from[columns[static_cast<std::size_t>(x)]];
            }
        }
    });
}

using Float4 = float __attribute__((vector_size(16)));

template <class Isa, class TPixel>
POOLSCOPE_INLINE void resampleRowsWith(const PixelAccessor<TPixel>& source,
                                       const PixelAccessor<TPixel>& target,
                                       const ResamplingKernel& horizontal,
                                       const ResamplingKernel& vertical, int first, int end) {
    using Kernels = RowKernels<Isa>;
    constexpr int kChannels = TPixel::kChannels;
    // Every 4-channel type (Rgba32, Bgra32, RgbaVector) has alpha last: filter premultiplied.
    constexpr bool kPremultiplied = kChannels == 4;
    const std::size_t sourceCount = static_cast<std::size_t>(source.width()) * kChannels;
    const std::size_t targetCount = static_cast<std::size_t>(target.width()) * kChannels;
    std::vector<float> column(sourceCount);
    std::vector<float> row(targetCount);
    std::vector<const typename TPixel::Component*> sourceRows(
        static_cast<std::size_t>(vertical.maxTaps()));
    for (int y = first; y < end; ++y) {
        // Vertical pass: the weighted sum of the source rows under this output row, full width.
        const int firstSourceRow = vertical.start(y);
        const int tapCount = vertical.tapCount(y);
        for (int k = 0; k < tapCount; ++k) {
            sourceRows[static_cast<std::size_t>(k)] = componentsOf(source.row(firstSourceRow + k));
        }
        if constexpr (kPremultiplied) {
            Kernels::sumOfPremultipliedTaps(column.data(), sourceRows.data(), vertical.weights(y),
                                            tapCount, sourceCount);
        } else {
            Kernels::sumOfTaps(column.data(), sourceRows.data(), vertical.weights(y), tapCount,
                               sourceCount);
        }
        // Horizontal pass over that row.
        for (int x = 0; x < target.width(); ++x) {
            const float* weights = horizontal.weights(x);
            const float* taps =
                column.data() + static_cast<std::size_t>(horizontal.start(x)) * kChannels;
            const int tapCount = horizontal.tapCount(x);
            float* out = row.data() + static_cast<std::size_t>(x) * kChannels;
            if constexpr (kChannels == 4) {
                Float4 sum{};
                for (int k = 0; k < tapCount; ++k) {
                    Float4 pixel;
                    std::memcpy(&pixel, taps + 4 * k, sizeof pixel);
                    sum = sum + (Float4{} + weights[k]) * pixel;
                }
                std::memcpy(out, &sum, sizeof sum);
            } else {
                for (int c = 0; c < kChannels; ++c) {
                    float sum = 0.0f;
                    for (int k = 0; k < tapCount; ++k) {
                        sum = sum + weights[k] * taps[k * kChannels + c];
                    }
                    out[c] = sum;
                }
            }
        }
        if constexpr (kPremultiplied) {
            Kernels::unpremultiply(row.data(), targetCount);
        }
        Kernels::store(componentsOf(target.row(y)), row.data(), targetCount);
    }
}

template <class TPixel>
void resampleRowsBaseline(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                          const ResamplingKernel& horizontal, const ResamplingKernel& vertical,
                          int first, int end) {
    resampleRowsWith<BaselineIsa>(source, target, horizontal, vertical, first, end);
}

#if defined(POOLSCOPE_X86_KERNELS)
template <class TPixel>
__attribute__((target("avx2"), flatten)) void resampleRowsAvx2(const PixelAccessor<TPixel>& source,
                                                               const PixelAccessor<TPixel>& target,
                                                               const ResamplingKernel& horizontal,
                                                               const ResamplingKernel& vertical,
                                                               int first, int end) {
    resampleRowsWith<Avx2Isa>(source, target, horizontal, vertical, first, end);
}
#endif

template <class TPixel>
void resampleRows(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                  const ResamplingKernel& horizontal, const ResamplingKernel& vertical, int first,
                  int end) {
#if defined(POOLSCOPE_X86_KERNELS)
    if (RowKernelDispatch::useAvx2()) {
        resampleRowsAvx2(source, target, horizontal, vertical, first, end);
        return;
    }
#endif
    resampleRowsBaseline(source, target, horizontal, vertical, first, end);
}

}  // namespace

namespace {

void checkTargetSize(int width, int height) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("resize: the target size must be positive, got " +
                                    std::to_string(width) + "x" + std::to_string(height) + ".");
    }
}

template <class TPixel>
Buffer2D<TPixel> resampleToNewBuffer(const Image<TPixel>& image, int width, int height,
                                     ResamplerKind kind) {
    if (image.isDisposed()) {
        throw InvalidMemoryOperation("Cannot process a disposed image.");
    }
    const Configuration& configuration = image.configuration();
    Buffer2D<TPixel> target = Buffer2D<TPixel>::allocate(*configuration.allocator, width, height,
                                                         configuration.preferContiguousImageBuffers,
                                                         AllocationOptions::None);
    const PixelAccessor<TPixel> source = image.pixelBuffer().accessor();
    const PixelAccessor<TPixel> destination = target.accessor();
    if (kind == ResamplerKind::NearestNeighbor) {
        resizeNearest(source, destination, configuration);
    } else {
        const ResamplingKernel horizontal(kind, image.width(), width);
        const ResamplingKernel vertical(kind, image.height(), height);
        ParallelRowIterator::forEachRowRange(
            configuration, height, image.width(), [&](int first, int end) {
                resampleRows(source, destination, horizontal, vertical, first, end);
            });
    }
    return target;
}

}  // namespace

template <class TPixel>
void resize(Image<TPixel>& image, int width, int height, ResamplerKind kind) {
    checkTargetSize(width, height);
    if (image.isDisposed()) {
        throw InvalidMemoryOperation("Cannot process a disposed image.");
    }
    if (width == image.width() && height == image.height()) {
        return;
    }
    // Refuse before computing anything when the result could not go back into wrapped memory.
    if (!image.pixelBuffer().isSwappable() &&
        static_cast<std::int64_t>(width) * height != image.pixelBuffer().totalLength()) {
        throw InvalidMemoryOperation(Buffer2D<TPixel>::kIncompatibleBuffersMessage);
    }
    Buffer2D<TPixel> target = resampleToNewBuffer(image, width, height, kind);
    Buffer2D<TPixel>::swapOrCopyContent(image.pixelBuffer(), target);
}

template <class TPixel>
Image<TPixel> resized(const Image<TPixel>& image, int width, int height, ResamplerKind kind) {
    checkTargetSize(width, height);
    if (width == image.width() && height == image.height()) {
        return image.clone();
    }
    return Image<TPixel>(image.configuration(), resampleToNewBuffer(image, width, height, kind));
}

#define POOLSCOPE_INSTANTIATE_RESIZE(T)                          \
    template void resize<T>(Image<T>&, int, int, ResamplerKind); \
    template Image<T> resized<T>(const Image<T>&, int, int, ResamplerKind);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_RESIZE)

}  // namespace poolscope
