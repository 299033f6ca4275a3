#pragma once

#include "imaging/Image.h"
#include "imaging/ResamplingKernel.h"

namespace poolscope {

// Resizes to width x height: separable, vertical pass then horizontal pass per output row, on
// float intermediates, row-parallel. 8-bit RGBA types (Rgba32, Bgra32) take a fixed-point path
// instead (14-bit weights, horizontal pass once per source row, vertical pass over whole rows),
// within one level of the float path wherever the result's alpha is at least 8. Pixels with alpha
// are filtered premultiplied (as ImageSharp does): colours are weighted by their alpha and divided
// by the filtered alpha after, so the colour of transparent pixels does not bleed into their
// neighbours. Integer channels are rounded and saturated; RgbaVector keeps overshoot. Same size:
// nothing happens. On wrapped memory it raises InvalidMemoryOperation
// (Buffer2D::kIncompatibleBuffersMessage) unless the pixel count stays the same.
template <class TPixel>
void resize(Image<TPixel>& image, int width, int height, ResamplerKind kind);

// The resized image as a new image with the source's configuration; the source is unchanged
// (ImageSharp's Clone(x => x.Resize(...)), without copying the source first). Works on
// wrapped sources too, since nothing goes back into their memory.
template <class TPixel>
Image<TPixel> resized(const Image<TPixel>& image, int width, int height, ResamplerKind kind);

}  // namespace poolscope
