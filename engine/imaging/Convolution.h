#pragma once

#include <vector>

#include "imaging/Image.h"

namespace poolscope {

// Separable blurs, row-parallel, edges replicated. 8-bit channels with a blur kernel (weights
// in [0, 1) summing to 1: Gaussian, box) run in 8.8 fixed point: each source row is filtered
// horizontally once, then every output row is the vertical sum over those rows. Other kernels
// and wider channels use float intermediates: the vertical pass, then the horizontal one.
// The result goes to a new buffer that replaces the image's, or is copied back into wrapped
// memory (same size), so both work on every kind of image.

// Gaussian weights exp(-x^2 / (2 sigma^2)) for |x| <= ceil(3 sigma), normalised.
std::vector<float> gaussianKernel(float sigma);

// Throws std::invalid_argument unless sigma > 0.
template <class TPixel>
void gaussianBlur(Image<TPixel>& image, float sigma);

// The mean of the (2 radius + 1)^2 neighbourhood. Radius 0 leaves the image unchanged.
template <class TPixel>
void boxBlur(Image<TPixel>& image, int radius);

// Any odd-length separable kernel, applied vertically then horizontally.
template <class TPixel>
void convolveSeparable(Image<TPixel>& image, const std::vector<float>& kernel);

// The blurred image as a new image; the source is unchanged.
template <class TPixel>
Image<TPixel> gaussianBlurred(const Image<TPixel>& image, float sigma);

}  // namespace poolscope
