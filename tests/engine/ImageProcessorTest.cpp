#include <QtTest>

#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

#include "ImagingTestSupport.h"
#include "imaging/ColorAdjustments.h"
#include "imaging/Convolution.h"
#include "imaging/Resize.h"
#include "imaging/RowKernels.h"
#include "imaging/Transforms.h"

using namespace poolscope;
using poolscope::testing::contiguousConfiguration;
using poolscope::testing::grayImage;
using poolscope::testing::grayValues;
using poolscope::testing::pixelBytes;
using poolscope::testing::randomImage;
using poolscope::testing::tinyChunkConfiguration;

namespace {

// 3 x 2, values 0 1 2 / 3 4 5.
Image<L8> numbered3x2() {
    return grayImage(tinyChunkConfiguration(1), 3, 2, {0, 1, 2, 3, 4, 5});
}

template <class TPixel>
void checkProcessorIsLayoutIndependent(const std::function<void(Image<TPixel>&)>& processor) {
    Image<TPixel> contiguous = randomImage<TPixel>(contiguousConfiguration(1), 37, 29, 7);
    Image<TPixel> chunked = randomImage<TPixel>(tinyChunkConfiguration(2), 37, 29, 7);
    QVERIFY(contiguous.pixelBuffer().chunkCount() == 1);
    QVERIFY(chunked.pixelBuffer().chunkCount() >= 4);
    processor(contiguous);
    processor(chunked);
    QCOMPARE(chunked.width(), contiguous.width());
    QCOMPARE(chunked.height(), contiguous.height());
    QCOMPARE(pixelBytes(chunked), pixelBytes(contiguous));
}

template <class TPixel>
void checkEveryProcessorIsLayoutIndependent() {
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { gaussianBlur(image, 1.5f); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { gaussianBlur(image, 4.0f); });
    checkProcessorIsLayoutIndependent<TPixel>([](Image<TPixel>& image) { boxBlur(image, 3); });
    checkProcessorIsLayoutIndependent<TPixel>([](Image<TPixel>& image) { grayscale(image); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { adjustBrightnessContrast(image, 1.3f, 0.7f); });
    checkProcessorIsLayoutIndependent<TPixel>([](Image<TPixel>& image) {
        crop(image, {3, 5, 20, 17});
    });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { rotate(image, RotateMode::Rotate90); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { rotate(image, RotateMode::Rotate180); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { rotate(image, RotateMode::Rotate270); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { flip(image, FlipMode::Horizontal); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { flip(image, FlipMode::Vertical); });
    checkProcessorIsLayoutIndependent<TPixel>(
        [](Image<TPixel>& image) { pad(image, 41, 40, TPixel{}); });
}

}  // namespace

class ImageProcessorTest : public QObject {
    Q_OBJECT

private slots:
    // Blur --------------------------------------------------------------------------------------

    void gaussianKernel_isNormalisedSymmetricAndThreeSigmaWide() {
        const std::vector<float> kernel = gaussianKernel(1.0f);
        QCOMPARE(kernel.size(), std::size_t{7});
        QVERIFY(std::abs(std::accumulate(kernel.begin(), kernel.end(), 0.0) - 1.0) < 1e-6);
        for (std::size_t i = 0; i < kernel.size(); ++i) {
            QCOMPARE(kernel[i], kernel[kernel.size() - 1 - i]);
        }
        // exp(-1/2) relative to the centre.
        QVERIFY(std::abs(kernel[4] / kernel[3] - std::exp(-0.5)) < 1e-6);
        QCOMPARE(gaussianKernel(2.5f).size(), std::size_t{17});
    }

    void gaussianBlur_nonPositiveSigma_isRefused() {
        Image<L8> image(tinyChunkConfiguration(1), 3, 3);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gaussianBlur(image, 0.0f));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gaussianBlur(image, -1.0f));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, gaussianBlur(image, NAN));
    }

    void boxBlur_radius1_spreadsACentreImpulseEvenly() {
        Image<L8> image = grayImage(tinyChunkConfiguration(1), 3, 3, {0, 0, 0, 0, 90, 0, 0, 0, 0});
        boxBlur(image, 1);
        // Every 3x3 neighbourhood (edges replicated) holds the centre exactly once: 90 / 9.
        QCOMPARE(grayValues(image), std::vector<int>(9, 10));
    }

    void boxBlur_radius0_changesNothing_andNegativeIsRefused() {
        Image<L8> image = numbered3x2();
        boxBlur(image, 0);
        QCOMPARE(grayValues(image), (std::vector<int>{0, 1, 2, 3, 4, 5}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, boxBlur(image, -1));
    }

    void asymmetricKernel_shiftsByOnePixel_withReplicatedEdges() {
        Image<L8> image = numbered3x2();
        // Output(x, y) = input(x + 1, y + 1), clamped to the image.
        convolveSeparable(image, {0.0f, 0.0f, 1.0f});
        QCOMPARE(grayValues(image), (std::vector<int>{4, 5, 5, 4, 5, 5}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, convolveSeparable(image, {0.5f, 0.5f}));
    }

    void gaussianBlur_keepsConstantImageConstant() {
        Image<Rgba32> image(tinyChunkConfiguration(2), 31, 19, Rgba32{10, 128, 250, 255});
        gaussianBlur(image, 3.0f);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                QCOMPARE(image.pixel(x, y), (Rgba32{10, 128, 250, 255}));
            }
        }
    }

    void gaussianBlur_impulse_isSymmetricPeakedAndKeepsItsMass() {
        std::vector<int> values(21 * 21, 0);
        values[10 * 21 + 10] = 255;
        Image<L16> image = grayImage(tinyChunkConfiguration(1), 21, 21, values).cloneAs<L16>();
        gaussianBlur(image, 1.0f);
        double mass = 0.0;
        for (int y = 0; y < 21; ++y) {
            for (int x = 0; x < 21; ++x) {
                const int value = image.pixel(x, y).value;
                mass += value;
                QCOMPARE(value, int(image.pixel(20 - x, y).value));
                QCOMPARE(value, int(image.pixel(y, x).value));
                QVERIFY(value <= int(image.pixel(10, 10).value));
            }
        }
        QVERIFY2(std::abs(mass - 255.0 * 257.0) < 21 * 21 * 0.5, qPrintable(QString::number(mass)));
        // The centre weight of a sigma-1 kernel, squared: about 0.1592.
        QVERIFY(std::abs(image.pixel(10, 10).value / 65535.0 - 0.1592) < 0.001);
    }

    // Colour ------------------------------------------------------------------------------------

    void grayscale_usesBt709_andKeepsAlpha() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 2, 1);
        image.setPixel(0, 0, {255, 0, 0, 7});
        image.setPixel(1, 0, {0, 255, 0, 200});
        grayscale(image);
        QCOMPARE(image.pixel(0, 0), (Rgba32{54, 54, 54, 7}));
        QCOMPARE(image.pixel(1, 0), (Rgba32{182, 182, 182, 200}));
    }

    void grayscale_leavesGrayTypesUnchanged() {
        Image<L8> image = numbered3x2();
        grayscale(image);
        QCOMPARE(grayValues(image), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    }

    void brightnessContrast_identityChangesNothing() {
        Image<Rgba32> image = randomImage<Rgba32>(tinyChunkConfiguration(1), 9, 9, 11);
        const auto before = pixelBytes(image);
        adjustBrightnessContrast(image, 1.0f, 1.0f);
        QCOMPARE(pixelBytes(image), before);
    }

    void brightnessContrast_handComputed_andAlphaKept() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 1, 1, Rgba32{200, 100, 0, 33});
        adjustBrightnessContrast(image, 0.5f, 1.0f);
        QCOMPARE(image.pixel(0, 0), (Rgba32{100, 50, 0, 33}));
        adjustBrightnessContrast(image, 1.0f, 0.0f);  // no contrast: everything mid-gray
        QCOMPARE(image.pixel(0, 0), (Rgba32{128, 128, 128, 33}));
        Image<L8> gray = grayImage(tinyChunkConfiguration(1), 2, 1, {64, 191});
        adjustBrightnessContrast(gray, 1.0f, 2.0f);  // (v - 0.5) * 2 + 0.5
        QCOMPARE(grayValues(gray), (std::vector<int>{1, 255}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 adjustBrightnessContrast(gray, -1.0f, 1.0f));
    }

    // Geometry ----------------------------------------------------------------------------------

    void crop_takesTheRectangle_andRefusesOutsideOrEmpty() {
        Image<L8> image = numbered3x2();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, crop(image, {2, 0, 2, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, crop(image, {0, 0, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, crop(image, {-1, 0, 1, 1}));
        crop(image, {1, 0, 2, 2});
        QCOMPARE(image.width(), 2);
        QCOMPARE(grayValues(image), (std::vector<int>{1, 2, 4, 5}));
    }

    void rotate90_isClockwise() {
        Image<L8> image = numbered3x2();
        rotate(image, RotateMode::Rotate90);
        QCOMPARE(image.width(), 2);
        QCOMPARE(image.height(), 3);
        QCOMPARE(grayValues(image), (std::vector<int>{3, 0, 4, 1, 5, 2}));
    }

    void rotate270_isCounterClockwise() {
        Image<L8> image = numbered3x2();
        rotate(image, RotateMode::Rotate270);
        QCOMPARE(grayValues(image), (std::vector<int>{2, 5, 1, 4, 0, 3}));
    }

    void rotate180_reversesThePixelOrder_oddAndEvenHeights() {
        Image<L8> image = numbered3x2();
        rotate(image, RotateMode::Rotate180);
        QCOMPARE(grayValues(image), (std::vector<int>{5, 4, 3, 2, 1, 0}));
        Image<L8> odd = grayImage(tinyChunkConfiguration(1), 2, 3, {0, 1, 2, 3, 4, 5});
        rotate(odd, RotateMode::Rotate180);
        QCOMPARE(grayValues(odd), (std::vector<int>{5, 4, 3, 2, 1, 0}));
    }

    void fourQuarterTurns_giveTheOriginal() {
        Image<Rgba32> image = randomImage<Rgba32>(tinyChunkConfiguration(2), 37, 29, 4);
        const auto before = pixelBytes(image);
        for (int i = 0; i < 4; ++i) {
            rotate(image, RotateMode::Rotate90);
        }
        QCOMPARE(pixelBytes(image), before);
        rotate(image, RotateMode::Rotate90);
        rotate(image, RotateMode::Rotate270);
        QCOMPARE(pixelBytes(image), before);
    }

    void flips_mirror_andTwiceGiveTheOriginal() {
        Image<L8> image = numbered3x2();
        flip(image, FlipMode::Horizontal);
        QCOMPARE(grayValues(image), (std::vector<int>{2, 1, 0, 5, 4, 3}));
        flip(image, FlipMode::Horizontal);
        flip(image, FlipMode::Vertical);
        QCOMPARE(grayValues(image), (std::vector<int>{3, 4, 5, 0, 1, 2}));
        flip(image, FlipMode::Vertical);
        QCOMPARE(grayValues(image), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    }

    void pad_centresTheImage_onTheBackground() {
        Image<L8> image = numbered3x2();
        pad(image, 6, 4, L8{99});
        QCOMPARE(image.width(), 6);
        QCOMPARE(image.height(), 4);
        // Left margin 1 (the odd pixel goes right), top margin 1.
        QCOMPARE(grayValues(image), (std::vector<int>{99, 99, 99, 99, 99, 99,  //
                                                      99, 0,  1,  2,  99, 99,  //
                                                      99, 3,  4,  5,  99, 99,  //
                                                      99, 99, 99, 99, 99, 99}));
    }

    void pad_neverShrinks() {
        Image<L8> image = numbered3x2();
        pad(image, 1, 1, L8{99});
        QCOMPARE(grayValues(image), (std::vector<int>{0, 1, 2, 3, 4, 5}));
        pad(image, 3, 3, L8{99});
        QCOMPARE(grayValues(image), (std::vector<int>{0, 1, 2, 3, 4, 5, 99, 99, 99}));
    }

    void gaussianBlur_fixedPointOn8BitChannels_staysWithinOneLevelOfFloat() {
        // Rgba32 runs the 8.8 fixed-point path, RgbaVector the float one, with the same kernel.
        for (const float sigma : {0.6f, 1.0f, 3.0f, 7.5f}) {
            Image<Rgba32> fixed = randomImage<Rgba32>(tinyChunkConfiguration(2), 83, 41, 5);
            Image<RgbaVector> reference = fixed.cloneAs<RgbaVector>();
            gaussianBlur(fixed, sigma);
            gaussianBlur(reference, sigma);
            Image<Rgba32> rounded = reference.cloneAs<Rgba32>();
            const std::vector<std::uint8_t> expected = pixelBytes(rounded);
            const std::vector<std::uint8_t> actual = pixelBytes(fixed);
            QCOMPARE(actual.size(), expected.size());
            int worst = 0;
            for (std::size_t i = 0; i < actual.size(); ++i) {
                worst = std::max(worst, std::abs(int(actual[i]) - int(expected[i])));
            }
            QVERIFY2(worst <= 1, qPrintable(QString("sigma %1: off by %2").arg(sigma).arg(worst)));
        }
    }

    // Layout independence -----------------------------------------------------------------------

    void avx2AndBaselineKernels_giveIdenticalBytes() {
        if (!RowKernelDispatch::cpuHasAvx2()) {
            QSKIP("This CPU has no AVX2: only the baseline kernels run here.");
        }
        auto run = [](bool avx2) {
            RowKernelDispatch::allowAvx2(avx2);
            Image<Rgba32> image = randomImage<Rgba32>(tinyChunkConfiguration(2), 61, 47, 8);
            Image<L16> wide = image.cloneAs<L16>();
            gaussianBlur(image, 2.0f);
            resize(image, 29, 70, ResamplerKind::Lanczos3);
            boxBlur(wide, 2);
            resize(wide, 33, 20, ResamplerKind::Bicubic);
            RowKernelDispatch::allowAvx2(true);
            std::vector<std::uint8_t> bytes = pixelBytes(image);
            const std::vector<std::uint8_t> wideBytes = pixelBytes(wide);
            bytes.insert(bytes.end(), wideBytes.begin(), wideBytes.end());
            return bytes;
        };
        QCOMPARE(run(false), run(true));
    }

    void everyProcessor_contiguousAndTinyChunks_identical_rgba32() {
        checkEveryProcessorIsLayoutIndependent<Rgba32>();
    }
    void everyProcessor_contiguousAndTinyChunks_identical_bgra32() {
        checkEveryProcessorIsLayoutIndependent<Bgra32>();
    }
    void everyProcessor_contiguousAndTinyChunks_identical_rgb24() {
        checkEveryProcessorIsLayoutIndependent<Rgb24>();
    }
    void everyProcessor_contiguousAndTinyChunks_identical_l8() {
        checkEveryProcessorIsLayoutIndependent<L8>();
    }
    void everyProcessor_contiguousAndTinyChunks_identical_l16() {
        checkEveryProcessorIsLayoutIndependent<L16>();
    }
    void everyProcessor_contiguousAndTinyChunks_identical_rgbaVector() {
        checkEveryProcessorIsLayoutIndependent<RgbaVector>();
    }
};

QTEST_GUILESS_MAIN(ImageProcessorTest)
#include "ImageProcessorTest.moc"
