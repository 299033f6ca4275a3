#pragma once

#include <cstdint>
#include <vector>

namespace poolscope {

enum class ResamplerKind {
    NearestNeighbor,
    Bilinear,  // triangle, radius 1
    Bicubic,   // Catmull-Rom (a = -0.5), radius 2
    Lanczos3,  // sinc(x) sinc(x / 3), radius 3
};

const char* resamplerName(ResamplerKind kind);

// The precomputed weights of one resize axis: for each destination index, the first source
// index and the normalised weights of the source indices from there. When downscaling, the
// kernel is stretched by the scale factor, so every source sample contributes (antialiasing);
// windows are clipped at the edges and renormalised. Same mapping as Pillow's: destination
// pixel centre (i + 0.5) * source / destination.
class ResamplingKernel {
public:
    ResamplingKernel(ResamplerKind kind, int sourceSize, int destinationSize);

    int destinationSize() const { return static_cast<int>(starts_.size()); }
    int start(int index) const { return starts_[static_cast<std::size_t>(index)]; }
    int tapCount(int index) const { return counts_[static_cast<std::size_t>(index)]; }
    const float* weights(int index) const {
        return weights_.data() +
               static_cast<std::size_t>(index) * static_cast<std::size_t>(stride_);
    }
    int maxTaps() const { return stride_; }

    // The same weights in fixed point for 8-bit pixels: each scaled by kFixedPointOne and
    // rounded, the rounding remainder given to the largest weight so that every index's weights
    // sum to exactly kFixedPointOne (a constant image stays constant). They come in pairs, low
    // 16 bits the even tap, high 16 bits the odd one, as _mm_madd_epi16 takes them; an odd count
    // ends with a zero weight, so a pair may reach one sample past the window.
    static constexpr int kFixedPointShift = 14;
    static constexpr int kFixedPointOne = 1 << kFixedPointShift;
    const std::int32_t* fixedWeightPairs(int index) const {
        return fixedPairs_.data() +
               static_cast<std::size_t>(index) * static_cast<std::size_t>(pairStride_);
    }
    int fixedPairCount(int index) const { return (tapCount(index) + 1) / 2; }
    // Whether the fixed-point weights are usable: every index's absolute weights sum to at
    // most 2 (so 15-bit samples cannot overflow 32-bit sums nor 16-bit intermediates).
    bool hasFixedPoint() const { return hasFixedPoint_; }

    static double radius(ResamplerKind kind);
    static double evaluate(ResamplerKind kind, double x);

private:
    std::vector<int> starts_;
    std::vector<int> counts_;
    std::vector<float> weights_;
    int stride_ = 0;
    std::vector<std::int32_t> fixedPairs_;
    int pairStride_ = 0;
    bool hasFixedPoint_ = true;
};

}  // namespace poolscope
