#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ImagingTestSupport.h"
#include "imaging/ResamplingKernel.h"
#include "imaging/Resize.h"
#include "imaging/RowKernels.h"

using namespace poolscope;
using poolscope::testing::contiguousConfiguration;
using poolscope::testing::grayImage;
using poolscope::testing::grayValues;
using poolscope::testing::pixelBytes;
using poolscope::testing::randomImage;
using poolscope::testing::tinyChunkConfiguration;

Q_DECLARE_METATYPE(poolscope::ResamplerKind)

namespace {

void addEveryFilteringKind() {
    QTest::addColumn<ResamplerKind>("kind");
    QTest::newRow("bilinear") << ResamplerKind::Bilinear;
    QTest::newRow("bicubic") << ResamplerKind::Bicubic;
    QTest::newRow("lanczos3") << ResamplerKind::Lanczos3;
}

void addEveryKind() {
    addEveryFilteringKind();
    QTest::newRow("nearest") << ResamplerKind::NearestNeighbor;
}

template <class TPixel>
void checkChunkingAndThreadsDoNotChangeResult(ResamplerKind kind, int width, int height) {
    Image<TPixel> contiguous = randomImage<TPixel>(contiguousConfiguration(1), 37, 23, 42);
    Image<TPixel> chunked = randomImage<TPixel>(tinyChunkConfiguration(2), 37, 23, 42);
    QVERIFY(contiguous.pixelBuffer().chunkCount() == 1);
    QVERIFY(chunked.pixelBuffer().chunkCount() >= 4);
    resize(contiguous, width, height, kind);
    resize(chunked, width, height, kind);
    QCOMPARE(pixelBytes(chunked), pixelBytes(contiguous));
}

// Every size pair the tests resize between: downscales and upscales, odd widths whose vector
// blocks leave tails, windows of odd and even tap counts.
const std::pair<int, int> kSizes[] = {{11, 7}, {80, 41}, {37, 5}, {7, 60}, {150, 3}};

template <class TPixel>
std::vector<std::uint8_t> resizedBytes(const Image<TPixel>& source, int width, int height,
                                       ResamplerKind kind) {
    Image<TPixel> out = resized(source, width, height, kind);
    return pixelBytes(out);
}

}  // namespace

class ResizeTest : public QObject {
    Q_OBJECT

private slots:
    void kernelWeights_sumToOne_andStayInsideTheSource_data() { addEveryKind(); }
    void kernelWeights_sumToOne_andStayInsideTheSource() {
        QFETCH(ResamplerKind, kind);
        for (auto [source, destination] : {std::pair{100, 7}, {7, 100}, {13, 13}, {1, 5}, {5, 1}}) {
            const ResamplingKernel kernel(kind, source, destination);
            for (int i = 0; i < destination; ++i) {
                QVERIFY(kernel.start(i) >= 0);
                QVERIFY(kernel.tapCount(i) >= 1);
                QVERIFY(kernel.start(i) + kernel.tapCount(i) <= source);
                QVERIFY(kernel.tapCount(i) <= kernel.maxTaps());
                double sum = 0.0;
                for (int k = 0; k < kernel.tapCount(i); ++k) {
                    sum += kernel.weights(i)[k];
                }
                QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QString::number(sum)));
            }
        }
    }

    void kernelFunctions_matchTheirDefinitions() {
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Bilinear, 0.25), 0.75);
        // Catmull-Rom: 1 at 0, 0 at the integers, -0.0625 at 1.5, 0.5625 at 0.5.
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Bicubic, 0.0), 1.0);
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Bicubic, 1.0), 0.0);
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Bicubic, 0.5), 0.5625);
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Bicubic, -1.5), -0.0625);
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Lanczos3, 0.0), 1.0);
        QVERIFY(std::abs(ResamplingKernel::evaluate(ResamplerKind::Lanczos3, 2.0)) < 1e-12);
        QCOMPARE(ResamplingKernel::evaluate(ResamplerKind::Lanczos3, 3.0), 0.0);
        const double half = std::sin(M_PI / 2) / (M_PI / 2) * std::sin(M_PI / 6) / (M_PI / 6);
        QVERIFY(std::abs(ResamplingKernel::evaluate(ResamplerKind::Lanczos3, 0.5) - half) < 1e-12);
    }

    void downscaleKernel_isStretchedByTheScale() {
        const ResamplingKernel upscale(ResamplerKind::Bilinear, 10, 20);
        const ResamplingKernel downscale(ResamplerKind::Bilinear, 40, 10);
        QVERIFY(upscale.tapCount(10) <= 3);
        QCOMPARE(downscale.tapCount(5), 8);  // radius 1 x scale 4 on each side
    }

    void bilinearUpscale_2to4_handComputed() {
        Image<L8> image = grayImage(tinyChunkConfiguration(1), 2, 1, {0, 100});
        resize(image, 4, 1, ResamplerKind::Bilinear);
        // Centres 0.25, 0.75, 1.25, 1.75 in source pixels; edges clamp.
        QCOMPARE(grayValues(image), (std::vector<int>{0, 25, 75, 100}));
    }

    void bilinearDownscale_4to2_averagesWithStretchedTriangle() {
        Image<L8> image = grayImage(tinyChunkConfiguration(1), 4, 1, {0, 40, 80, 120});
        resize(image, 2, 1, ResamplerKind::Bilinear);
        // Output 0: weights .75 .75 .25 on 0 40 80 -> 50 / 1.75 = 28.6; output 1: .25 .75 .75
        // on 40 80 120 -> 160 / 1.75 = 91.4.
        QCOMPARE(grayValues(image), (std::vector<int>{29, 91}));
    }

    void nearestDownscale_picksTheSourcePixelUnderEachCentre() {
        Image<L8> image = grayImage(tinyChunkConfiguration(1), 4, 2, {0, 40, 80, 120, 1, 2, 3, 4});
        resize(image, 2, 1, ResamplerKind::NearestNeighbor);
        QCOMPARE(grayValues(image), (std::vector<int>{2, 4}));
    }

    void nearestUpscale_repeatsPixels() {
        Image<L8> image = grayImage(tinyChunkConfiguration(1), 2, 1, {10, 20});
        resize(image, 5, 1, ResamplerKind::NearestNeighbor);
        // Centres at 0.2, 0.6, 1.0, 1.4, 1.8 source pixels.
        QCOMPARE(grayValues(image), (std::vector<int>{10, 10, 20, 20, 20}));
    }

    void constantImage_staysConstant_underEveryKind_data() { addEveryKind(); }
    void constantImage_staysConstant_underEveryKind() {
        QFETCH(ResamplerKind, kind);
        const Rgba32 color{13, 200, 77, 255};
        for (auto [width, height] : {std::pair{5, 7}, {60, 3}, {1, 1}}) {
            Image<Rgba32> image(tinyChunkConfiguration(2), 23, 17, color);
            resize(image, width, height, kind);
            QCOMPARE(image.width(), width);
            QCOMPARE(image.height(), height);
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x) {
                    QCOMPARE(image.pixel(x, y), color);
                }
            }
        }
    }

    void downscalingStripes_isAntialiased_butNearestAliases_data() { addEveryFilteringKind(); }
    void downscalingStripes_isAntialiased_butNearestAliases() {
        QFETCH(ResamplerKind, kind);
        std::vector<int> stripes(64);
        for (int x = 0; x < 64; ++x) {
            stripes[static_cast<std::size_t>(x)] = x % 2 == 0 ? 0 : 255;
        }
        Image<L8> filtered = grayImage(tinyChunkConfiguration(1), 64, 1, stripes);
        resize(filtered, 16, 1, kind);
        // Away from the edges (where the window, up to 3 outputs wide for Lanczos3, is clipped
        // and renormalised) every output averages as many dark as bright stripes.
        const std::vector<int> values = grayValues(filtered);
        for (std::size_t i = 3; i + 3 < values.size(); ++i) {
            QVERIFY2(std::abs(values[i] - 128) <= 1, qPrintable(QString::number(values[i])));
        }
        Image<L8> nearest = grayImage(tinyChunkConfiguration(1), 64, 1, stripes);
        resize(nearest, 16, 1, ResamplerKind::NearestNeighbor);
        for (int value : grayValues(nearest)) {
            QVERIFY(value == 0 || value == 255);
        }
    }

    void sharpKernels_overshootIsSaturated_forIntegerChannels() {
        Image<L8> image =
            grayImage(tinyChunkConfiguration(1), 8, 1, {0, 0, 0, 0, 255, 255, 255, 255});
        resize(image, 32, 1, ResamplerKind::Lanczos3);
        const std::vector<int> values = grayValues(image);
        // The ringing on both sides of the step is clipped, not wrapped around.
        QCOMPARE(std::count(values.begin(), values.end(), 0) > 4, true);
        QCOMPARE(std::count(values.begin(), values.end(), 255) > 4, true);
        QVERIFY(values[15] > 0 && values[15] < 255);
    }

    void transparentColour_doesNotBleedIntoTheBlend_data() { addEveryFilteringKind(); }
    void transparentColour_doesNotBleedIntoTheBlend() {
        QFETCH(ResamplerKind, kind);
        // Left half fully transparent red, right half opaque blue. Filtered premultiplied, the
        // red has no weight: the blended edge is blue at partial alpha, with no red tint.
        Image<Rgba32> image(tinyChunkConfiguration(2), 16, 4, Rgba32{0, 0, 255, 255});
        for (int y = 0; y < 4; ++y) {
            for (int x = 0; x < 8; ++x) {
                image.setPixel(x, y, Rgba32{255, 0, 0, 0});
            }
        }
        resize(image, 6, 2, kind);
        int blended = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const Rgba32 pixel = image.pixel(x, y);
                QCOMPARE(int(pixel.r), 0);
                QCOMPARE(int(pixel.g), 0);
                if (pixel.a > 0) {
                    QCOMPARE(int(pixel.b), 255);
                }
                blended += pixel.a > 0 && pixel.a < 255 ? 1 : 0;
            }
        }
        QVERIFY(blended > 0);
    }

    void floatPixels_keepOvershoot() {
        // Opaque black, then white: the colour rings (alpha 1 everywhere keeps it unscaled).
        Image<RgbaVector> image(tinyChunkConfiguration(1), 4, 1,
                                RgbaVector{0.0f, 0.0f, 0.0f, 1.0f});
        for (int x = 2; x < 4; ++x) {
            image.setPixel(x, 0, {1.0f, 1.0f, 1.0f, 1.0f});
        }
        resize(image, 16, 1, ResamplerKind::Lanczos3);
        float highest = 0.0f;
        for (int x = 0; x < 16; ++x) {
            highest = std::max(highest, image.pixel(x, 0).r);
        }
        QVERIFY(highest > 1.0f);
    }

    void sameSize_leavesPixelsUnchanged() {
        Image<Rgba32> image = randomImage<Rgba32>(tinyChunkConfiguration(1), 9, 9, 3);
        const auto before = pixelBytes(image);
        resize(image, 9, 9, ResamplerKind::Lanczos3);
        QCOMPARE(pixelBytes(image), before);
    }

    void nonPositiveTarget_isRefused() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 resize(image, 0, 4, ResamplerKind::Bilinear));
    }

    void contiguousAndTinyChunks_giveIdenticalBytes_data() { addEveryKind(); }
    void contiguousAndTinyChunks_giveIdenticalBytes() {
        QFETCH(ResamplerKind, kind);
        for (auto [width, height] : {std::pair{11, 7}, {80, 41}, {37, 5}}) {
            checkChunkingAndThreadsDoNotChangeResult<Rgba32>(kind, width, height);
            checkChunkingAndThreadsDoNotChangeResult<Bgra32>(kind, width, height);
            checkChunkingAndThreadsDoNotChangeResult<Rgb24>(kind, width, height);
            checkChunkingAndThreadsDoNotChangeResult<L8>(kind, width, height);
            checkChunkingAndThreadsDoNotChangeResult<L16>(kind, width, height);
            checkChunkingAndThreadsDoNotChangeResult<RgbaVector>(kind, width, height);
        }
    }

    void avx2AndBaselinePaths_giveIdenticalBytes_data() { addEveryFilteringKind(); }
    void avx2AndBaselinePaths_giveIdenticalBytes() {
        QFETCH(ResamplerKind, kind);
        if (!RowKernelDispatch::cpuHasAvx2()) {
            QSKIP("This CPU has no AVX2: there is only the baseline path.");
        }
        const Image<Rgba32> rgba = randomImage<Rgba32>(tinyChunkConfiguration(2), 45, 29, 17);
        const Image<Bgra32> bgra = randomImage<Bgra32>(contiguousConfiguration(2), 45, 29, 18);
        for (auto [width, height] : kSizes) {
            RowKernelDispatch::allowAvx2(false);
            const auto rgbaBaseline = resizedBytes(rgba, width, height, kind);
            const auto bgraBaseline = resizedBytes(bgra, width, height, kind);
            RowKernelDispatch::allowAvx2(true);
            QCOMPARE(resizedBytes(rgba, width, height, kind), rgbaBaseline);
            QCOMPARE(resizedBytes(bgra, width, height, kind), bgraBaseline);
        }
    }

    void eightBitRgba_staysWithinOneLevelOfTheFloatPath_data() { addEveryFilteringKind(); }
    void eightBitRgba_staysWithinOneLevelOfTheFloatPath() {
        QFETCH(ResamplerKind, kind);
        // RgbaVector takes the float path: the same filter, premultiplied, in floats. The 8-bit
        // result may differ from it by rounding, by at most one level per channel. The colour of
        // an all but transparent pixel is the quotient of two tiny sums, where a rounding of
        // 1/64 level in the premultiplied sum moves it by several levels: colours are compared
        // from alpha 8 on (there the quotient moves by at most a fifth of a level).
        constexpr int kLeastAlphaForColour = 8;
        const Image<Rgba32> bytes = randomImage<Rgba32>(tinyChunkConfiguration(2), 45, 29, 5);
        const Image<RgbaVector> floats =
            randomImage<RgbaVector>(tinyChunkConfiguration(2), 45, 29, 5);
        for (auto [width, height] : kSizes) {
            const Image<Rgba32> fixed = resized(bytes, width, height, kind);
            const Image<RgbaVector> reference = resized(floats, width, height, kind);
            int worst = 0;
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x) {
                    const Rgba32 expected = PixelConverter::convert<Rgba32>(reference.pixel(x, y));
                    const Rgba32 actual = fixed.pixel(x, y);
                    worst = std::max(worst, std::abs(actual.a - expected.a));
                    if (expected.a >= kLeastAlphaForColour) {
                        worst = std::max({worst, std::abs(actual.r - expected.r),
                                          std::abs(actual.g - expected.g),
                                          std::abs(actual.b - expected.b)});
                    }
                }
            }
            QVERIFY2(
                worst <= 1,
                qPrintable(
                    QStringLiteral("%1x%2: %3 levels apart").arg(width).arg(height).arg(worst)));
        }
    }

    void manyThreads_giveTheSameBytesAsOne() {
        Image<Rgba32> one = randomImage<Rgba32>(tinyChunkConfiguration(1), 200, 150, 9);
        Image<Rgba32> many = randomImage<Rgba32>(tinyChunkConfiguration(4), 200, 150, 9);
        resize(one, 77, 301, ResamplerKind::Bicubic);
        resize(many, 77, 301, ResamplerKind::Bicubic);
        QCOMPARE(pixelBytes(many), pixelBytes(one));
    }
};

QTEST_GUILESS_MAIN(ResizeTest)
#include "ResizeTest.moc"
