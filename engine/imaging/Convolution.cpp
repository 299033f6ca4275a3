#include "imaging/Convolution.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "imaging/ParallelRowIterator.h"
#include "imaging/PixelTypeList.h"
#include "imaging/RowKernels.h"

namespace poolscope {

namespace {

template <class Isa, class TPixel>
POOLSCOPE_INLINE void convolveRowsWith(const PixelAccessor<TPixel>& source,
                                       const PixelAccessor<TPixel>& target,
                                       const std::vector<float>& kernel, int first, int end) {
    using Kernels = RowKernels<Isa>;
    using Component = typename TPixel::Component;
    constexpr int kChannels = TPixel::kChannels;
    const int radius = static_cast<int>(kernel.size() / 2);
    const int tapCount = static_cast<int>(kernel.size());
    const bool symmetric = std::equal(kernel.begin(), kernel.begin() + radius, kernel.rbegin());
    // Symmetric: the centre weight, then one weight per pair of taps at distance k.
    const std::vector<float> halfKernel(kernel.begin() + radius, kernel.end());
    const int width = source.width();
    const int lastRow = source.height() - 1;
    const std::size_t count = static_cast<std::size_t>(width) * kChannels;
    const std::size_t margin = static_cast<std::size_t>(radius) * kChannels;
    // The vertical result with `radius` replicated edge pixels on both sides, so that the
    // horizontal pass runs over plain arrays without edge checks.
    std::vector<float> padded(count + 2 * margin);
    std::vector<float> result(count);
    float* column = padded.data() + margin;
    std::vector<const Component*> rowTaps(kernel.size());
    std::vector<const float*> columnTaps(kernel.size());
    for (int k = 0; k < tapCount; ++k) {
        columnTaps[static_cast<std::size_t>(k)] =
            column + static_cast<std::ptrdiff_t>(k - radius) * kChannels;
    }
    // For the symmetric form: taps before the centre nearest first, then those after it.
    std::vector<const Component*> rowsBefore(static_cast<std::size_t>(radius));
    std::vector<const Component*> rowsAfter(static_cast<std::size_t>(radius));
    std::vector<const float*> columnsBefore(static_cast<std::size_t>(radius));
    std::vector<const float*> columnsAfter(static_cast<std::size_t>(radius));
    for (int k = 1; k <= radius; ++k) {
        columnsBefore[static_cast<std::size_t>(k - 1)] =
            column - static_cast<std::ptrdiff_t>(k) * kChannels;
        columnsAfter[static_cast<std::size_t>(k - 1)] =
            column + static_cast<std::ptrdiff_t>(k) * kChannels;
    }
    auto sourceRow = [&](int y) -> const Component* {
        return componentsOf(source.row(std::clamp(y, 0, lastRow)));
    };
    for (int y = first; y < end; ++y) {
        if (symmetric) {
            for (int k = 1; k <= radius; ++k) {
                rowsBefore[static_cast<std::size_t>(k - 1)] = sourceRow(y - k);
                rowsAfter[static_cast<std::size_t>(k - 1)] = sourceRow(y + k);
            }
            Kernels::sumOfSymmetricTaps(column, sourceRow(y), rowsBefore.data(), rowsAfter.data(),
                                        halfKernel.data(), radius, count);
        } else {
            for (int k = 0; k < tapCount; ++k) {
                rowTaps[static_cast<std::size_t>(k)] = sourceRow(y - radius + k);
            }
            Kernels::sumOfTaps(column, rowTaps.data(), kernel.data(), tapCount, count);
        }
        for (int p = 0; p < radius; ++p) {
            for (int c = 0; c < kChannels; ++c) {
                padded[static_cast<std::size_t>(p * kChannels + c)] = column[c];
                padded[margin + count + static_cast<std::size_t>(p * kChannels + c)] =
                    column[count - kChannels + static_cast<std::size_t>(c)];
            }
        }
        if (symmetric) {
            Kernels::sumOfSymmetricTaps(result.data(), static_cast<const float*>(column),
                                        columnsBefore.data(), columnsAfter.data(),
                                        halfKernel.data(), radius, count);
        } else {
            Kernels::sumOfTaps(result.data(), columnTaps.data(), kernel.data(), tapCount, count);
        }
        Kernels::store(componentsOf(target.row(y)), result.data(), count);
    }
}

template <class TPixel>
void convolveRowsBaseline(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                          const std::vector<float>& kernel, int first, int end) {
    convolveRowsWith<BaselineIsa>(source, target, kernel, first, end);
}

#if defined(POOLSCOPE_X86_KERNELS)
template <class TPixel>
__attribute__((target("avx2"), flatten)) void convolveRowsAvx2(const PixelAccessor<TPixel>& source,
                                                               const PixelAccessor<TPixel>& target,
                                                               const std::vector<float>& kernel,
                                                               int first, int end) {
    convolveRowsWith<Avx2Isa>(source, target, kernel, first, end);
}
#endif

template <class TPixel>
void convolveRows(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                  const std::vector<float>& kernel, int first, int end) {
#if defined(POOLSCOPE_X86_KERNELS)
    if (RowKernelDispatch::useAvx2()) {
        convolveRowsAvx2(source, target, kernel, first, end);
        return;
    }
#endif
    convolveRowsBaseline(source, target, kernel, first, end);
}

// A blur kernel in 0.16 fixed point, for 8-bit channels: every weight in [0, 1), summing to
// exactly 65536 after rounding (the rounding remainder goes to the centre). Each pass truncates
// once per tap; `bias`, half a unit per tap, makes up for that on average.
struct FixedPointKernel {
    std::vector<std::uint16_t> weights;
    std::uint16_t bias = 0;
};

std::optional<FixedPointKernel> fixedPointKernelOf(const std::vector<float>& kernel) {
    double total = 0.0;
    for (const float weight : kernel) {
        if (!(weight >= 0.0f) || !(weight < 0.9999f)) {
            return std::nullopt;
        }
        total += weight;
    }
    if (std::abs(total - 1.0) > 1e-4) {
        return std::nullopt;
    }
    std::vector<std::int64_t> rounded(kernel.size());
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < kernel.size(); ++k) {
        rounded[k] = std::llround(static_cast<double>(kernel[k]) * 65536.0);
        sum += rounded[k];
    }
    rounded[kernel.size() / 2] += 65536 - sum;
    FixedPointKernel fixed;
    for (const std::int64_t weight : rounded) {
        if (weight < 0 || weight > 0xFFFF) {
            return std::nullopt;
        }
        fixed.weights.push_back(static_cast<std::uint16_t>(weight));
    }
    fixed.bias = static_cast<std::uint16_t>(kernel.size() / 2);
    return fixed;
}

// The 8-bit path: each source row is widened to 8.8 fixed point and filtered horizontally once,
// into a ring of the last kernel-length rows; each output row is then the vertical sum over
// whole ring rows (16 samples per AVX2 instruction). A row range recomputes the rows its edges
// share with its neighbours, so the result does not depend on how the rows are split.
template <class Isa, class TPixel>
POOLSCOPE_INLINE void convolveRowsFixedWith(const PixelAccessor<TPixel>& source,
                                            const PixelAccessor<TPixel>& target,
                                            const FixedPointKernel& kernel, int first, int end) {
    using Kernels = RowKernels<Isa>;
    constexpr int kChannels = TPixel::kChannels;
    const int tapCount = static_cast<int>(kernel.weights.size());
    const int radius = tapCount / 2;
    const int lastRow = source.height() - 1;
    const std::size_t count = static_cast<std::size_t>(source.width()) * kChannels;
    const std::size_t margin = static_cast<std::size_t>(radius) * kChannels;
    std::vector<std::uint16_t> padded(count + 2 * margin);
    std::vector<std::uint16_t> ring(count * static_cast<std::size_t>(tapCount));
    std::vector<int> ringRow(static_cast<std::size_t>(tapCount), -1);
    std::vector<std::uint16_t> vertical(count);
    std::vector<const std::uint16_t*> columnTaps(static_cast<std::size_t>(tapCount));
    std::vector<const std::uint16_t*> rowTaps(static_cast<std::size_t>(tapCount));
    for (int k = 0; k < tapCount; ++k) {
        columnTaps[static_cast<std::size_t>(k)] =
            padded.data() + static_cast<std::size_t>(k) * kChannels;
    }
    // The horizontal pass of source row `y`, computed when the ring does not hold it yet. The
    // rows one output row needs are consecutive and at most tapCount, so their slots differ.
    auto horizontalRow = [&](int y) -> const std::uint16_t* {
        const auto slot = static_cast<std::size_t>(y % tapCount);
        std::uint16_t* row = ring.data() + slot * count;
        if (ringRow[slot] != y) {
            std::uint16_t* centre = padded.data() + margin;
            Kernels::widen(centre, componentsOf(source.row(y)), count);
            for (std::size_t p = 0; p < margin; p += kChannels) {
                for (int c = 0; c < kChannels; ++c) {
                    padded[p + c] = centre[c];
                    centre[count + p + c] = centre[count - kChannels + c];
                }
            }
            Kernels::fixedSumOfTaps(row, columnTaps.data(), kernel.weights.data(), tapCount, count,
                                    kernel.bias);
            ringRow[slot] = y;
        }
        return row;
    };
    for (int y = first; y < end; ++y) {
        for (int k = 0; k < tapCount; ++k) {
            rowTaps[static_cast<std::size_t>(k)] =
                horizontalRow(std::clamp(y - radius + k, 0, lastRow));
        }
        Kernels::fixedSumOfTaps(vertical.data(), rowTaps.data(), kernel.weights.data(), tapCount,
                                count, kernel.bias);
        Kernels::narrow(componentsOf(target.row(y)), vertical.data(), count);
    }
}

template <class TPixel>
void convolveRowsFixedBaseline(const PixelAccessor<TPixel>& source,
                               const PixelAccessor<TPixel>& target, const FixedPointKernel& kernel,
                               int first, int end) {
    convolveRowsFixedWith<BaselineIsa>(source, target, kernel, first, end);
}

#if defined(POOLSCOPE_X86_KERNELS)
template <class TPixel>
__attribute__((target("avx2"), flatten)) void convolveRowsFixedAvx2(
    const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
    const FixedPointKernel& kernel, int first, int end) {
    convolveRowsFixedWith<Avx2Isa>(source, target, kernel, first, end);
}
#endif

template <class TPixel>
void convolveRowsFixed(const PixelAccessor<TPixel>& source, const PixelAccessor<TPixel>& target,
                       const FixedPointKernel& kernel, int first, int end) {
#if defined(POOLSCOPE_X86_KERNELS)
    if (RowKernelDispatch::useAvx2()) {
        convolveRowsFixedAvx2(source, target, kernel, first, end);
        return;
    }
#endif
    convolveRowsFixedBaseline(source, target, kernel, first, end);
}

}  // namespace

std::vector<float> gaussianKernel(float sigma) {
    if (!(sigma > 0.0f) || !std::isfinite(sigma)) {
        throw std::invalid_argument("gaussianBlur: sigma must be a positive number, got " +
                                    std::to_string(sigma) + ".");
    }
    const int radius = static_cast<int>(std::ceil(3.0 * sigma));
    std::vector<double> weights(static_cast<std::size_t>(2 * radius + 1));
    double total = 0.0;
    for (int i = -radius; i <= radius; ++i) {
        const double w = std::exp(-(static_cast<double>(i) * i) / (2.0 * sigma * sigma));
        weights[static_cast<std::size_t>(i + radius)] = w;
        total += w;
    }
    std::vector<float> kernel(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        kernel[i] = static_cast<float>(weights[i] / total);
    }
    return kernel;
}

namespace {

template <class TPixel>
Buffer2D<TPixel> convolveToNewBuffer(const Image<TPixel>& image, const std::vector<float>& kernel) {
    if (kernel.size() % 2 != 1) {
        throw std::invalid_argument("convolveSeparable: the kernel length must be odd, got " +
                                    std::to_string(kernel.size()) + ".");
    }
    if (image.isDisposed()) {
        throw InvalidMemoryOperation("Cannot process a disposed image.");
    }
    const Configuration& configuration = image.configuration();
    Buffer2D<TPixel> target = Buffer2D<TPixel>::allocate(
        *configuration.allocator, image.width(), image.height(),
        configuration.preferContiguousImageBuffers, AllocationOptions::None);
    const PixelAccessor<TPixel> source = image.pixelBuffer().accessor();
    const PixelAccessor<TPixel> destination = target.accessor();
    if constexpr (std::is_same_v<typename TPixel::Component, std::uint8_t>) {
        if (const std::optional<FixedPointKernel> fixed = fixedPointKernelOf(kernel)) {
            ParallelRowIterator::forEachRowRange(
                configuration, image.height(),
                static_cast<std::int64_t>(image.width()) * static_cast<std::int64_t>(kernel.size()),
                [&](int first, int end) {
                    convolveRowsFixed(source, destination, *fixed, first, end);
                });
            return target;
        }
    }
    ParallelRowIterator::forEachRowRange(
        configuration, image.height(),
        static_cast<std::int64_t>(image.width()) * static_cast<std::int64_t>(kernel.size()),
        [&](int first, int end) { convolveRows(source, destination, kernel, first, end); });
    return target;
}

}  // namespace

template <class TPixel>
void convolveSeparable(Image<TPixel>& image, const std::vector<float>& kernel) {
    Buffer2D<TPixel> target = convolveToNewBuffer(image, kernel);
    Buffer2D<TPixel>::swapOrCopyContent(image.pixelBuffer(), target);
}

template <class TPixel>
Image<TPixel> gaussianBlurred(const Image<TPixel>& image, float sigma) {
    return Image<TPixel>(image.configuration(), convolveToNewBuffer(image, gaussianKernel(sigma)));
}

template <class TPixel>
void gaussianBlur(Image<TPixel>& image, float sigma) {
    convolveSeparable(image, gaussianKernel(sigma));
}

template <class TPixel>
void boxBlur(Image<TPixel>& image, int radius) {
    if (radius < 0) {
        throw std::invalid_argument("boxBlur: the radius must not be negative, got " +
                                    std::to_string(radius) + ".");
    }
    if (radius == 0) {
        return;
    }
    const auto size = static_cast<std::size_t>(2 * radius + 1);
    convolveSeparable(image, std::vector<float>(size, 1.0f / static_cast<float>(size)));
}

#define POOLSCOPE_INSTANTIATE_CONVOLUTION(T)                                  \
    template void convolveSeparable<T>(Image<T>&, const std::vector<float>&); \
    template void gaussianBlur<T>(Image<T>&, float);                          \
    template void boxBlur<T>(Image<T>&, int);                                 \
    template Image<T> gaussianBlurred<T>(const Image<T>&, float);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_CONVOLUTION)

}  // namespace poolscope
