#include "imaging/ResamplingKernel.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <stdexcept>
#include <string>

namespace poolscope {

const char* resamplerName(ResamplerKind kind) {
    switch (kind) {
        case ResamplerKind::NearestNeighbor:
            return "nearest";
        case ResamplerKind::Bilinear:
            return "bilinear";
        case ResamplerKind::Bicubic:
            return "bicubic";
        case ResamplerKind::Lanczos3:
            return "lanczos3";
    }
    return "unknown";
}

double ResamplingKernel::radius(ResamplerKind kind) {
    switch (kind) {
        case ResamplerKind::NearestNeighbor:
            return 0.5;
        case ResamplerKind::Bilinear:
            return 1.0;
        case ResamplerKind::Bicubic:
            return 2.0;
        case ResamplerKind::Lanczos3:
            return 3.0;
    }
    return 1.0;
}

namespace {

double sinc(double x) {
    if (x == 0.0) {
        return 1.0;
    }
    const double px = std::numbers::pi * x;
    return std::sin(px) / px;
}

}  // namespace

double ResamplingKernel::evaluate(ResamplerKind kind, double x) {
    x = std::abs(x);
    switch (kind) {
        case ResamplerKind::NearestNeighbor:
            return x < 0.5 ? 1.0 : 0.0;
        case ResamplerKind::Bilinear:
            return x < 1.0 ? 1.0 - x : 0.0;
        case ResamplerKind::Bicubic: {
            constexpr double a = -0.5;
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
            }
            if (x < 2.0) {
                return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
            }
            return 0.0;
        }
        case ResamplerKind::Lanczos3:
            return x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
    }
    return 0.0;
}

ResamplingKernel::ResamplingKernel(ResamplerKind kind, int sourceSize, int destinationSize) {
    if (sourceSize <= 0 || destinationSize <= 0) {
        throw std::invalid_argument("ResamplingKernel: sizes must be positive, got " +
                                    std::to_string(sourceSize) + " -> " +
                                    std::to_string(destinationSize) + ".");
    }
    const double scale = static_cast<double>(sourceSize) / destinationSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = radius(kind) * filterScale;
    stride_ = static_cast<int>(std::ceil(support)) * 2 + 1;
    starts_.resize(static_cast<std::size_t>(destinationSize));
    counts_.resize(static_cast<std::size_t>(destinationSize));
    weights_.assign(static_cast<std::size_t>(destinationSize) * static_cast<std::size_t>(stride_),
                    0.0f);
    pairStride_ = (stride_ + 1) / 2;
    fixedPairs_.assign(
        static_cast<std::size_t>(destinationSize) * static_cast<std::size_t>(pairStride_), 0);
    std::vector<double> window(static_cast<std::size_t>(stride_));
    std::vector<std::int64_t> fixed(static_cast<std::size_t>(stride_) + 1);
    for (int i = 0; i < destinationSize; ++i) {
        const double center = (i + 0.5) * scale;
        int first = static_cast<int>(std::floor(center - support + 0.5));
        int end = static_cast<int>(std::floor(center + support + 0.5));
        first = std::max(first, 0);
        end = std::min(end, sourceSize);
        int count = std::min(end - first, stride_);
        double total = 0.0;
        for (int k = 0; k < count; ++k) {
            const double w = evaluate(kind, (first + k - center + 0.5) / filterScale);
            window[static_cast<std::size_t>(k)] = w;
            total += w;
        }
        if (total == 0.0) {
            // A window too narrow to hold a sample (only possible at the very edge): take the
            // nearest source pixel.
            first = std::clamp(static_cast<int>(center), 0, sourceSize - 1);
            count = 1;
            window[0] = 1.0;
            total = 1.0;
        }
        starts_[static_cast<std::size_t>(i)] = first;
        counts_[static_cast<std::size_t>(i)] = count;
        float* out =
            weights_.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(stride_);
        for (int k = 0; k < count; ++k) {
            out[k] = static_cast<float>(window[static_cast<std::size_t>(k)] / total);
        }
        std::int64_t fixedSum = 0;
        std::int64_t absoluteSum = 0;
        std::size_t largest = 0;
        for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
            fixed[k] = std::llround(window[k] / total * kFixedPointOne);
            fixedSum += fixed[k];
            if (std::abs(fixed[k]) > std::abs(fixed[largest])) {
                largest = k;
            }
        }
        fixed[largest] += kFixedPointOne - fixedSum;
        fixed[static_cast<std::size_t>(count)] = 0;
        for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
            absoluteSum += std::abs(fixed[k]);
        }
        hasFixedPoint_ = hasFixedPoint_ && absoluteSum <= 2 * kFixedPointOne;
        std::int32_t* pairs = fixedPairs_.data() +
                              static_cast<std::size_t>(i) * static_cast<std::size_t>(pairStride_);
        for (int j = 0; j < (count + 1) / 2; ++j) {
            const auto low = static_cast<std::uint16_t>(fixed[static_cast<std::size_t>(2 * j)]);
            const auto high =
                static_cast<std::uint16_t>(fixed[static_cast<std::size_t>(2 * j + 1)]);
            pairs[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(low) |
                                                 (static_cast<std::uint32_t>(high) << 16));
        }
    }
}

}  // namespace poolscope
