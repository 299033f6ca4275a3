#include <QtTest>

#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ImagingTestSupport.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "imaging/Image.h"
#include "imaging/codecs/DecodeLimits.h"
#include "imaging/codecs/ImageCodecs.h"
#include "imaging/codecs/InvalidImageContent.h"
#include "imaging/codecs/JpegCodec.h"
#include "imaging/codecs/PngCodec.h"

using namespace poolscope;
using poolscope::testing::randomImage;
using poolscope::testing::tinyChunkConfiguration;

namespace {

void appendOutput(png_structp png, png_bytep data, std::size_t length) {
    auto* output = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    output->insert(output->end(), data, data + length);
}

void flushNothing(png_structp) {}

// libpng longjmps on error; this frame owns nothing with a destructor.
bool writeInterlacedRgb(int width, int height, png_bytepp rows, std::vector<std::uint8_t>* output) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, output, appendOutput, flushNothing);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

// Adam7 is a separate decode path (every pass over rows that hold the earlier ones).
std::vector<std::uint8_t> interlacedPng(int width, int height) {
    std::mt19937 random(3);
    std::vector<std::vector<png_byte>> rows(static_cast<std::size_t>(height));
    std::vector<png_bytep> pointers;
    for (auto& row : rows) {
        for (int i = 0; i < width * 3; ++i) {
            row.push_back(static_cast<png_byte>(random()));
        }
        pointers.push_back(row.data());
    }
    std::vector<std::uint8_t> output;
    if (!writeInterlacedRgb(width, height, pointers.data(), &output)) {
        throw std::runtime_error("libpng could not write the test image");
    }
    return output;
}

struct SweepResult {
    int attempts = 0;
    int failures = 0;
};

// Decodes `file` into two pixel types (the direct and the converting path) and checks the
// outcome: success, or InvalidImageContent naming the source; nothing else escapes, and every
// buffer of a failed decode is released.
void decodeOnce(const std::vector<std::uint8_t>& file, const std::string& source,
                SweepResult& result) {
    const Configuration configuration = tinyChunkConfiguration(1);
    for (int target = 0; target < 2; ++target) {
        const std::int64_t undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
        ++result.attempts;
        try {
            if (target == 0) {
                ImageCodecs::decode<Rgba32>(file, configuration, source);
            } else {
                ImageCodecs::decode<RgbaVector>(file, configuration, source);
            }
        } catch (const InvalidImageContent& error) {
            ++result.failures;
            const std::string message = error.what();
            QCOMPARE(error.sourceName(), source);
            // The degenerate-dimensions message keeps the reference's exact words, so there
            // the source is in sourceName() only.
            const bool namesSource = message.find(source) != std::string::npos;
            const bool degenerate =
                message.rfind(DecodeLimits::kDegenerateDimensionsPrefix, 0) == 0;
            QVERIFY2(namesSource || degenerate, message.c_str());
        } catch (const std::exception& error) {
            QFAIL(qPrintable(QStringLiteral("%1: unexpected exception: %2")
                                 .arg(QString::fromStdString(source), error.what())));
        }
        const std::int64_t undisposedAfter = MemoryDiagnostics::totalUndisposedAllocationCount();
        QVERIFY2(undisposedAfter == undisposedBefore, source.c_str());
    }
}

// Truncation at `offsets` evenly spread offsets (and every offset inside the first 64 bytes,
// where the headers are), then `flips` single-bit flips at random positions.
SweepResult sweep(const std::vector<std::uint8_t>& file, const std::string& name, int offsets,
                  int flips) {
    SweepResult result;
    std::set<std::size_t> cuts;
    for (std::size_t i = 0; i < std::min<std::size_t>(64, file.size()); ++i) {
        cuts.insert(i);
    }
    for (int i = 0; i < offsets; ++i) {
        cuts.insert(file.size() * static_cast<std::size_t>(i) / static_cast<std::size_t>(offsets));
    }
    for (std::size_t cut : cuts) {
        const std::vector<std::uint8_t> truncated(file.begin(),
                                                  file.begin() + static_cast<std::ptrdiff_t>(cut));
        decodeOnce(truncated, name + " truncated at " + std::to_string(cut), result);
        if (QTest::currentTestFailed()) {
            return result;
        }
    }
    std::mt19937 random(static_cast<std::uint32_t>(file.size()));
    for (int i = 0; i < flips; ++i) {
        std::vector<std::uint8_t> flipped = file;
        const std::size_t position = random() % flipped.size();
        const int bit = static_cast<int>(random() % 8);
        flipped[position] = static_cast<std::uint8_t>(flipped[position] ^ (1u << bit));
        decodeOnce(flipped,
                   name + " with bit " + std::to_string(bit) + " of byte " +
                       std::to_string(position) + " flipped",
                   result);
        if (QTest::currentTestFailed()) {
            return result;
        }
    }
    return result;
}

}  // namespace

class CodecCorruptionTest : public QObject {
    Q_OBJECT

private slots:
    void png_truncatedOrBitFlipped_failsCleanly() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::int64_t undisposedAtStart = MemoryDiagnostics::totalUndisposedAllocationCount();
        struct Case {
            std::string name;
            std::vector<std::uint8_t> file;
        };
        std::vector<Case> cases;
        cases.push_back(
            {"rgba8.png", PngCodec::encode(randomImage<Rgba32>(configuration, 40, 24, 1))});
        cases.push_back(
            {"gray16.png", PngCodec::encode(randomImage<L16>(configuration, 40, 24, 2))});
        cases.push_back(
            {"rgba16.png", PngCodec::encode(randomImage<RgbaVector>(configuration, 24, 16, 3))});
        cases.push_back({"adam7.png", interlacedPng(33, 21)});
        for (const Case& file : cases) {
            const SweepResult result = sweep(file.file, file.name, 150, 250);
            if (QTest::currentTestFailed()) {
                return;
            }
            // Every cut before the end of the image data loses rows, so most attempts fail.
            QVERIFY2(result.failures > result.attempts / 3, file.name.c_str());
        }
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedAtStart);
    }

    void jpeg_truncatedOrBitFlipped_failsCleanly() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::int64_t undisposedAtStart = MemoryDiagnostics::totalUndisposedAllocationCount();
        Image<Rgb24> photo = randomImage<Rgb24>(configuration, 40, 32, 4);
        struct Case {
            std::string name;
            std::vector<std::uint8_t> file;
        };
        std::vector<Case> cases;
        cases.push_back({"baseline.jpg", JpegCodec::encode(photo, 90)});
        cases.push_back({"progressive.jpg", JpegCodec::encode(photo, 90, true)});
        cases.push_back({"gray.jpg", JpegCodec::encode(photo.cloneAs<L8>(), 75)});
        photo.dispose();
        for (const Case& file : cases) {
            const SweepResult result = sweep(file.file, file.name, 150, 250);
            if (QTest::currentTestFailed()) {
                return;
            }
            // A cut anywhere before EOI is "Premature end of input file".
            QVERIFY2(result.failures > result.attempts / 3, file.name.c_str());
        }
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedAtStart);
    }

    void notAnImage_isAnErrorNamingTheSource() {
        const std::vector<std::uint8_t> text = {'G', 'I', 'F', '8', '9', 'a', 0, 0};
        try {
            ImageCodecs::decode<Rgba32>(text, tinyChunkConfiguration(1), "/tmp/anim.gif");
            QFAIL("a GIF header decoded");
        } catch (const InvalidImageContent& error) {
            QVERIFY(std::string(error.what()).find("/tmp/anim.gif") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(InvalidImageContent,
                                 ImageCodecs::identify(std::vector<std::uint8_t>{}, "empty"));
    }
};

QTEST_GUILESS_MAIN(CodecCorruptionTest)
#include "CodecCorruptionTest.moc"
