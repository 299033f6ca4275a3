#pragma once

#include "imaging/Image.h"

namespace poolscope {

struct PixelRect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

enum class RotateMode { Rotate90, Rotate180, Rotate270 };  // clockwise
enum class FlipMode { Horizontal, Vertical };

// Geometric processors. Flip and rotate 180 work in place (no new memory, fine on wrapped
// images). Rotate 90/270 build the result in a new buffer that replaces the image's, or is
// copied back into wrapped memory (same pixel count). Crop and pad change the pixel count, so
// on wrapped memory they raise InvalidMemoryOperation (Buffer2D::kIncompatibleBuffersMessage).

// Throws std::invalid_argument unless the rectangle is non-empty and inside the image.
template <class TPixel>
void crop(Image<TPixel>& image, const PixelRect& rectangle);

template <class TPixel>
void rotate(Image<TPixel>& image, RotateMode mode);

template <class TPixel>
void flip(Image<TPixel>& image, FlipMode mode);

// Centres the image on a canvas of max(width, image width) x max(height, image height) filled
// with `background`; an odd margin puts the extra pixel right and below.
template <class TPixel>
void pad(Image<TPixel>& image, int width, int height, const TPixel& background);

}  // namespace poolscope
