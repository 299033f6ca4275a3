#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define POOLSCOPE_X86_KERNELS 1
#endif

namespace poolscope {

// The inner loops the filters share, on blocks of 8 floats (GCC/Clang vector extensions: one
// AVX register, or two SSE registers on the baseline instruction set). The instruction set is
// a policy: BaselineIsa compiles everywhere; Avx2Isa is only called from functions compiled
// for AVX2 (target attribute) after a runtime CPU check, see RowKernelDispatch.
//
// Every lane does the same multiply and add as the scalar tail, in the same order, and neither
// instruction set enables FMA (so nothing gets fused), so the bytes do not depend on the
// instruction set, on where a row starts, or on how the image is split into chunks.
using Float8 = float __attribute__((vector_size(32)));

// Float8 never crosses a function boundary by value (loads write through a reference): clang
// refuses 32-byte vector arguments and returns in code compiled without AVX, even when the
// function is always inlined, and GCC warns about the psABI for them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

#define POOLSCOPE_INLINE inline __attribute__((always_inline))

struct BaselineIsa {
    template <class C>
    static POOLSCOPE_INLINE void load8(const C* source, Float8& value) {
        if constexpr (std::is_same_v<C, float>) {
            std::memcpy(&value, source, sizeof value);
#if defined(POOLSCOPE_X86_KERNELS)
        } else if constexpr (std::is_same_v<C, std::uint8_t>) {
            // Compilers widen bytes to floats one by one; SSE2 does four at a time.
            const __m128i zero = _mm_setzero_si128();
            const __m128i words =
                _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(source)), zero);
            const __m128 low = _mm_cvtepi32_ps(_mm_unpacklo_epi16(words, zero));
            const __m128 high = _mm_cvtepi32_ps(_mm_unpackhi_epi16(words, zero));
            std::memcpy(&value, &low, sizeof low);
            std::memcpy(reinterpret_cast<char*>(&value) + sizeof low, &high, sizeof high);
        } else if constexpr (std::is_same_v<C, std::uint16_t>) {
            const __m128i zero = _mm_setzero_si128();
            const __m128i words = _mm_loadu_si128(reinterpret_cast<const __m128i*>(source));
            const __m128 low = _mm_cvtepi32_ps(_mm_unpacklo_epi16(words, zero));
            const __m128 high = _mm_cvtepi32_ps(_mm_unpackhi_epi16(words, zero));
            std::memcpy(&value, &low, sizeof low);
            std::memcpy(reinterpret_cast<char*>(&value) + sizeof low, &high, sizeof high);
#endif
        } else {
            for (int i = 0; i < 8; ++i) {
                value[i] = static_cast<float>(source[i]);
            }
        }
    }

    // Fixed-point blocks for 8-bit channels, see RowKernels::fixedSumOfTaps. Each returns how
    // many elements it did; the caller finishes the rest with the same integer arithmetic.
    static POOLSCOPE_INLINE std::size_t fixedSumOfTapsBlocks(std::uint16_t* out,
                                                             const std::uint16_t* const* taps,
                                                             const std::uint16_t* weights,
                                                             int tapCount, std::size_t count,
                                                             std::uint16_t bias) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        // Four blocks at a time: each weight is broadcast once for 32 samples.
        for (; i + 32 <= count; i += 32) {
            __m128i sum[4];
            for (__m128i& s : sum) {
                s = _mm_set1_epi16(static_cast<short>(bias));
            }
            for (int k = 0; k < tapCount; ++k) {
                const __m128i weight = _mm_set1_epi16(static_cast<short>(weights[k]));
                const std::uint16_t* tap = taps[k] + i;
                for (int b = 0; b < 4; ++b) {
                    sum[b] = _mm_adds_epu16(
                        sum[b], _mm_mulhi_epu16(
                                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(tap + 8 * b)),
                                    weight));
                }
            }
            for (int b = 0; b < 4; ++b) {
                _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 8 * b), sum[b]);
            }
        }
        for (; i + 8 <= count; i += 8) {
            __m128i sum = _mm_set1_epi16(static_cast<short>(bias));
            for (int k = 0; k < tapCount; ++k) {
                const __m128i tap = _mm_loadu_si128(reinterpret_cast<const __m128i*>(taps[k] + i));
                sum = _mm_adds_epu16(
                    sum, _mm_mulhi_epu16(tap, _mm_set1_epi16(static_cast<short>(weights[k]))));
            }
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), sum);
        }
#endif
        return i;
    }
#if defined(POOLSCOPE_X86_KERNELS)
    // The horizontal fixed-point resize of one RGBA pixel adds its pairs of taps from here;
    // the blocks do none on the baseline.
    static POOLSCOPE_INLINE int horizontalPairBlocks(__m128i&, const std::int16_t*,
                                                     const std::int32_t*, int) {
        return 0;
    }
#endif

    static POOLSCOPE_INLINE std::size_t premultiplyToFixedBlocks(std::int16_t* out,
                                                                 const std::uint8_t* in,
                                                                 std::size_t count) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        const __m128i zero = _mm_setzero_si128();
        const __m128i factor = _mm_set1_epi16(static_cast<short>(32897));
        const __m128i colourLanes = _mm_set_epi16(0, -1, -1, -1, 0, -1, -1, -1);
        auto convert = [&](__m128i pixels) {
            const __m128i alpha = _mm_shufflehi_epi16(_mm_shufflelo_epi16(pixels, 0xFF), 0xFF);
            const __m128i colour = _mm_mulhi_epu16(_mm_mullo_epi16(pixels, alpha), factor);
            return _mm_or_si128(_mm_and_si128(colourLanes, colour),
                                _mm_andnot_si128(colourLanes, _mm_slli_epi16(pixels, 7)));
        };
        for (; i + 16 <= count; i += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                             convert(_mm_unpacklo_epi8(bytes, zero)));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 8),
                             convert(_mm_unpackhi_epi8(bytes, zero)));
        }
#endif
        return i;
    }
    // Blocks of RowKernels::fixedSumOfRowPairs, 8 samples at a time.
    static POOLSCOPE_INLINE std::size_t fixedSumOfRowPairsBlocks(std::int32_t* out,
                                                                 const std::int16_t* const* rows,
                                                                 const std::int32_t* weightPairs,
                                                                 int pairCount, std::size_t count,
                                                                 int shift) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        const __m128i rounding = _mm_set1_epi32(1 << (shift - 1));
        const __m128i bits = _mm_cvtsi32_si128(shift);
        for (; i + 8 <= count; i += 8) {
            __m128i low = rounding;
            __m128i high = rounding;
            for (int j = 0; j < pairCount; ++j) {
                const __m128i even =
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2 * j] + i));
                const __m128i odd =
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2 * j + 1] + i));
                const __m128i weights = _mm_set1_epi32(weightPairs[j]);
                low = _mm_add_epi32(low, _mm_madd_epi16(_mm_unpacklo_epi16(even, odd), weights));
                high = _mm_add_epi32(high, _mm_madd_epi16(_mm_unpackhi_epi16(even, odd), weights));
            }
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_sra_epi32(low, bits));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 4), _mm_sra_epi32(high, bits));
        }
#endif
        return i;
    }
    static POOLSCOPE_INLINE std::size_t widenBlocks(std::uint16_t* out, const std::uint8_t* in,
                                                    std::size_t count) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        const __m128i zero = _mm_setzero_si128();
        for (; i + 16 <= count; i += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_unpacklo_epi8(zero, bytes));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 8),
                             _mm_unpackhi_epi8(zero, bytes));
        }
#endif
        return i;
    }
    static POOLSCOPE_INLINE std::size_t narrowBlocks(std::uint8_t* out, const std::uint16_t* in,
                                                     std::size_t count) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        const __m128i half = _mm_set1_epi16(128);
        for (; i + 16 <= count; i += 16) {
            const __m128i low = _mm_srli_epi16(
                _mm_adds_epu16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)), half), 8);
            const __m128i high = _mm_srli_epi16(
                _mm_adds_epu16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i + 8)), half),
                8);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(low, high));
        }
#endif
        return i;
    }
};

#if defined(POOLSCOPE_X86_KERNELS)
// Not always_inline: GCC would refuse to inline it into RowKernels' own (baseline) bodies. The
// AVX2 entry points are `flatten`ed, which inlines it there, where the target matches.
struct Avx2Isa {
    template <class C>
    static inline __attribute__((target("avx2"))) void load8(const C* source, Float8& value) {
        if constexpr (std::is_same_v<C, std::uint8_t>) {
            const __m256 wide = _mm256_cvtepi32_ps(
                _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(source))));
            std::memcpy(&value, &wide, sizeof value);
        } else if constexpr (std::is_same_v<C, std::uint16_t>) {
            const __m256 wide = _mm256_cvtepi32_ps(
                _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(source))));
            std::memcpy(&value, &wide, sizeof value);
        } else {
            std::memcpy(&value, source, sizeof value);
        }
    }

    static inline __attribute__((target("avx2"))) std::size_t fixedSumOfTapsBlocks(
        std::uint16_t* out, const std::uint16_t* const* taps, const std::uint16_t* weights,
        int tapCount, std::size_t count, std::uint16_t bias) {
        std::size_t i = 0;
        // Four blocks at a time: each weight is broadcast once for 64 samples.
        for (; i + 64 <= count; i += 64) {
            __m256i sum[4];
            for (__m256i& s : sum) {
                s = _mm256_set1_epi16(static_cast<short>(bias));
            }
            for (int k = 0; k < tapCount; ++k) {
                const __m256i weight = _mm256_set1_epi16(static_cast<short>(weights[k]));
                const std::uint16_t* tap = taps[k] + i;
                for (int b = 0; b < 4; ++b) {
                    sum[b] = _mm256_adds_epu16(
                        sum[b],
                        _mm256_mulhi_epu16(
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tap + 16 * b)),
                            weight));
                }
            }
            for (int b = 0; b < 4; ++b) {
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 16 * b), sum[b]);
            }
        }
        for (; i + 16 <= count; i += 16) {
            __m256i sum = _mm256_set1_epi16(static_cast<short>(bias));
            for (int k = 0; k < tapCount; ++k) {
                const __m256i tap =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(taps[k] + i));
                sum = _mm256_adds_epu16(
                    sum,
                    _mm256_mulhi_epu16(tap, _mm256_set1_epi16(static_cast<short>(weights[k]))));
            }
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), sum);
        }
        return i;
    }
    // Two pairs of taps (four pixels) per instruction, one pair per 128-bit lane; the lanes
    // are added at the end. Integer sums: the same bits as one pair at a time.
    static inline __attribute__((target("avx2"))) int horizontalPairBlocks(
        __m128i& sum, const std::int16_t* taps, const std::int32_t* weights, int pairCount) {
        int j = 0;
        if (pairCount < 2) {
            return 0;
        }
        const __m256i interleave =
            _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, 0, 1, 8, 9, 2, 3,
                             10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
        const __m256i spread = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
        __m256i wide = _mm256_setzero_si256();
        for (; j + 2 <= pairCount; j += 2) {
            const __m256i four = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(taps + 8 * j));
            const __m256i weightPairs = _mm256_permutevar8x32_epi32(
                _mm256_castsi128_si256(
                    _mm_loadl_epi64(reinterpret_cast<const __m128i*>(weights + j))),
                spread);
            wide = _mm256_add_epi32(
                wide, _mm256_madd_epi16(_mm256_shuffle_epi8(four, interleave), weightPairs));
        }
        sum = _mm_add_epi32(
            sum, _mm_add_epi32(_mm256_castsi256_si128(wide), _mm256_extracti128_si256(wide, 1)));
        return j;
    }
    static inline __attribute__((target("avx2"))) std::size_t premultiplyToFixedBlocks(
        std::int16_t* out, const std::uint8_t* in, std::size_t count) {
        std::size_t i = 0;
        const __m256i factor = _mm256_set1_epi16(static_cast<short>(32897));
        for (; i + 16 <= count; i += 16) {
            const __m256i pixels =
                _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)));
            const __m256i alpha =
                _mm256_shufflehi_epi16(_mm256_shufflelo_epi16(pixels, 0xFF), 0xFF);
            const __m256i colour = _mm256_mulhi_epu16(_mm256_mullo_epi16(pixels, alpha), factor);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                                _mm256_blend_epi16(colour, _mm256_slli_epi16(pixels, 7), 0x88));
        }
        return i;
    }
    static inline __attribute__((target("avx2"))) std::size_t fixedSumOfRowPairsBlocks(
        std::int32_t* out, const std::int16_t* const* rows, const std::int32_t* weightPairs,
        int pairCount, std::size_t count, int shift) {
        std::size_t i = 0;
        const __m256i rounding = _mm256_set1_epi32(1 << (shift - 1));
        const __m128i bits = _mm_cvtsi32_si128(shift);
        for (; i + 16 <= count; i += 16) {
            __m256i low = rounding;
            __m256i high = rounding;
            for (int j = 0; j < pairCount; ++j) {
                const __m256i even =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[2 * j] + i));
                const __m256i odd =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[2 * j + 1] + i));
                const __m256i weights = _mm256_set1_epi32(weightPairs[j]);
                low = _mm256_add_epi32(
                    low, _mm256_madd_epi16(_mm256_unpacklo_epi16(even, odd), weights));
                high = _mm256_add_epi32(
                    high, _mm256_madd_epi16(_mm256_unpackhi_epi16(even, odd), weights));
            }
            // The unpacks work per 128-bit lane: low holds samples 0-3 and 8-11, high 4-7 and
            // 12-15.
            low = _mm256_sra_epi32(low, bits);
            high = _mm256_sra_epi32(high, bits);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                                _mm256_permute2x128_si256(low, high, 0x20));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 8),
                                _mm256_permute2x128_si256(low, high, 0x31));
        }
        return i;
    }
    static inline __attribute__((target("avx2"))) std::size_t widenBlocks(std::uint16_t* out,
                                                                          const std::uint8_t* in,
                                                                          std::size_t count) {
        std::size_t i = 0;
        for (; i + 16 <= count; i += 16) {
            const __m256i words = _mm256_slli_epi16(
                _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))), 8);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), words);
        }
        return i;
    }
    static inline __attribute__((target("avx2"))) std::size_t narrowBlocks(std::uint8_t* out,
                                                                           const std::uint16_t* in,
                                                                           std::size_t count) {
        std::size_t i = 0;
        const __m256i half = _mm256_set1_epi16(128);
        for (; i + 32 <= count; i += 32) {
            const __m256i low = _mm256_srli_epi16(
                _mm256_adds_epu16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i)),
                                  half),
                8);
            const __m256i high = _mm256_srli_epi16(
                _mm256_adds_epu16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i + 16)),
                                  half),
                8);
            // packus works per 128-bit lane; the permute puts the bytes back in order.
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                                _mm256_permute4x64_epi64(_mm256_packus_epi16(low, high), 0xD8));
        }
        return i;
    }
};
#endif

template <class Isa>
struct RowKernels {
    // out[i] = sum over k of weights[k] * taps[k][i], in order of k. Each output block stays
    // in registers across all taps: every input is read once and every output written once.
    template <class C>
    static POOLSCOPE_INLINE void sumOfTaps(float* out, const C* const* taps, const float* weights,
                                           int tapCount, std::size_t count) {
        std::size_t i = 0;
        for (; i + 8 <= count; i += 8) {
            Float8 tap;
            Isa::load8(taps[0] + i, tap);
            Float8 sum = (Float8{} + weights[0]) * tap;
            for (int k = 1; k < tapCount; ++k) {
                Isa::load8(taps[k] + i, tap);
                sum = sum + (Float8{} + weights[k]) * tap;
            }
            std::memcpy(out + i, &sum, sizeof sum);
        }
        for (; i < count; ++i) {
            float sum = weights[0] * static_cast<float>(taps[0][i]);
            for (int k = 1; k < tapCount; ++k) {
                sum = sum + weights[k] * static_cast<float>(taps[k][i]);
            }
            out[i] = sum;
        }
    }

    // sumOfTaps for 4-channel pixels with alpha last, premultiplied on the way in: each tap's
    // colour channels are multiplied by its alpha (in the alpha's own scale) before weighting,
    // so that transparent pixels carry no colour. Undo it with unpremultiply.
    template <class C>
    static POOLSCOPE_INLINE void sumOfPremultipliedTaps(float* out, const C* const* taps,
                                                        const float* weights, int tapCount,
                                                        std::size_t count) {
        std::size_t i = 0;
        for (; i + 8 <= count; i += 8) {
            Float8 tap;
            Isa::load8(taps[0] + i, tap);
            premultiply(tap);
            Float8 sum = (Float8{} + weights[0]) * tap;
            for (int k = 1; k < tapCount; ++k) {
                Isa::load8(taps[k] + i, tap);
                premultiply(tap);
                sum = sum + (Float8{} + weights[k]) * tap;
            }
            std::memcpy(out + i, &sum, sizeof sum);
        }
        for (; i < count; i += 4) {
            for (int c = 0; c < 4; ++c) {
                float sum = 0.0f;
                for (int k = 0; k < tapCount; ++k) {
                    const float alpha = c == 3 ? 1.0f : static_cast<float>(taps[k][i + 3]);
                    const float term = weights[k] * (static_cast<float>(taps[k][i + c]) * alpha);
                    sum = k == 0 ? term : sum + term;
                }
                out[i + c] = sum;
            }
        }
    }

    // Divides the colour channels of 4-channel pixels by their (filtered) alpha; where the
    // alpha is not positive nothing was opaque and the colour is 0.
    static POOLSCOPE_INLINE void unpremultiply(float* row, std::size_t count) {
        for (std::size_t i = 0; i + 4 <= count; i += 4) {
            const float alpha = row[i + 3];
            for (int c = 0; c < 3; ++c) {
                row[i + c] = alpha > 0.0f ? row[i + c] / alpha : 0.0f;
            }
        }
    }

    // Two RGBA pixels times (a, a, a, 1) each, in place.
    static POOLSCOPE_INLINE void premultiply(Float8& pixels) {
        const Float8 factors = {pixels[3], pixels[3], pixels[3], 1.0f,
                                pixels[7], pixels[7], pixels[7], 1.0f};
        pixels = pixels * factors;
    }

    // A symmetric kernel: out[i] = weights[0] * center[i] + sum over k = 1..radius of
    // weights[k] * (before[k - 1][i] + after[k - 1][i]); half the multiplies of sumOfTaps.
    template <class C>
    static POOLSCOPE_INLINE void sumOfSymmetricTaps(float* out, const C* center,
                                                    const C* const* before, const C* const* after,
                                                    const float* weights, int radius,
                                                    std::size_t count) {
        std::size_t i = 0;
        for (; i + 8 <= count; i += 8) {
            Float8 tap;
            Float8 mirrored;
            Isa::load8(center + i, tap);
            Float8 sum = (Float8{} + weights[0]) * tap;
            for (int k = 1; k <= radius; ++k) {
                Isa::load8(before[k - 1] + i, tap);
                Isa::load8(after[k - 1] + i, mirrored);
                sum = sum + (Float8{} + weights[k]) * (tap + mirrored);
            }
            std::memcpy(out + i, &sum, sizeof sum);
        }
        for (; i < count; ++i) {
            float sum = weights[0] * static_cast<float>(center[i]);
            for (int k = 1; k <= radius; ++k) {
                sum = sum + weights[k] * (static_cast<float>(before[k - 1][i]) +
                                          static_cast<float>(after[k - 1][i]));
            }
            out[i] = sum;
        }
    }

    // The fixed-point form for 8-bit channels (blurs with non-negative weights summing to 1):
    // samples are 8.8 fixed point, weights 0.16, and out[i] = bias + sum over k of
    // (taps[k][i] * weights[k]) >> 16, every addition saturating, in order of k. Integer
    // arithmetic: every instruction set and every tail gives the same bits.
    static POOLSCOPE_INLINE void fixedSumOfTaps(std::uint16_t* out,
                                                const std::uint16_t* const* taps,
                                                const std::uint16_t* weights, int tapCount,
                                                std::size_t count, std::uint16_t bias) {
        for (std::size_t i = Isa::fixedSumOfTapsBlocks(out, taps, weights, tapCount, count, bias);
             i < count; ++i) {
            std::uint32_t sum = bias;
            for (int k = 0; k < tapCount; ++k) {
                sum = std::min<std::uint32_t>(
                    sum + ((std::uint32_t{taps[k][i]} * weights[k]) >> 16), 0xFFFF);
            }
            out[i] = static_cast<std::uint16_t>(sum);
        }
    }

    // The fixed-point sum for resizing 8-bit pixels: rows are 16-bit samples, taken in pairs
    // (2j, 2j + 1) with weightPairs[j] holding their 16-bit weights (even tap low), and
    // out[i] = (sum + half) >> shift, rounded to nearest. 32-bit integer sums: exact, so every
    // instruction set, order and tail gives the same bits.
    static POOLSCOPE_INLINE void fixedSumOfRowPairs(std::int32_t* out,
                                                    const std::int16_t* const* rows,
                                                    const std::int32_t* weightPairs, int pairCount,
                                                    std::size_t count, int shift) {
        for (std::size_t i =
                 Isa::fixedSumOfRowPairsBlocks(out, rows, weightPairs, pairCount, count, shift);
             i < count; ++i) {
            std::int32_t sum = 1 << (shift - 1);
            for (int j = 0; j < pairCount; ++j) {
                sum += lowWeight(weightPairs[j]) * rows[2 * j][i] +
                       highWeight(weightPairs[j]) * rows[2 * j + 1][i];
            }
            out[i] = sum >> shift;
        }
    }
    static POOLSCOPE_INLINE std::int32_t lowWeight(std::int32_t pair) {
        return static_cast<std::int16_t>(static_cast<std::uint32_t>(pair) & 0xFFFFu);
    }
    static POOLSCOPE_INLINE std::int32_t highWeight(std::int32_t pair) {
        return static_cast<std::int16_t>(static_cast<std::uint32_t>(pair) >> 16);
    }

    // 8-bit RGBA (alpha last) to premultiplied 16-bit samples in units of 1/128 of a level:
    // colour (c * a * 32897) >> 16, which is c * 128 exactly when a is 255 and at most 32640;
    // alpha a * 128. Integer arithmetic, the same bits for blocks and tail.
    static POOLSCOPE_INLINE void premultiplyToFixed(std::int16_t* out, const std::uint8_t* in,
                                                    std::size_t count) {
        std::size_t i = Isa::premultiplyToFixedBlocks(out, in, count);
        for (; i + 4 <= count; i += 4) {
            const std::uint32_t alpha = in[i + 3];
            for (int c = 0; c < 3; ++c) {
                out[i + c] = static_cast<std::int16_t>((in[i + c] * alpha * 32897u) >> 16);
            }
            out[i + 3] = static_cast<std::int16_t>(alpha << 7);
        }
    }

    // 8-bit samples to 8.8 fixed point.
    static POOLSCOPE_INLINE void widen(std::uint16_t* out, const std::uint8_t* in,
                                       std::size_t count) {
        for (std::size_t i = Isa::widenBlocks(out, in, count); i < count; ++i) {
            out[i] = static_cast<std::uint16_t>(in[i] << 8);
        }
    }

    // 8.8 fixed point back to 8 bits, rounding to nearest (saturating at 255).
    static POOLSCOPE_INLINE void narrow(std::uint8_t* out, const std::uint16_t* in,
                                        std::size_t count) {
        for (std::size_t i = Isa::narrowBlocks(out, in, count); i < count; ++i) {
            out[i] = static_cast<std::uint8_t>(std::min<std::uint32_t>(in[i] + 128u, 0xFFFF) >> 8);
        }
    }

    // Rounds to nearest and saturates for integer channels (NaN becomes 0); floats pass through.
    template <class C>
    static POOLSCOPE_INLINE C toComponent(float value) {
        if constexpr (std::is_same_v<C, float>) {
            return value;
        } else {
            constexpr float kMax = static_cast<float>(C(~C(0)));
            if (!(value > 0.0f)) {
                return 0;
            }
            if (value >= kMax) {
                return C(~C(0));
            }
            return static_cast<C>(value + 0.5f);
        }
    }

    template <class C>
    static POOLSCOPE_INLINE void store(C* destination, const float* row, std::size_t count) {
        std::size_t i = 0;
#if defined(POOLSCOPE_X86_KERNELS)
        if constexpr (std::is_same_v<C, std::uint8_t>) {
            // max(v, 0) turns NaN into 0 (the second operand wins), min caps at 255, and the
            // truncation of v + 0.5 is the scalar rounding; the packs then cannot saturate.
            const __m128 zero = _mm_setzero_ps();
            const __m128 top = _mm_set1_ps(255.0f);
            const __m128 half = _mm_set1_ps(0.5f);
            auto convert = [&](const float* from) {
                const __m128 clamped = _mm_min_ps(_mm_max_ps(_mm_loadu_ps(from), zero), top);
                return _mm_cvttps_epi32(_mm_add_ps(clamped, half));
            };
            for (; i + 16 <= count; i += 16) {
                const __m128i first = _mm_packs_epi32(convert(row + i), convert(row + i + 4));
                const __m128i second = _mm_packs_epi32(convert(row + i + 8), convert(row + i + 12));
                _mm_storeu_si128(reinterpret_cast<__m128i*>(destination + i),
                                 _mm_packus_epi16(first, second));
            }
        }
#endif
        for (; i < count; ++i) {
            destination[i] = toComponent<C>(row[i]);
        }
    }
};

#pragma GCC diagnostic pop

// Whether the AVX2 versions of the filter loops run: when the CPU has AVX2 (checked once) and
// nobody turned them off. Tests turn them off to prove both paths give the same bytes.
class RowKernelDispatch {
public:
    static bool useAvx2() { return cpuHasAvx2() && avx2Allowed().load(std::memory_order_relaxed); }
    static bool cpuHasAvx2() {
#if defined(POOLSCOPE_X86_KERNELS)
        static const bool supported = __builtin_cpu_supports("avx2");
        return supported;
#else
        return false;
#endif
    }
    static void allowAvx2(bool allowed) {
        avx2Allowed().store(allowed, std::memory_order_relaxed);
    }

private:
    static std::atomic<bool>& avx2Allowed() {
        static std::atomic<bool> allowed{true};
        return allowed;
    }
};

}  // namespace poolscope
