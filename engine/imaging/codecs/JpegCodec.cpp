#include "imaging/codecs/JpegCodec.h"

// jpeglib.h uses FILE and size_t without including their headers.
#include <cstddef>
#include <cstdio>

#include <jerror.h>
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "imaging/PixelTypeList.h"
#include "imaging/codecs/DecodeLimits.h"
#include "imaging/codecs/InvalidImageContent.h"

namespace poolscope {

namespace {

// libjpeg's error_exit must not return. Ours formats the message and longjmps back to the
// setjmp in one of the *Guarded functions below; those are C-style on purpose (no object with a
// destructor lives in their frames), so the jump skips nothing. The libjpeg structs, the image
// and scratch rows live in the callers' frames and are released by ordinary C++ unwinding after
// the error has been turned into an exception.

struct JpegErrorManager {
    jpeg_error_mgr base;  // first, so libjpeg's jpeg_error_mgr* is also ours
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void exitWithError(j_common_ptr common) {
    auto* errors = reinterpret_cast<JpegErrorManager*>(common->err);
    (*common->err->format_message)(common, errors->message);
    std::longjmp(errors->jump, 1);
}

// Corrupt-data warnings are counted by libjpeg (num_warnings) but not printed to stderr.
void silenceMessage(j_common_ptr) {}

void initErrors(JpegErrorManager* errors) {
    jpeg_std_error(&errors->base);
    errors->base.error_exit = exitWithError;
    errors->base.output_message = silenceMessage;
    errors->message[0] = '\0';
}

// A source manager over the whole file in memory. Running out of data is an error: libjpeg's
// own jpeg_mem_src would pad a truncated file with a fake EOI and decode gray.
struct JpegMemorySource {
    jpeg_source_mgr base;  // first, so libjpeg's jpeg_source_mgr* is also ours
    const JOCTET* data = nullptr;
    std::size_t size = 0;
};

void initSource(j_decompress_ptr) {}

boolean fillInputBuffer(j_decompress_ptr decompress) {
    // Everything was handed over at the start, so a request for more means the file is short.
    ERREXIT(decompress, JERR_INPUT_EOF);
    return FALSE;
}

void skipInputData(j_decompress_ptr decompress, long count) {
    if (count <= 0) {
        return;
    }
    jpeg_source_mgr* source = decompress->src;
    if (static_cast<unsigned long>(count) > source->bytes_in_buffer) {
        ERREXIT(decompress, JERR_INPUT_EOF);
    }
    source->next_input_byte += count;
    source->bytes_in_buffer -= static_cast<std::size_t>(count);
}

void termSource(j_decompress_ptr) {}

struct JpegReadContext {
    jpeg_decompress_struct info;
    JpegErrorManager errors;
    JpegMemorySource source;
    bool created = false;
};

bool createDecompressGuarded(JpegReadContext* context) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_create_decompress(&context->info);
    context->created = true;
    jpeg_source_mgr& source = context->source.base;
    source.init_source = initSource;
    source.fill_input_buffer = fillInputBuffer;
    source.skip_input_data = skipInputData;
    source.resync_to_restart = jpeg_resync_to_restart;
    source.term_source = termSource;
    source.next_input_byte = context->source.data;
    source.bytes_in_buffer = context->source.size;
    context->info.src = &source;
    return true;
}

bool readHeaderGuarded(JpegReadContext* context) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_read_header(&context->info, TRUE);
    return true;
}

bool startDecompressGuarded(JpegReadContext* context, J_COLOR_SPACE outputSpace) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    context->info.out_color_space = outputSpace;
    jpeg_start_decompress(&context->info);
    return true;
}

bool readScanlineGuarded(JpegReadContext* context, JSAMPLE* row) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    JSAMPROW rows[1] = {row};
    if (jpeg_read_scanlines(&context->info, rows, 1) != 1) {
        // Our source never suspends, so a short read means libjpeg gave up on the data.
        ERREXIT(&context->info, JERR_INPUT_EOF);
    }
    return true;
}

bool finishDecompressGuarded(JpegReadContext* context) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_finish_decompress(&context->info);
    return true;
}

// Owns the libjpeg decompressor; destroys it however the decode ends.
class JpegReadSession {
public:
    JpegReadSession(std::span<const std::uint8_t> bytes, std::string_view sourceName)
        : sourceName_(sourceName) {
        std::memset(&context.info, 0, sizeof context.info);
        initErrors(&context.errors);
        context.info.err = &context.errors.base;
        context.source.data = bytes.data();
        context.source.size = bytes.size();
        if (!createDecompressGuarded(&context)) {
            fail();
        }
    }
    ~JpegReadSession() {
        if (context.created) {
            jpeg_destroy_decompress(&context.info);
        }
    }
    JpegReadSession(const JpegReadSession&) = delete;
    JpegReadSession& operator=(const JpegReadSession&) = delete;

    [[noreturn]] void fail() const {
        throw InvalidImageContent(DecodeLimits::corruptMessage(sourceName_, context.errors.message),
                                  std::string(sourceName_));
    }

    JpegReadContext context;

private:
    std::string_view sourceName_;
};

enum class JpegRowFormat { Gray8, Rgb8, Rgba8, Bgra8, Cmyk8 };

std::size_t bytesPerPixel(JpegRowFormat format) {
    switch (format) {
        case JpegRowFormat::Gray8:
            return 1;
        case JpegRowFormat::Rgb8:
            return 3;
        case JpegRowFormat::Rgba8:
        case JpegRowFormat::Bgra8:
        case JpegRowFormat::Cmyk8:
            return 4;
    }
    return 0;
}

// ink * key / 255, rounded; both in the file's (possibly inverted) convention.
std::uint8_t multiplyChannels(unsigned first, unsigned second) {
    return static_cast<std::uint8_t>((first * second + 127u) / 255u);
}

template <class TPixel>
void convertRow(JpegRowFormat format, bool adobeInverted, const std::uint8_t* row,
                std::span<TPixel> destination) {
    for (std::size_t x = 0; x < destination.size(); ++x) {
        if (format == JpegRowFormat::Gray8) {
            destination[x] = PixelConverter::convert<TPixel>(L8{row[x]});
        } else if (format == JpegRowFormat::Rgb8) {
            const std::uint8_t* p = row + 3 * x;
            destination[x] = PixelConverter::convert<TPixel>(Rgb24{p[0], p[1], p[2]});
        } else {
            // Adobe writes CMYK inverted (255 = no ink), so the stored values are already the
            // complements and multiply directly; plain CMYK is complemented first.
            const std::uint8_t* p = row + 4 * x;
            const unsigned c = adobeInverted ? p[0] : 255u - p[0];
            const unsigned m = adobeInverted ? p[1] : 255u - p[1];
            const unsigned y = adobeInverted ? p[2] : 255u - p[2];
            const unsigned k = adobeInverted ? p[3] : 255u - p[3];
            destination[x] = PixelConverter::convert<TPixel>(
                Rgb24{multiplyChannels(c, k), multiplyChannels(m, k), multiplyChannels(y, k)});
        }
    }
}

// The row format to ask libjpeg for: the image's own layout when libjpeg-turbo can produce it,
// so that it writes straight into the allocator's rows.
template <class TPixel>
JpegRowFormat rowFormatFor(J_COLOR_SPACE fileSpace) {
    if (fileSpace == JCS_GRAYSCALE) {
        return JpegRowFormat::Gray8;
    }
    if (fileSpace == JCS_CMYK || fileSpace == JCS_YCCK) {
        return JpegRowFormat::Cmyk8;
    }
    if constexpr (std::is_same_v<TPixel, Rgba32>) {
        return JpegRowFormat::Rgba8;
    } else if constexpr (std::is_same_v<TPixel, Bgra32>) {
        return JpegRowFormat::Bgra8;
    } else {
        return JpegRowFormat::Rgb8;
    }
}

J_COLOR_SPACE outputSpaceFor(JpegRowFormat format) {
    switch (format) {
        case JpegRowFormat::Gray8:
            return JCS_GRAYSCALE;
        case JpegRowFormat::Rgb8:
            return JCS_RGB;
        case JpegRowFormat::Rgba8:
            return JCS_EXT_RGBA;
        case JpegRowFormat::Bgra8:
            return JCS_EXT_BGRA;
        case JpegRowFormat::Cmyk8:
            return JCS_CMYK;
    }
    return JCS_RGB;
}

template <class TPixel>
bool writesDirectly(JpegRowFormat format) {
    return (format == JpegRowFormat::Gray8 && std::is_same_v<TPixel, L8>) ||
           (format == JpegRowFormat::Rgb8 && std::is_same_v<TPixel, Rgb24>) ||
           format == JpegRowFormat::Rgba8 || format == JpegRowFormat::Bgra8;
}

// --- Encoding -----------------------------------------------------------------------------

struct JpegWriteContext {
    jpeg_compress_struct info;
    JpegErrorManager errors;
    unsigned char* output = nullptr;  // malloc'ed by jpeg_mem_dest, freed by the session
    unsigned long outputSize = 0;
    bool created = false;
};

struct JpegWriteSettings {
    int width = 0;
    int height = 0;
    int components = 3;
    J_COLOR_SPACE inputSpace = JCS_RGB;
    int quality = JpegCodec::kDefaultQuality;
    bool progressive = false;
};

bool createCompressGuarded(JpegWriteContext* context) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_create_compress(&context->info);
    context->created = true;
    return true;
}

bool startCompressGuarded(JpegWriteContext* context, const JpegWriteSettings* settings) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_compress_struct& info = context->info;
    jpeg_mem_dest(&info, &context->output, &context->outputSize);
    info.image_width = static_cast<JDIMENSION>(settings->width);
    info.image_height = static_cast<JDIMENSION>(settings->height);
    info.input_components = settings->components;
    info.in_color_space = settings->inputSpace;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, settings->quality, TRUE);
    if (settings->progressive) {
        jpeg_simple_progression(&info);
    }
    jpeg_start_compress(&info, TRUE);
    return true;
}

bool writeScanlineGuarded(JpegWriteContext* context, const std::uint8_t* row) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    // libjpeg's API is not const-correct; it only reads the row.
    JSAMPROW rows[1] = {const_cast<JSAMPLE*>(row)};
    jpeg_write_scanlines(&context->info, rows, 1);
    return true;
}

bool finishCompressGuarded(JpegWriteContext* context) {
    if (setjmp(context->errors.jump)) {
        return false;
    }
    jpeg_finish_compress(&context->info);
    return true;
}

class JpegWriteSession {
public:
    JpegWriteSession() {
        std::memset(&context.info, 0, sizeof context.info);
        initErrors(&context.errors);
        context.info.err = &context.errors.base;
        if (!createCompressGuarded(&context)) {
            fail();
        }
    }
    ~JpegWriteSession() {
        if (context.created) {
            jpeg_destroy_compress(&context.info);
        }
        std::free(context.output);
    }
    JpegWriteSession(const JpegWriteSession&) = delete;
    JpegWriteSession& operator=(const JpegWriteSession&) = delete;

    [[noreturn]] void fail() const {
        throw std::runtime_error(std::string("JPEG encoding failed: ") + context.errors.message);
    }

    JpegWriteContext context;
};

}  // namespace

bool JpegCodec::isJpeg(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

ImageInfo JpegCodec::identify(std::span<const std::uint8_t> bytes, std::string_view sourceName) {
    JpegReadSession session(bytes, sourceName);
    if (!readHeaderGuarded(&session.context)) {
        session.fail();
    }
    ImageInfo info;
    info.format = ImageFormat::Jpeg;
    info.width = static_cast<int>(session.context.info.image_width);
    info.height = static_cast<int>(session.context.info.image_height);
    info.bitsPerComponent = session.context.info.data_precision;
    info.components = session.context.info.num_components;
    // CMYK and YCCK decode to RGB; JPEG samples here are 8-bit.
    info.layout = {info.components == 1 ? 1 : 3, 8};
    return info;
}

template <class TPixel>
Image<TPixel> JpegCodec::decode(std::span<const std::uint8_t> bytes,
                                const Configuration& configuration, std::string_view sourceName) {
    JpegReadSession session(bytes, sourceName);
    jpeg_decompress_struct& info = session.context.info;
    if (!readHeaderGuarded(&session.context)) {
        session.fail();
    }
    const JpegRowFormat format = rowFormatFor<TPixel>(info.jpeg_color_space);
    const bool direct = writesDirectly<TPixel>(format);
    // jpeg_start_decompress already allocates libjpeg's buffers: a progressive file keeps every
    // DCT coefficient (2 bytes a sample) until the last scan. Count that before it happens.
    const std::size_t decodeBytesPerPixel =
        sizeof(TPixel) +
        (info.progressive_mode ? 2 * static_cast<std::size_t>(info.num_components) : 0);
    DecodeLimits::checkDimensions(configuration, info.image_width, info.image_height,
                                  decodeBytesPerPixel, sourceName);
    if (!startDecompressGuarded(&session.context, outputSpaceFor(format))) {
        session.fail();
    }
    const int width = static_cast<int>(info.output_width);
    const int height = static_cast<int>(info.output_height);
    Image<TPixel> image =
        DecodeLimits::allocateImage<TPixel>(configuration, width, height, sourceName);
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    std::vector<std::uint8_t> scratch;
    if (!direct) {
        scratch.resize(static_cast<std::size_t>(width) * bytesPerPixel(format));
    }
    const bool adobeInverted = info.saw_Adobe_marker != 0;
    for (int y = 0; y < height; ++y) {
        auto* target = direct ? reinterpret_cast<std::uint8_t*>(rows.row(y)) : scratch.data();
        if (!readScanlineGuarded(&session.context, target)) {
            session.fail();
        }
        if (!direct) {
            convertRow<TPixel>(format, adobeInverted, scratch.data(), rows.getRowSpan(y));
        }
    }
    if (!finishDecompressGuarded(&session.context)) {
        session.fail();
    }
    return image;
}

template <class TPixel>
std::vector<std::uint8_t> JpegCodec::encode(const Image<TPixel>& image, int quality,
                                            bool progressive, ChannelLayout layout) {
    constexpr bool kGrayType = std::is_same_v<TPixel, L8> || std::is_same_v<TPixel, L16>;
    const bool gray = layout.isDefault() ? kGrayType : layout.channels <= 2;
    // Rows libjpeg-turbo reads as they are; the others go through an Rgb24 or L8 scratch row.
    const bool direct = gray ? std::is_same_v<TPixel, L8>
                             : std::is_same_v<TPixel, Rgb24> || std::is_same_v<TPixel, Rgba32> ||
                                   std::is_same_v<TPixel, Bgra32>;
    JpegWriteSettings settings;
    settings.width = image.width();
    settings.height = image.height();
    settings.quality = std::clamp(quality, 1, 100);
    settings.progressive = progressive;
    if (gray) {
        settings.components = 1;
        settings.inputSpace = JCS_GRAYSCALE;
    } else if constexpr (std::is_same_v<TPixel, Rgba32>) {
        settings.components = 4;
        settings.inputSpace = JCS_EXT_RGBA;
    } else if constexpr (std::is_same_v<TPixel, Bgra32>) {
        settings.components = 4;
        settings.inputSpace = JCS_EXT_BGRA;
    }

    const MemoryPin pin = image.pin();
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    JpegWriteSession session;
    if (!startCompressGuarded(&session.context, &settings)) {
        session.fail();
    }
    std::vector<std::uint8_t> scratch(static_cast<std::size_t>(image.width()) *
                                      static_cast<std::size_t>(settings.components));
    for (int y = 0; y < image.height(); ++y) {
        const std::uint8_t* row = reinterpret_cast<const std::uint8_t*>(rows.row(y));
        if (!direct) {
            const std::span<const TPixel> pixels = rows.getRowSpan(y);
            if (gray) {
                PixelConverter::convertRow<L8, TPixel>(
                    pixels, std::span(reinterpret_cast<L8*>(scratch.data()), pixels.size()));
            } else {
                PixelConverter::convertRow<Rgb24, TPixel>(
                    pixels, std::span(reinterpret_cast<Rgb24*>(scratch.data()), pixels.size()));
            }
            row = scratch.data();
        }
        if (!writeScanlineGuarded(&session.context, row)) {
            session.fail();
        }
    }
    if (!finishCompressGuarded(&session.context)) {
        session.fail();
    }
    return {session.context.output, session.context.output + session.context.outputSize};
}

#define POOLSCOPE_INSTANTIATE_JPEG_CODEC(TPixel)                                                  \
    template Image<TPixel> JpegCodec::decode<TPixel>(std::span<const std::uint8_t>,               \
                                                     const Configuration&, std::string_view);     \
    template std::vector<std::uint8_t> JpegCodec::encode<TPixel>(const Image<TPixel>&, int, bool, \
                                                                 ChannelLayout);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_JPEG_CODEC)
#undef POOLSCOPE_INSTANTIATE_JPEG_CODEC

}  // namespace poolscope
