#include <QtTest>

#include <cstdint>

#include "imaging/ColorMath.h"
#include "imaging/PixelConverter.h"

using namespace poolscope;

class PixelConversionTest : public QObject {
    Q_OBJECT

private slots:
    void pixelTypes_haveTheirDocumentedSizeAndLayout() {
        QCOMPARE(sizeof(Rgba32), 4u);
        QCOMPARE(sizeof(Bgra32), 4u);
        QCOMPARE(sizeof(Rgb24), 3u);
        QCOMPARE(sizeof(L8), 1u);
        QCOMPARE(sizeof(L16), 2u);
        QCOMPARE(sizeof(RgbaVector), 16u);
        const Bgra32 bgra = PixelConverter::convert<Bgra32>(Rgba32{1, 2, 3, 4});
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(&bgra);
        QCOMPARE(int(bytes[0]), 3);  // blue first in memory
        QCOMPARE(int(bytes[2]), 1);
        QCOMPARE(int(bytes[3]), 4);
    }

    void rgba32_roundTripsThroughEveryColourType_forAllChannelValues() {
        for (int v = 0; v < 256; ++v) {
            const auto c = static_cast<std::uint8_t>(v);
            const Rgba32 color{c, static_cast<std::uint8_t>(255 - v),
                               static_cast<std::uint8_t>(v / 2),
                               static_cast<std::uint8_t>(v ^ 0x5a)};
            QCOMPARE(PixelConverter::convert<Rgba32>(PixelConverter::convert<Bgra32>(color)),
                     color);
            QCOMPARE(PixelConverter::convert<Rgba32>(PixelConverter::convert<RgbaVector>(color)),
                     color);
            const Rgba32 opaque{color.r, color.g, color.b, 255};
            QCOMPARE(PixelConverter::convert<Rgba32>(PixelConverter::convert<Rgb24>(color)),
                     opaque);
        }
    }

    void grayValues_roundTripExactlyThroughEveryType() {
        for (int v = 0; v < 256; ++v) {
            const L8 gray{static_cast<std::uint8_t>(v)};
            QCOMPARE(PixelConverter::convert<L8>(PixelConverter::convert<Rgba32>(gray)), gray);
            QCOMPARE(PixelConverter::convert<L8>(PixelConverter::convert<Rgb24>(gray)), gray);
            QCOMPARE(PixelConverter::convert<L8>(PixelConverter::convert<Bgra32>(gray)), gray);
            QCOMPARE(PixelConverter::convert<L8>(PixelConverter::convert<RgbaVector>(gray)), gray);
            const L16 wide = PixelConverter::convert<L16>(gray);
            QCOMPARE(int(wide.value), v * 257);
            QCOMPARE(PixelConverter::convert<L8>(wide), gray);
            // Gray colour to L16 goes through the 16-bit luminance of the scaled colour.
            QCOMPARE(PixelConverter::convert<L16>(PixelConverter::convert<Rgba32>(gray)), wide);
        }
    }

    void l16_roundTripsThroughRgbaVector_forAll65536Values() {
        for (int v = 0; v < 65536; ++v) {
            const L16 gray{static_cast<std::uint16_t>(v)};
            QCOMPARE(PixelConverter::convert<L16>(PixelConverter::convert<RgbaVector>(gray)), gray);
        }
    }

    void downscale16To8_roundsToNearest_forAll65536Values() {
        for (int v = 0; v < 65536; ++v) {
            const int expected = (v * 255 + 32767) / 65535;  // round(v * 255 / 65535)
            QCOMPARE(int(ColorMath::downscale16To8(static_cast<std::uint16_t>(v))), expected);
        }
    }

    void colourToLuminance_usesBt709Weights() {
        // 0.2126 * 255 = 54.2, 0.7152 * 255 = 182.4, 0.0722 * 255 = 18.4
        QCOMPARE(int(PixelConverter::convert<L8>(Rgba32{255, 0, 0, 255}).value), 54);
        QCOMPARE(int(PixelConverter::convert<L8>(Rgba32{0, 255, 0, 255}).value), 182);
        QCOMPARE(int(PixelConverter::convert<L8>(Rgba32{0, 0, 255, 255}).value), 18);
        QCOMPARE(int(PixelConverter::convert<L8>(Rgba32{255, 255, 255, 0}).value), 255);
        // 0.2126 * 65535 = 13932.7
        QCOMPARE(int(PixelConverter::convert<L16>(Rgba32{255, 0, 0, 255}).value), 13933);
        const L8 fromFloat = PixelConverter::convert<L8>(RgbaVector{1.0f, 0.0f, 0.0f, 1.0f});
        QCOMPARE(int(fromFloat.value), 54);
    }

    void grayToColour_isOpaqueGray() {
        QCOMPARE(PixelConverter::convert<Rgba32>(L8{77}), (Rgba32{77, 77, 77, 255}));
        QCOMPARE(PixelConverter::convert<Rgba32>(L16{65535}), (Rgba32{255, 255, 255, 255}));
        QCOMPARE(PixelConverter::convert<RgbaVector>(L8{255}),
                 (RgbaVector{1.0f, 1.0f, 1.0f, 1.0f}));
    }

    void rgbaVector_clampsOutOfRangeAndNaN_whenConvertedToIntegers() {
        const Rgba32 clamped = PixelConverter::convert<Rgba32>(RgbaVector{-0.5f, 1.5f, NAN, 0.5f});
        QCOMPARE(clamped, (Rgba32{0, 255, 0, 128}));
        QCOMPARE(int(PixelConverter::convert<L16>(RgbaVector{2.0f, 2.0f, 2.0f, 1.0f}).value),
                 65535);
    }

    void convertRow_convertsEachPixel_andRefusesShortDestination() {
        const Rgba32 source[2] = {{10, 20, 30, 40}, {50, 60, 70, 80}};
        Bgra32 destination[2];
        PixelConverter::convertRow<Bgra32, Rgba32>(source, destination);
        QCOMPARE(destination[1], (Bgra32{70, 60, 50, 80}));
        Bgra32 tooShort[1];
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 (PixelConverter::convertRow<Bgra32, Rgba32>(source, tooShort)));
    }
};

QTEST_GUILESS_MAIN(PixelConversionTest)
#include "PixelConversionTest.moc"
