#pragma once

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

    static double radius(ResamplerKind kind);
    static double evaluate(ResamplerKind kind, double x);

private:
    std::vector<int> starts_;
    std::vector<int> counts_;
    std::vector<float> weights_;
    int stride_ = 0;
};

}  // namespace poolscope
