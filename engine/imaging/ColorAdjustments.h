#pragma once

#include "imaging/Image.h"

namespace poolscope {

// Per-pixel colour processors; they work in place and keep alpha.

// BT.709 luminance into every colour channel (integer weights for integer channels, see
// ColorMath); already-gray types are left as they are.
template <class TPixel>
void grayscale(Image<TPixel>& image);

// In [0, 1] channel units: v' = (v * brightness - 0.5) * contrast + 0.5, clamped and rounded
// (ImageSharp's Brightness then Contrast). brightness 1 and contrast 1 change nothing. Throws
// std::invalid_argument for negative or non-finite amounts.
template <class TPixel>
void adjustBrightnessContrast(Image<TPixel>& image, float brightness, float contrast);

}  // namespace poolscope
