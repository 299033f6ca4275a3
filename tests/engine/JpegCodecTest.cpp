#include <QtTest>

// jpeglib.h uses FILE and size_t without including their headers.
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "ImagingTestSupport.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "imaging/Image.h"
#include "imaging/codecs/ImageCodecs.h"
#include "imaging/codecs/InvalidImageContent.h"
#include "imaging/codecs/JpegCodec.h"

using namespace poolscope;
using poolscope::testing::tinyChunkConfiguration;

namespace {

// A photo-like image: smooth gradients and waves plus a little noise. JPEG at quality 90 is
// meant for this; pure noise would measure the quantizer, not the codec.
Image<Rgb24> photoLikeImage(const Configuration& configuration, int width, int height) {
    Image<Rgb24> image = Image<Rgb24>::createUninitialized(configuration, width, height);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> noise(-3, 3);
    auto clamp8 = [](double value) {
        return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0, 255.0)));
    };
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double wave = 40.0 * std::sin(x * 0.05) * std::cos(y * 0.07);
            image.setPixel(x, y,
                           Rgb24{clamp8(255.0 * x / width + wave + noise(random)),
                                 clamp8(255.0 * y / height - wave + noise(random)),
                                 clamp8(128.0 + wave + noise(random))});
        }
    }
    return image;
}

template <class TPixel>
double psnr(const Image<TPixel>& first, const Image<TPixel>& second) {
    double squaredError = 0.0;
    std::int64_t samples = 0;
    for (int y = 0; y < first.height(); ++y) {
        for (int x = 0; x < first.width(); ++x) {
            const Rgba32 a = first.pixel(x, y).toRgba32();
            const Rgba32 b = second.pixel(x, y).toRgba32();
            for (const auto& [u, v] : {std::pair{a.r, b.r}, {a.g, b.g}, {a.b, b.b}}) {
                squaredError += (u - v) * (u - v);
                ++samples;
            }
        }
    }
    const double meanSquaredError = squaredError / static_cast<double>(samples);
    return meanSquaredError == 0.0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / meanSquaredError);
}

struct CmykPatch {
    std::uint8_t c, m, y, k;  // ink, 0 = none
};

// A CMYK JPEG written by libjpeg itself, as Photoshop writes them: an Adobe marker and inverted
// samples (255 = no ink). `storedSpace` is JCS_CMYK or JCS_YCCK. One 16 x 16 patch per colour,
// aligned to the MCU grid so that no patch bleeds into the next.
std::vector<std::uint8_t> cmykJpeg(const std::vector<CmykPatch>& patches,
                                   J_COLOR_SPACE storedSpace) {
    jpeg_compress_struct info;
    jpeg_error_mgr errors;
    info.err = jpeg_std_error(&errors);  // exits on error: acceptable for fixed test input
    jpeg_create_compress(&info);
    unsigned char* output = nullptr;
    unsigned long outputSize = 0;
    jpeg_mem_dest(&info, &output, &outputSize);
    info.image_width = static_cast<JDIMENSION>(16 * patches.size());
    info.image_height = 16;
    info.input_components = 4;
    info.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&info);
    jpeg_set_colorspace(&info, storedSpace);
    jpeg_set_quality(&info, 95, TRUE);
    jpeg_start_compress(&info, TRUE);
    std::vector<JSAMPLE> row;
    for (const CmykPatch& patch : patches) {
        for (int x = 0; x < 16; ++x) {
            row.insert(row.end(),
                       {static_cast<JSAMPLE>(255 - patch.c), static_cast<JSAMPLE>(255 - patch.m),
                        static_cast<JSAMPLE>(255 - patch.y), static_cast<JSAMPLE>(255 - patch.k)});
        }
    }
    for (int y = 0; y < 16; ++y) {
        JSAMPROW rows[1] = {row.data()};
        jpeg_write_scanlines(&info, rows, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    std::vector<std::uint8_t> file(output, output + outputSize);
    std::free(output);
    return file;
}

// A real JPEG whose frame header is rewritten to claim width x height.
std::vector<std::uint8_t> hostileJpeg(int width, int height) {
    const Configuration configuration = tinyChunkConfiguration(1);
    std::vector<std::uint8_t> file =
        JpegCodec::encode(Image<Rgb24>(configuration, 16, 16, Rgb24{1, 2, 3}));
    for (std::size_t i = 2; i + 8 < file.size(); ++i) {
        if (file[i] == 0xFF && file[i + 1] == 0xC0) {
            file[i + 5] = static_cast<std::uint8_t>(height >> 8);
            file[i + 6] = static_cast<std::uint8_t>(height & 0xff);
            file[i + 7] = static_cast<std::uint8_t>(width >> 8);
            file[i + 8] = static_cast<std::uint8_t>(width & 0xff);
            return file;
        }
    }
    throw std::runtime_error("no SOF0 marker in the encoded JPEG");
}

}  // namespace

class JpegCodecTest : public QObject {
    Q_OBJECT

private slots:
    void quality90_keepsPsnrAbove35dB_baselineAndProgressive() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgb24> original = photoLikeImage(configuration, 317, 203);
        for (bool progressive : {false, true}) {
            const std::vector<std::uint8_t> file = JpegCodec::encode(original, 90, progressive);
            const ImageInfo info = JpegCodec::identify(file, "photo.jpg");
            QCOMPARE(info.width, 317);
            QCOMPARE(info.height, 203);
            QCOMPARE(info.components, 3);
            Image<Rgb24> decoded = JpegCodec::decode<Rgb24>(file, configuration, "photo.jpg");
            const double quality = psnr(original, decoded);
            QVERIFY2(
                quality >= 35.0,
                qPrintable(
                    QStringLiteral("PSNR %1 dB, progressive %2").arg(quality).arg(progressive)));
        }
    }

    void lowerQuality_makesSmallerFiles() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgb24> original = photoLikeImage(configuration, 128, 96);
        QVERIFY(JpegCodec::encode(original, 30).size() < JpegCodec::encode(original, 95).size());
    }

    void decode_intoEveryPixelType_agreesWithRgb24() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::vector<std::uint8_t> file =
            JpegCodec::encode(photoLikeImage(configuration, 45, 31), 90);
        Image<Rgb24> rgb = JpegCodec::decode<Rgb24>(file, configuration, "p.jpg");
        Image<Rgba32> rgba = JpegCodec::decode<Rgba32>(file, configuration, "p.jpg");
        Image<Bgra32> bgra = JpegCodec::decode<Bgra32>(file, configuration, "p.jpg");
        Image<L8> gray = JpegCodec::decode<L8>(file, configuration, "p.jpg");
        Image<RgbaVector> vector = JpegCodec::decode<RgbaVector>(file, configuration, "p.jpg");
        for (int y = 0; y < 31; ++y) {
            for (int x = 0; x < 45; ++x) {
                const Rgb24 color = rgb.pixel(x, y);
                QCOMPARE(rgba.pixel(x, y), PixelConverter::convert<Rgba32>(color));
                QCOMPARE(bgra.pixel(x, y), PixelConverter::convert<Bgra32>(color));
                QCOMPARE(gray.pixel(x, y), PixelConverter::convert<L8>(color));
                QCOMPARE(vector.pixel(x, y), PixelConverter::convert<RgbaVector>(color));
            }
        }
    }

    void grayscale_encodesOneComponent_andDecodesGray() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<L8> original = photoLikeImage(configuration, 120, 80).cloneAs<L8>();
        const std::vector<std::uint8_t> file = JpegCodec::encode(original, 90);
        QCOMPARE(JpegCodec::identify(file, "gray.jpg").components, 1);
        Image<L8> decoded = JpegCodec::decode<L8>(file, configuration, "gray.jpg");
        QVERIFY(psnr(original, decoded) >= 35.0);
        Image<Rgba32> asColour = JpegCodec::decode<Rgba32>(file, configuration, "gray.jpg");
        for (int y = 0; y < 80; ++y) {
            for (int x = 0; x < 120; ++x) {
                const std::uint8_t value = decoded.pixel(x, y).value;
                QCOMPARE(asColour.pixel(x, y), (Rgba32{value, value, value, 255}));
            }
        }
        // L16 takes the grayscale route too.
        Image<L16> wide = original.cloneAs<L16>();
        QCOMPARE(JpegCodec::identify(JpegCodec::encode(wide, 90), "gray16.jpg").components, 1);
    }

    void cmykAndYcck_areConvertedToRgb() {
        const std::vector<CmykPatch> patches = {{0, 0, 0, 0},     {255, 0, 0, 0}, {0, 255, 0, 0},
                                                {0, 0, 255, 0},   {0, 0, 0, 255}, {0, 0, 0, 128},
                                                {128, 64, 32, 16}};
        const Configuration configuration = tinyChunkConfiguration(1);
        for (J_COLOR_SPACE stored : {JCS_CMYK, JCS_YCCK}) {
            const std::vector<std::uint8_t> file = cmykJpeg(patches, stored);
            QCOMPARE(JpegCodec::identify(file, "cmyk.jpg").components, 4);
            Image<Rgb24> decoded = JpegCodec::decode<Rgb24>(file, configuration, "cmyk.jpg");
            for (std::size_t i = 0; i < patches.size(); ++i) {
                const CmykPatch& ink = patches[i];
                auto expected = [&](std::uint8_t channelInk) {
                    return (255 - channelInk) * (255 - ink.k) / 255.0;
                };
                const Rgb24 got = decoded.pixel(static_cast<int>(16 * i + 8), 8);
                const QByteArray where = QStringLiteral("space %1, patch %2, got %3 %4 %5")
                                             .arg(stored)
                                             .arg(i)
                                             .arg(got.r)
                                             .arg(got.g)
                                             .arg(got.b)
                                             .toUtf8();
                QVERIFY2(std::abs(got.r - expected(ink.c)) <= 4.0, where.constData());
                QVERIFY2(std::abs(got.g - expected(ink.m)) <= 4.0, where.constData());
                QVERIFY2(std::abs(got.b - expected(ink.y)) <= 4.0, where.constData());
            }
        }
    }

    void identify_readsTheHeaderWithoutAllocating() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::vector<std::uint8_t> file =
            JpegCodec::encode(photoLikeImage(configuration, 211, 97), 80, true);
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        const std::size_t liveBefore = MemoryDiagnostics::liveAllocations().size();
        const ImageInfo info = ImageCodecs::identify(file, "identify.jpg");
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
        QCOMPARE(MemoryDiagnostics::liveAllocations().size(), liveBefore);
        QCOMPARE(info.format, ImageFormat::Jpeg);
        QCOMPARE(info.width, 211);
        QCOMPARE(info.height, 97);
        QCOMPARE(info.bitsPerComponent, 8);
    }

    void decode_honoursPreferContiguous() {
        Configuration contiguous = Configuration::defaultInstance().clone();
        contiguous.preferContiguousImageBuffers = true;
        const std::vector<std::uint8_t> file =
            JpegCodec::encode(photoLikeImage(Configuration::defaultInstance(), 2400, 1600), 85);
        Image<Rgba32> decoded = JpegCodec::decode<Rgba32>(file, contiguous, "large.jpg");
        MemoryGroupView<Rgba32> memory;
        QVERIFY(decoded.dangerousTryGetSinglePixelMemory(memory));
        QCOMPARE(memory.length(), std::size_t{2400} * 1600);
        Image<Rgba32> chunked =
            JpegCodec::decode<Rgba32>(file, Configuration::defaultInstance(), "large.jpg");
        QVERIFY(!chunked.dangerousTryGetSinglePixelMemory(memory));
        QVERIFY(testing::pixelBytes(chunked) == testing::pixelBytes(decoded));
    }

    void hostileHeader_isRefusedBeforeAllocating() {
        for (const auto& [width, height] :
             {std::pair{32768, 32769}, std::pair{65500, 65500}, std::pair{30000, 30000}}) {
            const std::vector<std::uint8_t> file = hostileJpeg(width, height);
            QCOMPARE(JpegCodec::identify(file, "hostile.jpg").width, width);
            const std::int64_t undisposedBefore =
                MemoryDiagnostics::totalUndisposedAllocationCount();
            const std::size_t liveBefore = MemoryDiagnostics::liveAllocations().size();
            QString message;
            try {
                JpegCodec::decode<Rgba32>(file, Configuration::defaultInstance(), "hostile.jpg");
            } catch (const InvalidImageContent& error) {
                message = QString::fromStdString(error.what());
                QCOMPARE(error.sourceName(), std::string("hostile.jpg"));
            }
            const auto pixels = static_cast<std::uint64_t>(width) * height;
            QCOMPARE(message,
                     QStringLiteral("Cannot decode image. Failed to allocate buffers for possibly "
                                    "degenerate dimensions: %1x%2. 'hostile.jpg': %3 pixels "
                                    "exceed the decode limit of %4 pixels "
                                    "(Configuration::maxDecodePixels).")
                         .arg(width)
                         .arg(height)
                         .arg(pixels)
                         .arg(Configuration::kDefaultMaxDecodePixels));
            QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
            QCOMPARE(MemoryDiagnostics::liveAllocations().size(), liveBefore);
        }
    }

    void truncatedFile_isAnErrorNamingTheSource() {
        const Configuration configuration = tinyChunkConfiguration(1);
        std::vector<std::uint8_t> file = JpegCodec::encode(photoLikeImage(configuration, 64, 64));
        file.resize(file.size() / 2);
        try {
            JpegCodec::decode<Rgb24>(file, configuration, "/photos/half.jpg");
            QFAIL("a truncated JPEG decoded");
        } catch (const InvalidImageContent& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.contains("/photos/half.jpg"), qPrintable(message));
            QVERIFY2(message.contains("Premature end"), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(JpegCodecTest)
#include "JpegCodecTest.moc"
