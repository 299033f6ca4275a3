#include <QtTest>

#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "HostilePng.h"
#include "ImagingTestSupport.h"
#include "PngTestSupport.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "imaging/Image.h"
#include "imaging/codecs/DecodeLimits.h"
#include "imaging/codecs/ImageCodecs.h"
#include "imaging/codecs/InvalidImageContent.h"
#include "imaging/codecs/PngCodec.h"
#include "memory/MemoryAllocator.h"

using namespace poolscope;
using namespace poolscope::testing;
using poolscope::testing::hostilePng;
using poolscope::testing::pixelBytes;
using poolscope::testing::randomImage;
using poolscope::testing::tinyChunkConfiguration;

namespace {

// What a pixel of `spec` means, as 16-bit RGBA: the reference every decode is checked against.
std::vector<std::uint16_t> expectedRgba16(const RawPng& spec) {
    const int channels = channelsOf(spec.colorType);
    const std::uint32_t maxSample = spec.bitDepth == 16 ? 65535u : (1u << spec.bitDepth) - 1;
    auto to16 = [&](std::uint32_t sample) {
        return static_cast<std::uint16_t>(sample * 65535u / maxSample);
    };
    std::vector<std::uint16_t> expected;
    for (int i = 0; i < spec.width * spec.height; ++i) {
        const std::uint16_t* s = &spec.samples[static_cast<std::size_t>(i * channels)];
        switch (spec.colorType) {
            case PNG_COLOR_TYPE_GRAY:
                expected.insert(expected.end(), {to16(s[0]), to16(s[0]), to16(s[0]), 65535});
                break;
            case PNG_COLOR_TYPE_GRAY_ALPHA:
                expected.insert(expected.end(), {to16(s[0]), to16(s[0]), to16(s[0]), to16(s[1])});
                break;
            case PNG_COLOR_TYPE_RGB:
                expected.insert(expected.end(), {to16(s[0]), to16(s[1]), to16(s[2]), 65535});
                break;
            case PNG_COLOR_TYPE_RGBA:
                expected.insert(expected.end(), {to16(s[0]), to16(s[1]), to16(s[2]), to16(s[3])});
                break;
            case PNG_COLOR_TYPE_PALETTE: {
                const png_color color = spec.palette[s[0]];
                expected.insert(expected.end(), {ColorMath::upscale8To16(color.red),
                                                 ColorMath::upscale8To16(color.green),
                                                 ColorMath::upscale8To16(color.blue),
                                                 ColorMath::upscale8To16(spec.paletteAlpha[s[0]])});
                break;
            }
        }
    }
    return expected;
}

QString caseName(const RawPng& spec) {
    return QStringLiteral("colour type %1, %2 bit%3")
        .arg(spec.colorType)
        .arg(spec.bitDepth)
        .arg(spec.interlaced ? QStringLiteral(", interlaced") : QString());
}

template <class Action>
QString invalidContentMessage(Action action) {
    try {
        action();
    } catch (const InvalidImageContent& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

template <class TPixel>
void verifyLosslessRoundTrip(Image<TPixel>& original) {
    const Configuration configuration = tinyChunkConfiguration(1);
    const std::vector<std::uint8_t> encoded = PngCodec::encode(original);
    Image<TPixel> decoded = PngCodec::decode<TPixel>(encoded, configuration, "round-trip.png");
    QCOMPARE(decoded.width(), original.width());
    QCOMPARE(decoded.height(), original.height());
    QVERIFY(pixelBytes(decoded) == pixelBytes(original));
}

}  // namespace

class PngCodecTest : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_everyEncodedPixelType_isLossless() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgba32> rgba = randomImage<Rgba32>(configuration, 37, 29, 1);
        verifyLosslessRoundTrip(rgba);
        Image<Bgra32> bgra = randomImage<Bgra32>(configuration, 37, 29, 2);
        verifyLosslessRoundTrip(bgra);
        Image<Rgb24> rgb = randomImage<Rgb24>(configuration, 37, 29, 3);
        verifyLosslessRoundTrip(rgb);

        // Gray noise over the full range of each depth, which luminance of random colour is not.
        std::mt19937 random(4);
        Image<L8> gray8 = Image<L8>::createUninitialized(configuration, 41, 17);
        Image<L16> gray16 = Image<L16>::createUninitialized(configuration, 41, 17);
        Image<RgbaVector> vector = Image<RgbaVector>::createUninitialized(configuration, 13, 9);
        for (int y = 0; y < 17; ++y) {
            for (int x = 0; x < 41; ++x) {
                gray8.setPixel(x, y, L8{static_cast<std::uint8_t>(random())});
                gray16.setPixel(x, y, L16{static_cast<std::uint16_t>(random())});
            }
        }
        // RgbaVector is written at 16 bits a channel, so values on the 16-bit grid come back.
        for (int y = 0; y < 9; ++y) {
            for (int x = 0; x < 13; ++x) {
                auto channel = [&] {
                    return ColorMath::unitFrom16(static_cast<std::uint16_t>(random()));
                };
                vector.setPixel(x, y, RgbaVector{channel(), channel(), channel(), channel()});
            }
        }
        verifyLosslessRoundTrip(gray8);
        verifyLosslessRoundTrip(gray16);
        verifyLosslessRoundTrip(vector);
    }

    void encoder_picksColourTypeFromPixelType() {
        const Configuration configuration = tinyChunkConfiguration(1);
        auto infoOf = [&](auto image) { return PngCodec::identify(PngCodec::encode(image), "x"); };
        QCOMPARE(infoOf(Image<L8>(configuration, 3, 2)).components, 1);
        QCOMPARE(infoOf(Image<L8>(configuration, 3, 2)).bitsPerComponent, 8);
        QCOMPARE(infoOf(Image<L16>(configuration, 3, 2)).bitsPerComponent, 16);
        QCOMPARE(infoOf(Image<Rgb24>(configuration, 3, 2)).components, 3);
        QCOMPARE(infoOf(Image<Rgba32>(configuration, 3, 2)).components, 4);
        QCOMPARE(infoOf(Image<RgbaVector>(configuration, 3, 2)).bitsPerComponent, 16);
    }

    // Every colour type and bit depth PNG has, plain and Adam7, written by libpng itself.
    void decode_everyColourTypeAndBitDepth_matchesTheSamples() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::vector<std::pair<int, std::vector<int>>> layouts = {
            {PNG_COLOR_TYPE_GRAY, {1, 2, 4, 8, 16}}, {PNG_COLOR_TYPE_GRAY_ALPHA, {8, 16}},
            {PNG_COLOR_TYPE_PALETTE, {1, 2, 4, 8}},  {PNG_COLOR_TYPE_RGB, {8, 16}},
            {PNG_COLOR_TYPE_RGBA, {8, 16}},
        };
        std::uint32_t seed = 10;
        for (const auto& [colorType, depths] : layouts) {
            for (int depth : depths) {
                std::vector<std::uint8_t> plainBytes;
                for (bool interlaced : {false, true}) {
                    const RawPng spec = noisePng(colorType, depth, interlaced, seed);
                    const QByteArray name = caseName(spec).toUtf8();
                    const std::vector<std::uint8_t> file = encodeWithLibpng(spec);
                    const std::vector<std::uint16_t> expected = expectedRgba16(spec);

                    const ImageInfo info = PngCodec::identify(file, "case.png");
                    QCOMPARE(info.width, spec.width);
                    QCOMPARE(info.height, spec.height);
                    QCOMPARE(info.bitsPerComponent, depth);

                    Image<RgbaVector> exact =
                        PngCodec::decode<RgbaVector>(file, configuration, "case.png");
                    Image<Rgba32> eightBit =
                        PngCodec::decode<Rgba32>(file, configuration, "case.png");
                    for (int y = 0; y < spec.height; ++y) {
                        for (int x = 0; x < spec.width; ++x) {
                            const std::uint16_t* want =
                                &expected[static_cast<std::size_t>((y * spec.width + x) * 4)];
                            const RgbaVector got = exact.pixel(x, y);
                            const std::uint16_t got16[4] = {
                                ColorMath::unitTo16(got.r), ColorMath::unitTo16(got.g),
                                ColorMath::unitTo16(got.b), ColorMath::unitTo16(got.a)};
                            const Rgba32 got8 = eightBit.pixel(x, y);
                            const std::uint8_t got8Channels[4] = {got8.r, got8.g, got8.b, got8.a};
                            for (int c = 0; c < 4; ++c) {
                                QVERIFY2(got16[c] == want[c], name.constData());
                                QVERIFY2(got8Channels[c] == ColorMath::downscale16To8(want[c]),
                                         name.constData());
                            }
                        }
                    }
                    // Gray without alpha also decodes straight into L8 / L16.
                    if (colorType == PNG_COLOR_TYPE_GRAY) {
                        Image<L16> gray = PngCodec::decode<L16>(file, configuration, "case.png");
                        for (int i = 0; i < spec.width * spec.height; ++i) {
                            QVERIFY2(gray.pixel(i % spec.width, i / spec.width).value ==
                                         expected[static_cast<std::size_t>(i * 4)],
                                     name.constData());
                        }
                    }
                    if (!interlaced) {
                        plainBytes = pixelBytes(eightBit);
                    } else {
                        QVERIFY2(pixelBytes(eightBit) == plainBytes, name.constData());
                    }
                }
                ++seed;
            }
        }
    }

    void decode_intoEveryPixelType_agreesWithRgba32() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgba32> original = randomImage<Rgba32>(configuration, 19, 7, 5);
        const std::vector<std::uint8_t> file = PngCodec::encode(original);
        Image<Bgra32> bgra = PngCodec::decode<Bgra32>(file, configuration, "p.png");
        Image<Rgb24> rgb = PngCodec::decode<Rgb24>(file, configuration, "p.png");
        Image<L8> gray = PngCodec::decode<L8>(file, configuration, "p.png");
        for (int y = 0; y < 7; ++y) {
            for (int x = 0; x < 19; ++x) {
                const Rgba32 color = original.pixel(x, y);
                QCOMPARE(bgra.pixel(x, y), PixelConverter::convert<Bgra32>(color));
                QCOMPARE(rgb.pixel(x, y), PixelConverter::convert<Rgb24>(color));
                QCOMPARE(gray.pixel(x, y), PixelConverter::convert<L8>(color));
            }
        }
    }

    void identify_readsTheHeaderWithoutAllocating() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgb24> original = randomImage<Rgb24>(configuration, 301, 77, 6);
        const std::vector<std::uint8_t> file = PngCodec::encode(original);
        original.dispose();

        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        const std::size_t liveBefore = MemoryDiagnostics::liveAllocations().size();
        const ImageInfo info = ImageCodecs::identify(file, "identify.png");
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
        QCOMPARE(MemoryDiagnostics::liveAllocations().size(), liveBefore);
        QCOMPARE(info.format, ImageFormat::Png);
        QCOMPARE(info.width, 301);
        QCOMPARE(info.height, 77);
        QCOMPARE(info.components, 3);
    }

    void decode_honoursPreferContiguous() {
        // 3000 x 1000 Rgba32 is 12 MB: many pool chunks unless one buffer is asked for.
        Configuration contiguous = Configuration::defaultInstance().clone();
        contiguous.preferContiguousImageBuffers = true;
        Image<Rgba32> original(Configuration::defaultInstance(), 3000, 1000,
                               Rgba32{10, 20, 30, 255});
        original.setPixel(2999, 999, Rgba32{1, 2, 3, 4});
        const std::vector<std::uint8_t> file = PngCodec::encode(original);

        Image<Rgba32> decoded = PngCodec::decode<Rgba32>(file, contiguous, "large.png");
        MemoryGroupView<Rgba32> memory;
        QVERIFY(decoded.dangerousTryGetSinglePixelMemory(memory));
        QCOMPARE(memory.length(), std::size_t{3000} * 1000);
        QCOMPARE(memory.span()[memory.length() - 1], (Rgba32{1, 2, 3, 4}));

        Image<Rgba32> chunked =
            PngCodec::decode<Rgba32>(file, Configuration::defaultInstance(), "large.png");
        QVERIFY(!chunked.dangerousTryGetSinglePixelMemory(memory));
        QVERIFY(pixelBytes(chunked) == pixelBytes(decoded));
    }

    void hostileHeaders_areRefusedBeforeAllocating_namingTheFileTheSizeAndTheLimit() {
        // Two limits stand between a header and memory: the decode pixel limit (2^28 pixels by
        // default), then the allocator's group limit (4 GiB by default), which an application
        // decoding untrusted files may lower. Each case is refused by the one it exceeds, and
        // the 66-byte 2147483647 x 1 file is refused before libpng sizes its row buffers.
        Configuration limited;
        limited.allocator = MemoryAllocator::create({std::nullopt, 1024});
        limited.maxDecodePixels = std::int64_t{1} << 40;
        Configuration unlimitedPixels = Configuration::defaultInstance().clone();
        unlimitedPixels.maxDecodePixels = std::int64_t{1} << 40;
        const auto pixelLimit = [](std::uint64_t pixels) {
            return QStringLiteral(
                       "%1 pixels exceed the decode limit of %2 pixels "
                       "(Configuration::maxDecodePixels).")
                .arg(pixels)
                .arg(Configuration::kDefaultMaxDecodePixels);
        };
        const auto groupLimit = [](std::uint64_t bytes, const Configuration& configuration) {
            return QStringLiteral(
                       "decoding needs %1 bytes; the allocator's group limit is %2 "
                       "bytes.")
                .arg(bytes)
                .arg(configuration.allocator->groupAllocationLimitBytes());
        };
        struct Case {
            std::uint32_t width;
            std::uint32_t height;
            const Configuration* configuration;
            QString reason;
        };
        const Case cases[] = {
            {1, 500'000'000, &limited, groupLimit(std::uint64_t{500'000'000} * 4, limited)},
            {32768, 32769, &Configuration::defaultInstance(),
             pixelLimit(std::uint64_t{32768} * 32769)},
            {2147483647, 1, &Configuration::defaultInstance(), pixelLimit(2147483647)},
            {2147483647, 1, &unlimitedPixels,
             groupLimit(std::uint64_t{2147483647} * 4, unlimitedPixels)}};
        for (const Case& hostile : cases) {
            const std::vector<std::uint8_t> file = hostilePng(hostile.width, hostile.height);
            const ImageInfo info = ImageCodecs::identify(file, "hostile.png");
            QCOMPARE(info.width, static_cast<int>(hostile.width));
            QCOMPARE(info.height, static_cast<int>(hostile.height));

            const std::int64_t undisposedBefore =
                MemoryDiagnostics::totalUndisposedAllocationCount();
            const std::size_t liveBefore = MemoryDiagnostics::liveAllocations().size();
            const QString message = invalidContentMessage(
                [&] { PngCodec::decode<Rgba32>(file, *hostile.configuration, "hostile.png"); });
            QCOMPARE(message,
                     QStringLiteral("Cannot decode image. Failed to allocate buffers for possibly "
                                    "degenerate dimensions: %1x%2. 'hostile.png': %3")
                         .arg(hostile.width)
                         .arg(hostile.height)
                         .arg(hostile.reason));
            QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
            QCOMPARE(MemoryDiagnostics::liveAllocations().size(), liveBefore);
        }
    }

    void fileFunctions_saveAndLoadByExtension_andNameThePathOnErrors() {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const std::filesystem::path root = directory.path().toStdString();
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgba32> original = randomImage<Rgba32>(configuration, 23, 11, 8);

        ImageCodecs::save(original, root / "picture.PNG");
        Image<Rgba32> loaded = ImageCodecs::load<Rgba32>(root / "picture.PNG", configuration);
        QVERIFY(pixelBytes(loaded) == pixelBytes(original));
        QCOMPARE(ImageCodecs::identifyFile(root / "picture.PNG").format, ImageFormat::Png);

        ImageCodecs::save(original, root / "picture.jpg", 95);
        QCOMPARE(ImageCodecs::identifyFile(root / "picture.jpg").format, ImageFormat::Jpeg);

        const std::filesystem::path missing = root / "missing.png";
        try {
            ImageCodecs::load<Rgba32>(missing, configuration);
            QFAIL("loading a missing file succeeded");
        } catch (const std::runtime_error& error) {
            QVERIFY(std::string(error.what()).find(missing.string()) != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 ImageCodecs::save(original, root / "picture.bmp"));
        const std::filesystem::path unwritable = root / "no-such-directory" / "x.png";
        try {
            ImageCodecs::save(original, unwritable);
            QFAIL("saving into a missing directory succeeded");
        } catch (const std::runtime_error& error) {
            QVERIFY(std::string(error.what()).find(unwritable.string()) != std::string::npos);
        }
        const std::filesystem::path notAnImage = root / "notes.png";
        const std::vector<std::uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
        ImageCodecs::writeFile(notAnImage, text);
        const QString message =
            invalidContentMessage([&] { ImageCodecs::load<Rgba32>(notAnImage, configuration); });
        QVERIFY(message.contains(QString::fromStdString(notAnImage.string())));
    }
};

QTEST_GUILESS_MAIN(PngCodecTest)
#include "PngCodecTest.moc"
