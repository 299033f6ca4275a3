#include "imaging/Resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
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

// The fixed-point path for 8-bit RGBA (alpha last), the shape of the fixed-point blur: each
// source row is premultiplied into 16-bit samples (1/128 level) and filtered horizontally once,
// into a ring of the last vertical-window rows (1/64 level, int16: with absolute weight sums of
// at most 2 they cannot overflow); each output row is then the vertical sum over whole ring rows
// and is unpremultiplied with exact rounding. A row range recomputes the source rows its edges
// share with its neighbours, so the result does not depend on how the rows are split.
constexpr int kHorizontalShift = ResamplingKernel::kFixedPointShift + 1;  // 1/128 to 1/64 level

// The horizontal pass of one premultiplied row (with one zero pixel after its end, which the
// zero weight ending an odd window reaches) into targetWidth pixels.
template <class Isa>
POOLSCOPE_INLINE void horizontalFixedRow(std::int16_t* out, const std::int16_t* premultiplied,
                                         const ResamplingKernel& horizontal) {
    const int width = horizontal.destinationSize();
    for (int x = 0; x < width; ++x) {
        const std::int16_t* taps =
            premultiplied + static_cast<std::size_t>(horizontal.start(x)) * 4;
        const std::int32_t* weights = horizontal.fixedWeightPairs(x);
        const int pairCount = horizontal.fixedPairCount(x);
#if defined(POOLSCOPE_X86_KERNELS)
        // Two pixels r0 g0 b0 a0 r1 g1 b1 a1 interleaved to r0 r1 g0 g1 ..., so that one madd
        // weights both: four 32-bit channel sums.
        __m128i sum = _mm_set1_epi32(1 << (kHorizontalShift - 1));
        int j = Isa::horizontalPairBlocks(sum, taps, weights, pairCount);
        for (; j < pairCount; ++j) {
            const __m128i two = _mm_loadu_si128(reinterpret_cast<const __m128i*>(taps + 8 * j));
            sum = _mm_add_epi32(sum, _mm_madd_epi16(_mm_unpacklo_epi16(two, _mm_srli_si128(two, 8)),
                                                    _mm_set1_epi32(weights[j])));
        }
        sum = _mm_srai_epi32(sum, kHorizontalShift);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + static_cast<std::size_t>(x) * 4),
                         _mm_packs_epi32(sum, sum));
#else
        for (int c = 0; c < 4; ++c) {
            std::int32_t sum = 1 << (kHorizontalShift - 1);
            for (int j = 0; j < pairCount; ++j) {
                sum += RowKernels<BaselineIsa>::lowWeight(weights[j]) * taps[8 * j + c] +
                       RowKernels<BaselineIsa>::highWeight(weights[j]) * taps[8 * j + 4 + c];
            }
            out[static_cast<std::size_t>(x) * 4 + c] =
                static_cast<std::int16_t>(std::clamp(sum >> kHorizontalShift, -32768, 32767));
        }
#endif
    }
}

// Premultiplied sums in 1/64 level back to 8-bit RGBA: alpha rounded, colour = 255 * colour /
// alpha rounded to nearest (a float division of integers below 2^24 by one below 2^16 lands on
// the right side of every half, so the rounding is exact); no alpha, no colour.
POOLSCOPE_INLINE void unpremultiplyFixed(std::uint8_t* out, const std::int32_t* sums,
                                         std::size_t count) {
    std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
    // The same operations on one pixel per register: the clamps and the product are exact in
    // float, divps rounds like the scalar division, and the packs saturate alpha at 255.
    const __m128 zero = _mm_setzero_ps();
    const __m128 full = _mm_set1_ps(255.0f);
    const __m128 half = _mm_set1_ps(0.5f);
    const __m128i colourLanes = _mm_set_epi32(0, -1, -1, -1);
    for (; i + 4 <= count; i += 4) {
        const __m128i pixel = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sums + i));
        const __m128i alpha = _mm_shuffle_epi32(pixel, 0xFF);
        const __m128 divisor = _mm_cvtepi32_ps(alpha);
        const __m128 colour = _mm_min_ps(_mm_max_ps(_mm_cvtepi32_ps(pixel), zero), divisor);
        const __m128i rounded =
            _mm_cvttps_epi32(_mm_add_ps(_mm_div_ps(_mm_mul_ps(colour, full), divisor), half));
        const __m128i level = _mm_srai_epi32(_mm_add_epi32(pixel, _mm_set1_epi32(32)), 6);
        __m128i result =
            _mm_or_si128(_mm_and_si128(colourLanes, rounded), _mm_andnot_si128(colourLanes, level));
        result = _mm_and_si128(result, _mm_cmpgt_epi32(alpha, _mm_setzero_si128()));
        result = _mm_packs_epi32(result, result);
        const int bytes = _mm_cvtsi128_si32(_mm_packus_epi16(result, result));
        std::memcpy(out + i, &bytes, 4);
    }
#endif
    for (; i + 4 <= count; i += 4) {
        const std::int32_t alpha = sums[i + 3];
        if (alpha <= 0) {
            std::memset(out + i, 0, 4);
            continue;
        }
        const auto divisor = static_cast<float>(alpha);
        for (int c = 0; c < 3; ++c) {
            const std::int32_t colour = std::clamp(sums[i + c], 0, alpha);
            const float value = static_cast<float>(colour * 255) / divisor;
            out[i + c] = static_cast<std::uint8_t>(value + 0.5f);
        }
        out[i + 3] = static_cast<std::uint8_t>(std::min((alpha + 32) >> 6, 255));
    }
}

template <class Isa, class TPixel>
POOLSCOPE_INLINE void resampleRowsFixedWith(const PixelAccessor<TPixel>& source,
                                            const PixelAccessor<TPixel>& target,
                                            const ResamplingKernel& horizontal,
                                            const ResamplingKernel& vertical, int first, int end) {
    using Kernels = RowKernels<Isa>;
    const std::size_t sourceCount = static_cast<std::size_t>(source.width()) * 4;
    const std::size_t targetCount = static_cast<std::size_t>(target.width()) * 4;
    const int ringSize = vertical.maxTaps();
    std::vector<std::int16_t> premultiplied(sourceCount + 4, 0);
    std::vector<std::int16_t> ring(targetCount * static_cast<std::size_t>(ringSize));
    std::vector<int> ringRow(static_cast<std::size_t>(ringSize), -1);
    std::vector<std::int32_t> sums(targetCount);
    std::vector<const std::int16_t*> rows(static_cast<std::size_t>(ringSize) + 1);
    // The rows one output row needs are consecutive and at most ringSize, so their slots differ.
    auto horizontalRow = [&](int y) -> const std::int16_t* {
        const auto slot = static_cast<std::size_t>(y % ringSize);
        std::int16_t* row = ring.data() + slot * targetCount;
        if (ringRow[slot] != y) {
            Kernels::premultiplyToFixed(premultiplied.data(), componentsOf(source.row(y)),
                                        sourceCount);
            horizontalFixedRow<Isa>(row, premultiplied.data(), horizontal);
            ringRow[slot] = y;
        }
        return row;
    };
    for (int y = first; y < end; ++y) {
        const int firstSourceRow = vertical.start(y);
        const int tapCount = vertical.tapCount(y);
        for (int k = 0; k < tapCount; ++k) {
            rows[static_cast<std::size_t>(k)] = horizontalRow(firstSourceRow + k);
        }
        // An odd window's last pair repeats its last row under a zero weight.
        rows[static_cast<std::size_t>(tapCount)] = rows[static_cast<std::size_t>(tapCount - 1)];
        Kernels::fixedSumOfRowPairs(sums.data(), rows.data(), vertical.fixedWeightPairs(y),
                                    vertical.fixedPairCount(y), targetCount,
                                    ResamplingKernel::kFixedPointShift);
        unpremultiplyFixed(componentsOf(target.row(y)), sums.data(), targetCount);
    }
}

template <class TPixel>
void resampleRowsFixedBaseline(const PixelAccessor<TPixel>& source,
                               const PixelAccessor<TPixel>& target,
                               const ResamplingKernel& horizontal, const ResamplingKernel& vertical,
                               int first, int end) {
    resampleRowsFixedWith<BaselineIsa>(source, target, horizontal, vertical, first, end);
}

#if defined(POOLSCOPE_X86_KERNELS)
template <class TPixel>
__attribute__((target("avx2"), flatten)) void resampleRowsFixedAvx2(
    const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
    const ResamplingKernel& horizontal, const ResamplingKernel& vertical, int first, int end) {
    resampleRowsFixedWith<Avx2Isa>(source, target, horizontal, vertical, first, end);
}
#endif

template <class TPixel>
void resampleRowsFixed(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                       const ResamplingKernel& horizontal, const ResamplingKernel& vertical,
                       int first, int end) {
#if defined(POOLSCOPE_X86_KERNELS)
    if (RowKernelDispatch::useAvx2()) {
        resampleRowsFixedAvx2(source, target, horizontal, vertical, first, end);
        return;
    }
#endif
    resampleRowsFixedBaseline(source, target, horizontal, vertical, first, end);
}

// The fixed-point path takes 8-bit pixels with alpha last.
template <class TPixel>
constexpr bool kHasFixedPointPath =
    std::is_same_v<typename TPixel::Component, std::uint8_t>&& TPixel::kChannels == 4;

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
        if constexpr (kHasFixedPointPath<TPixel>) {
            if (horizontal.hasFixedPoint() && vertical.hasFixedPoint()) {
                // Each row range filters the source rows under its first output row again
                // (those its neighbour also filters): ranges of at least enough output rows to
                // cover four vertical windows keep that repeated work small.
                const double sourceRowsPerRow = static_cast<double>(image.height()) / height;
                const int threads = std::max(configuration.maxDegreeOfParallelism, 1);
                const int blockRows = std::clamp(
                    static_cast<int>(std::ceil(4.0 * vertical.maxTaps() / sourceRowsPerRow)), 1,
                    std::max(1, height / (2 * threads)));
                const int blockCount = (height + blockRows - 1) / blockRows;
                ParallelRowIterator::forEachRowRange(
                    configuration, blockCount, static_cast<std::int64_t>(image.width()) * blockRows,
                    [&](int firstBlock, int endBlock) {
                        resampleRowsFixed(source, destination, horizontal, vertical,
                                          firstBlock * blockRows,
                                          std::min(endBlock * blockRows, height));
                    });
                return target;
            }
        }
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
