#include <QtTest>

#include <QTemporaryDir>

#include <filesystem>
#include <string>
#include <vector>

#include "ImagingTestSupport.h"
#include "PngTestSupport.h"
#include "ScenarioTestSupport.h"
#include "imaging/Image.h"
#include "imaging/L16.h"
#include "imaging/L8.h"
#include "imaging/Resize.h"
#include "imaging/Rgb24.h"
#include "imaging/Rgba32.h"
#include "imaging/RgbaVector.h"
#include "imaging/codecs/ImageCodecs.h"
#include "imaging/codecs/JpegCodec.h"
#include "imaging/codecs/PngCodec.h"
#include "scenarios/BatchResizeScenario.h"
#include "scenarios/ScenarioRunner.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

// A source PNG of this colour type and depth, decoded (16-bit ones at their own precision),
// resized and encoded with the source's layout: what the output's header says.
template <class TPixel>
PngHeaderFields throughResize(const std::vector<std::uint8_t>& source, ChannelLayout layout) {
    Image<TPixel> decoded =
        PngCodec::decode<TPixel>(source, Configuration::defaultInstance(), "source.png");
    const Image<TPixel> result = resized(decoded, 20, 12, ResamplerKind::Bicubic);
    return pngHeaderFields(PngCodec::encode(result, layout));
}

std::vector<std::uint8_t> fileBytes(const std::filesystem::path& path) {
    return ImageCodecs::readFile(path);
}

}  // namespace

// Encoders keep the source's colour type and bit depth unless another layout is asked for: a
// gray photo comes out gray, a 16-bit one 16-bit, whatever pixel type it was processed in.
class EncoderLayoutTest : public QObject {
    Q_OBJECT

private slots:
    void pngEncoder_keepsTheSourcesColourTypeAndBitDepth_data() {
        QTest::addColumn<int>("colorType");
        QTest::addColumn<int>("bitDepth");
        QTest::addColumn<bool>("transparency");
        QTest::addColumn<int>("writtenColorType");
        QTest::addColumn<int>("writtenBitDepth");
        QTest::newRow("gray 8") << PNG_COLOR_TYPE_GRAY << 8 << false << PNG_COLOR_TYPE_GRAY << 8;
        QTest::newRow("gray 16") << PNG_COLOR_TYPE_GRAY << 16 << false << PNG_COLOR_TYPE_GRAY << 16;
        QTest::newRow("gray 2, widened")
            << PNG_COLOR_TYPE_GRAY << 2 << false << PNG_COLOR_TYPE_GRAY << 8;
        QTest::newRow("gray+alpha 8")
            << PNG_COLOR_TYPE_GRAY_ALPHA << 8 << false << PNG_COLOR_TYPE_GRAY_ALPHA << 8;
        QTest::newRow("gray+alpha 16")
            << PNG_COLOR_TYPE_GRAY_ALPHA << 16 << false << PNG_COLOR_TYPE_GRAY_ALPHA << 16;
        QTest::newRow("RGB 8") << PNG_COLOR_TYPE_RGB << 8 << false << PNG_COLOR_TYPE_RGB << 8;
        QTest::newRow("RGB 16") << PNG_COLOR_TYPE_RGB << 16 << false << PNG_COLOR_TYPE_RGB << 16;
        QTest::newRow("RGBA 8") << PNG_COLOR_TYPE_RGBA << 8 << false << PNG_COLOR_TYPE_RGBA << 8;
        QTest::newRow("RGBA 16") << PNG_COLOR_TYPE_RGBA << 16 << false << PNG_COLOR_TYPE_RGBA << 16;
        QTest::newRow("palette") << PNG_COLOR_TYPE_PALETTE << 8 << false << PNG_COLOR_TYPE_RGB << 8;
        QTest::newRow("palette with transparency")
            << PNG_COLOR_TYPE_PALETTE << 4 << true << PNG_COLOR_TYPE_RGBA << 8;
    }

    void pngEncoder_keepsTheSourcesColourTypeAndBitDepth() {
        QFETCH(int, colorType);
        QFETCH(int, bitDepth);
        QFETCH(bool, transparency);
        QFETCH(int, writtenColorType);
        QFETCH(int, writtenBitDepth);
        RawPng spec = noisePng(colorType, bitDepth, false, 17);
        if (!transparency) {
            spec.paletteAlpha.clear();
        }
        const std::vector<std::uint8_t> source = encodeWithLibpng(spec);
        const ChannelLayout layout = PngCodec::identify(source, "source.png").layout;
        const PngHeaderFields written = layout.bitsPerChannel == 16
                                            ? throughResize<RgbaVector>(source, layout)
                                            : throughResize<Rgba32>(source, layout);
        QCOMPARE(written.colorType, writtenColorType);
        QCOMPARE(written.bitDepth, writtenBitDepth);
        // Asked for nothing, an RGBA image is written as its pixel type is: the conversion
        // the caller chose.
        const PngHeaderFields own = throughResize<Rgba32>(source, {});
        QCOMPARE(own.colorType, PNG_COLOR_TYPE_RGBA);
        QCOMPARE(own.bitDepth, 8);
    }

    void pngEncoder_sixteenBitGrayThroughRgbaVector_keepsEverySample() {
        const RawPng spec = noisePng(PNG_COLOR_TYPE_GRAY, 16, false, 5);
        const std::vector<std::uint8_t> source = encodeWithLibpng(spec);
        const Image<RgbaVector> decoded =
            PngCodec::decode<RgbaVector>(source, Configuration::defaultInstance(), "gray16.png");
        const std::vector<std::uint8_t> encoded =
            PngCodec::encode(decoded, PngCodec::identify(source, "gray16.png").layout);
        const Image<L16> again =
            PngCodec::decode<L16>(encoded, Configuration::defaultInstance(), "again.png");
        for (int y = 0; y < spec.height; ++y) {
            for (int x = 0; x < spec.width; ++x) {
                QCOMPARE(again.pixel(x, y).value,
                         spec.samples[static_cast<std::size_t>(y * spec.width + x)]);
            }
        }
    }

    void jpegEncoder_grayStaysGrayAndColourStaysColour() {
        const Configuration& configuration = Configuration::defaultInstance();
        const std::vector<std::uint8_t> gray =
            JpegCodec::encode(randomImage<L8>(configuration, 40, 30, 3));
        const ChannelLayout grayLayout = JpegCodec::identify(gray, "gray.jpg").layout;
        QCOMPARE(grayLayout, (ChannelLayout{1, 8}));
        const Image<Rgba32> decoded = JpegCodec::decode<Rgba32>(gray, configuration, "gray.jpg");
        QCOMPARE(JpegCodec::identify(JpegCodec::encode(decoded, 90, false, grayLayout), "out")
                     .components,
                 1);
        const std::vector<std::uint8_t> colour =
            JpegCodec::encode(randomImage<Rgb24>(configuration, 40, 30, 4));
        const ChannelLayout colourLayout = JpegCodec::identify(colour, "colour.jpg").layout;
        QCOMPARE(colourLayout, (ChannelLayout{3, 8}));
        const Image<L8> grayed = JpegCodec::decode<L8>(colour, configuration, "colour.jpg");
        QCOMPARE(JpegCodec::identify(JpegCodec::encode(grayed, 90, false, colourLayout), "out")
                     .components,
                 3);
    }

    void batchResize_keepsEachSourcesChannelsAndBitDepth() {
        QTemporaryDir input;
        QTemporaryDir output;
        const auto in = [&](const char* name) {
            return std::filesystem::path(input.filePath(name).toStdString());
        };
        const auto out = [&](const char* name) {
            return std::filesystem::path(output.filePath(name).toStdString());
        };
        RawPng photo = noisePng(PNG_COLOR_TYPE_GRAY, 8, false, 1);
        photo.width = 512;
        photo.height = 512;
        photo.samples.assign(512 * 512, 128);
        ImageCodecs::writeFile(in("gray-photo.png"), encodeWithLibpng(photo));
        ImageCodecs::writeFile(in("gray16.png"),
                               encodeWithLibpng(noisePng(PNG_COLOR_TYPE_GRAY, 16, false, 2)));
        ImageCodecs::writeFile(in("rgb.png"),
                               encodeWithLibpng(noisePng(PNG_COLOR_TYPE_RGB, 8, false, 3)));
        ImageCodecs::writeFile(in("rgba16.png"),
                               encodeWithLibpng(noisePng(PNG_COLOR_TYPE_RGBA, 16, false, 4)));
        ImageCodecs::writeFile(in("gray.jpg"), JpegCodec::encode(randomImage<L8>(
                                                   Configuration::defaultInstance(), 64, 48, 5)));
        ScenarioRunner runner(smallPoolWithoutStacks(64));
        BatchResizeScenario scenario;
        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"input", input.path().toStdString()},
                                                  {"output", output.path().toStdString()},
                                                  {"width", "16"}}));
        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(report.outcome.images->processed, std::int64_t{5});

        const auto header = [&](const char* name) { return pngHeaderFields(fileBytes(out(name))); };
        QCOMPARE(header("gray-photo.png").colorType, PNG_COLOR_TYPE_GRAY);
        QCOMPARE(header("gray-photo.png").bitDepth, 8);
        QCOMPARE(header("gray16.png").colorType, PNG_COLOR_TYPE_GRAY);
        QCOMPARE(header("gray16.png").bitDepth, 16);
        QCOMPARE(header("rgb.png").colorType, PNG_COLOR_TYPE_RGB);
        QCOMPARE(header("rgb.png").bitDepth, 8);
        QCOMPARE(header("rgba16.png").colorType, PNG_COLOR_TYPE_RGBA);
        QCOMPARE(header("rgba16.png").bitDepth, 16);
        QCOMPARE(ImageCodecs::identifyFile(out("gray.jpg")).components, 1);
        // A flat gray photo stays that gray.
        const Image<L8> small =
            ImageCodecs::load<L8>(out("gray-photo.png"), Configuration::defaultInstance());
        QCOMPARE(small.pixel(8, 8).value, std::uint8_t{128});
    }
};

QTEST_GUILESS_MAIN(EncoderLayoutTest)
#include "EncoderLayoutTest.moc"
