#include "imaging/codecs/PngCodec.h"

#include <png.h>

#include <array>
#include <bit>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "imaging/ColorMath.h"
#include "imaging/PixelConverter.h"
#include "imaging/PixelTypeList.h"
#include "imaging/codecs/DecodeLimits.h"
#include "imaging/codecs/InvalidImageContent.h"

namespace poolscope {

namespace {

// libpng reports errors by calling the error function, which must not return: it longjmps back
// to the setjmp in one of the *Guarded functions below. Those functions are C-style on purpose:
// no object with a destructor lives in their frames, so the jump skips nothing. Everything that
// owns memory (the libpng structs, the image, scratch rows) lives in the callers' frames, which
// the jump never crosses, and is released by ordinary C++ unwinding after the error is thrown.

struct PngMessage {
    char text[256] = {};
};

[[noreturn]] void reportError(png_structp png, png_const_charp message) {
    auto* sink = static_cast<PngMessage*>(png_get_error_ptr(png));
    std::snprintf(sink->text, sizeof sink->text, "%s", message != nullptr ? message : "error");
    png_longjmp(png, 1);
}

// Warnings (unknown chunks, sRGB profile quirks) do not stop a decode.
void ignoreWarning(png_structp, png_const_charp) {}

// The pixel layout libpng delivers after our transforms, one of four.
enum class PngRowFormat { Gray8, Gray16, Rgba8, Rgba16 };

std::size_t bytesPerPixel(PngRowFormat format) {
    switch (format) {
        case PngRowFormat::Gray8:
            return 1;
        case PngRowFormat::Gray16:
            return 2;
        case PngRowFormat::Rgba8:
            return 4;
        case PngRowFormat::Rgba16:
            return 8;
    }
    return 0;
}

struct PngReadContext {
    png_structp png = nullptr;
    png_infop info = nullptr;
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::size_t offset = 0;
    PngMessage message;
};

struct PngHeader {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bitDepth = 0;
    int channels = 0;
    ChannelLayout decoded;  // what the transforms of setTransformsGuarded make of the file
    PngRowFormat format = PngRowFormat::Rgba8;
    int passes = 1;
    std::size_t rowBytes = 0;
};

void readFromMemory(png_structp png, png_bytep out, std::size_t length) {
    auto* context = static_cast<PngReadContext*>(png_get_io_ptr(png));
    if (context->size - context->offset < length) {
        png_error(png, "Unexpected end of file: the PNG data is truncated");
    }
    std::memcpy(out, context->data + context->offset, length);
    context->offset += length;
}

// Owns the libpng read structs; destroys them however the decode ends.
class PngReadSession {
public:
    explicit PngReadSession(std::span<const std::uint8_t> bytes) {
        context.data = bytes.data();
        context.size = bytes.size();
        context.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context.message, reportError,
                                             ignoreWarning);
        if (context.png == nullptr) {
            throw std::bad_alloc();
        }
        context.info = png_create_info_struct(context.png);
        if (context.info == nullptr) {
            png_destroy_read_struct(&context.png, nullptr, nullptr);
            throw std::bad_alloc();
        }
        png_set_read_fn(context.png, &context, readFromMemory);
        // libpng's own default caps (1,000,000 rows or columns) would answer hostile headers
        // with its own message; the allocator's limits are the policy, checked by DecodeLimits.
        png_set_user_limits(context.png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    }
    ~PngReadSession() { png_destroy_read_struct(&context.png, &context.info, nullptr); }
    PngReadSession(const PngReadSession&) = delete;
    PngReadSession& operator=(const PngReadSession&) = delete;

    [[noreturn]] void fail(std::string_view sourceName) const {
        throw InvalidImageContent(DecodeLimits::corruptMessage(sourceName, context.message.text),
                                  std::string(sourceName));
    }

    PngReadContext context;
};

bool readInfoGuarded(PngReadContext* context, PngHeader* header) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_read_info(context->png, context->info);
    header->width = png_get_image_width(context->png, context->info);
    header->height = png_get_image_height(context->png, context->info);
    header->bitDepth = png_get_bit_depth(context->png, context->info);
    header->channels = png_get_channels(context->png, context->info);
    const int colorType = png_get_color_type(context->png, context->info);
    const bool alpha = (colorType & PNG_COLOR_MASK_ALPHA) != 0 ||
                       png_get_valid(context->png, context->info, PNG_INFO_tRNS) != 0;
    const bool gray = (colorType & PNG_COLOR_MASK_COLOR) == 0;
    header->decoded.channels = (gray ? 1 : 3) + (alpha ? 1 : 0);
    header->decoded.bitsPerChannel = header->bitDepth == 16 ? 16 : 8;
    return true;
}

// Sets the transforms that turn any PNG into one of the four row formats, after readInfoGuarded.
bool setTransformsGuarded(PngReadContext* context, PngHeader* header) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_structp png = context->png;
    png_infop info = context->info;
    const int colorType = png_get_color_type(png, info);
    const bool sixteenBit = png_get_bit_depth(png, info) == 16;
    const bool hasTransparency = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    const bool gray = (colorType & PNG_COLOR_MASK_COLOR) == 0;
    const bool alpha = (colorType & PNG_COLOR_MASK_ALPHA) != 0 || hasTransparency;
    if (colorType == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (gray && png_get_bit_depth(png, info) < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (hasTransparency) {
        png_set_tRNS_to_alpha(png);
    }
    if (gray && !alpha) {
        header->format = sixteenBit ? PngRowFormat::Gray16 : PngRowFormat::Gray8;
    } else {
        if (gray) {
            png_set_gray_to_rgb(png);
        }
        if (!alpha) {
            png_set_add_alpha(png, sixteenBit ? 0xffff : 0xff, PNG_FILLER_AFTER);
        }
        header->format = sixteenBit ? PngRowFormat::Rgba16 : PngRowFormat::Rgba8;
    }
    if (sixteenBit && std::endian::native == std::endian::little) {
        png_set_swap(png);  // PNG stores 16-bit samples big-endian; L16 and our rows are native
    }
    header->passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    header->rowBytes = png_get_rowbytes(png, info);
    if (header->rowBytes != header->width * bytesPerPixel(header->format)) {
        png_error(png, "Unexpected row layout after transforms");
    }
    return true;
}

// With interlacing, `row` must hold the row's earlier passes: libpng fills in the new pixels.
bool readRowGuarded(PngReadContext* context, std::uint8_t* row) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_read_row(context->png, row, nullptr);
    return true;
}

template <class TPixel>
constexpr bool isNativeRowFormat(PngRowFormat format) {
    return (format == PngRowFormat::Gray8 && std::is_same_v<TPixel, L8>) ||
           (format == PngRowFormat::Gray16 && std::is_same_v<TPixel, L16>) ||
           (format == PngRowFormat::Rgba8 && std::is_same_v<TPixel, Rgba32>);
}

template <class TPixel>
TPixel fromRgba16(const std::uint16_t* channels) {
    if constexpr (std::is_same_v<TPixel, RgbaVector>) {
        return {ColorMath::unitFrom16(channels[0]), ColorMath::unitFrom16(channels[1]),
                ColorMath::unitFrom16(channels[2]), ColorMath::unitFrom16(channels[3])};
    } else if constexpr (std::is_same_v<TPixel, L16>) {
        return {ColorMath::luminance709(channels[0], channels[1], channels[2])};
    } else {
        const Rgba32 color{
            ColorMath::downscale16To8(channels[0]), ColorMath::downscale16To8(channels[1]),
            ColorMath::downscale16To8(channels[2]), ColorMath::downscale16To8(channels[3])};
        return PixelConverter::convert<TPixel>(color);
    }
}

// `row` holds 16-bit samples in native order; it is 2-byte aligned (it comes from a
// std::vector<std::uint16_t>).
template <class TPixel>
void convertRow(PngRowFormat format, const std::uint8_t* row, std::span<TPixel> destination) {
    const auto* samples16 = reinterpret_cast<const std::uint16_t*>(row);
    for (std::size_t x = 0; x < destination.size(); ++x) {
        switch (format) {
            case PngRowFormat::Gray8:
                destination[x] = PixelConverter::convert<TPixel>(L8{row[x]});
                break;
            case PngRowFormat::Gray16:
                destination[x] = PixelConverter::convert<TPixel>(L16{samples16[x]});
                break;
            case PngRowFormat::Rgba8: {
                const std::uint8_t* p = row + 4 * x;
                destination[x] = PixelConverter::convert<TPixel>(Rgba32{p[0], p[1], p[2], p[3]});
                break;
            }
            case PngRowFormat::Rgba16:
                destination[x] = fromRgba16<TPixel>(samples16 + 4 * x);
                break;
        }
    }
}

// --- Encoding -----------------------------------------------------------------------------

struct PngWriteContext {
    png_structp png = nullptr;
    png_infop info = nullptr;
    std::vector<std::uint8_t>* output = nullptr;
    PngMessage message;
};

void writeToMemory(png_structp png, png_bytep data, std::size_t length) {
    auto* context = static_cast<PngWriteContext*>(png_get_io_ptr(png));
    bool appended = true;
    try {
        context->output->insert(context->output->end(), data, data + length);
    } catch (const std::bad_alloc&) {
        appended = false;
    }
    // Outside the handler: a longjmp out of a catch block would leak the exception object.
    if (!appended) {
        png_error(png, "Out of memory while writing PNG output");
    }
}

void flushNothing(png_structp) {}

class PngWriteSession {
public:
    explicit PngWriteSession(std::vector<std::uint8_t>* output) {
        context.output = output;
        context.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context.message, reportError,
                                              ignoreWarning);
        if (context.png == nullptr) {
            throw std::bad_alloc();
        }
        context.info = png_create_info_struct(context.png);
        if (context.info == nullptr) {
            png_destroy_write_struct(&context.png, nullptr);
            throw std::bad_alloc();
        }
        png_set_write_fn(context.png, &context, writeToMemory, flushNothing);
    }
    ~PngWriteSession() { png_destroy_write_struct(&context.png, &context.info); }
    PngWriteSession(const PngWriteSession&) = delete;
    PngWriteSession& operator=(const PngWriteSession&) = delete;

    [[noreturn]] void fail() const {
        throw std::runtime_error(std::string("PNG encoding failed: ") + context.message.text);
    }

    PngWriteContext context;
};

struct PngWriteLayout {
    int colorType = PNG_COLOR_TYPE_RGBA;
    int bitDepth = 8;
    bool bgr = false;
};

bool writeHeaderGuarded(PngWriteContext* context, std::uint32_t width, std::uint32_t height,
                        const PngWriteLayout* layout) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_set_IHDR(context->png, context->info, width, height, layout->bitDepth, layout->colorType,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(context->png, context->info);
    // Transforms are set after png_write_info, as the libpng manual requires.
    if (layout->bgr) {
        png_set_bgr(context->png);
    }
    if (layout->bitDepth == 16 && std::endian::native == std::endian::little) {
        png_set_swap(context->png);
    }
    return true;
}

bool writeRowGuarded(PngWriteContext* context, const std::uint8_t* row) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_write_row(context->png, row);
    return true;
}

bool writeEndGuarded(PngWriteContext* context) {
    if (setjmp(png_jmpbuf(context->png))) {
        return false;
    }
    png_write_end(context->png, nullptr);
    return true;
}

template <class TPixel>
PngWriteLayout writeLayoutFor() {
    if constexpr (std::is_same_v<TPixel, L8>) {
        return {PNG_COLOR_TYPE_GRAY, 8, false};
    } else if constexpr (std::is_same_v<TPixel, L16>) {
        return {PNG_COLOR_TYPE_GRAY, 16, false};
    } else if constexpr (std::is_same_v<TPixel, Rgb24>) {
        return {PNG_COLOR_TYPE_RGB, 8, false};
    } else if constexpr (std::is_same_v<TPixel, Rgba32>) {
        return {PNG_COLOR_TYPE_RGBA, 8, false};
    } else if constexpr (std::is_same_v<TPixel, Bgra32>) {
        return {PNG_COLOR_TYPE_RGBA, 8, true};
    } else {
        static_assert(std::is_same_v<TPixel, RgbaVector>);
        return {PNG_COLOR_TYPE_RGBA, 16, false};
    }
}

}  // namespace

bool PngCodec::isPng(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0;
}

ImageInfo PngCodec::identify(std::span<const std::uint8_t> bytes, std::string_view sourceName) {
    if (!isPng(bytes)) {
        throw InvalidImageContent(DecodeLimits::corruptMessage(sourceName, "Not a PNG file"),
                                  std::string(sourceName));
    }
    PngReadSession session(bytes);
    PngHeader header;
    if (!readInfoGuarded(&session.context, &header)) {
        session.fail(sourceName);
    }
    ImageInfo info;
    info.format = ImageFormat::Png;
    info.width = static_cast<int>(header.width);
    info.height = static_cast<int>(header.height);
    info.bitsPerComponent = header.bitDepth;
    info.components = header.channels;
    info.layout = header.decoded;
    return info;
}

template <class TPixel>
Image<TPixel> PngCodec::decode(std::span<const std::uint8_t> bytes,
                               const Configuration& configuration, std::string_view sourceName) {
    if (!isPng(bytes)) {
        throw InvalidImageContent(DecodeLimits::corruptMessage(sourceName, "Not a PNG file"),
                                  std::string(sourceName));
    }
    PngReadSession session(bytes);
    PngHeader header;
    if (!readInfoGuarded(&session.context, &header)) {
        session.fail(sourceName);
    }
    // png_read_update_info (in setTransformsGuarded) allocates and clears row buffers as wide as
    // the header claims, so the claim is checked first, with the least memory any decode needs.
    DecodeLimits::checkDimensions(configuration, header.width, header.height, sizeof(TPixel),
                                  sourceName);
    if (!setTransformsGuarded(&session.context, &header)) {
        session.fail(sourceName);
    }
    const bool direct = isNativeRowFormat<TPixel>(header.format);
    const bool interlaced = header.passes > 1;
    // An interlaced decode into another pixel type keeps the whole image in libpng's format
    // until the last pass, so that memory counts as well.
    const std::size_t decodeBytesPerPixel =
        sizeof(TPixel) + (interlaced && !direct ? bytesPerPixel(header.format) : 0);
    DecodeLimits::checkDimensions(configuration, header.width, header.height, decodeBytesPerPixel,
                                  sourceName);
    const int width = static_cast<int>(header.width);
    const int height = static_cast<int>(header.height);
    Image<TPixel> image =
        DecodeLimits::allocateImage<TPixel>(configuration, width, height, sourceName);
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();

    if (direct) {
        // libpng writes straight into the allocator's rows, each pass on top of the last.
        for (int pass = 0; pass < header.passes; ++pass) {
            for (int y = 0; y < height; ++y) {
                if (!readRowGuarded(&session.context,
                                    reinterpret_cast<std::uint8_t*>(rows.row(y)))) {
                    session.fail(sourceName);
                }
            }
        }
        return image;
    }

    // uint16 storage keeps 16-bit samples aligned; libpng sees it as bytes.
    const std::size_t rowsHeld = interlaced ? static_cast<std::size_t>(height) : 1;
    std::vector<std::uint16_t> scratch((header.rowBytes * rowsHeld + 1) / 2);
    auto* scratchBytes = reinterpret_cast<std::uint8_t*>(scratch.data());
    if (!interlaced) {
        for (int y = 0; y < height; ++y) {
            if (!readRowGuarded(&session.context, scratchBytes)) {
                session.fail(sourceName);
            }
            convertRow<TPixel>(header.format, scratchBytes, rows.getRowSpan(y));
        }
        return image;
    }
    for (int pass = 0; pass < header.passes; ++pass) {
        for (int y = 0; y < height; ++y) {
            if (!readRowGuarded(&session.context,
                                scratchBytes + static_cast<std::size_t>(y) * header.rowBytes)) {
                session.fail(sourceName);
            }
        }
    }
    for (int y = 0; y < height; ++y) {
        convertRow<TPixel>(header.format,
                           scratchBytes + static_cast<std::size_t>(y) * header.rowBytes,
                           rows.getRowSpan(y));
    }
    return image;
}

namespace {

// One row of `pixels` as `layout` stores it: 8-bit samples in bytes, 16-bit ones in native
// uint16 (writeHeaderGuarded swaps them for the file).
template <class TPixel>
void storeRow(std::span<const TPixel> pixels, ChannelLayout layout, std::uint16_t* out) {
    const auto store = [&](auto samples, auto* to) {
        for (const TPixel& pixel : pixels) {
            const auto [r, g, b, a] = samples(pixel);
            if (layout.channels <= 2) {
                *to++ = ColorMath::luminance709(r, g, b);
            } else {
                *to++ = r;
                *to++ = g;
                *to++ = b;
            }
            if (layout.hasAlpha()) {
                *to++ = a;
            }
        }
    };
    if (layout.bitsPerChannel == 16) {
        store(
            [](const TPixel& pixel) {
                const RgbaVector v = PixelConverter::convert<RgbaVector>(pixel);
                return std::array<std::uint16_t, 4>{
                    ColorMath::unitTo16(v.r), ColorMath::unitTo16(v.g), ColorMath::unitTo16(v.b),
                    ColorMath::unitTo16(v.a)};
            },
            out);
    } else {
        store(
            [](const TPixel& pixel) {
                const Rgba32 c = PixelConverter::convert<Rgba32>(pixel);
                return std::array<std::uint8_t, 4>{c.r, c.g, c.b, c.a};
            },
            reinterpret_cast<std::uint8_t*>(out));
    }
}

}  // namespace

template <class TPixel>
std::vector<std::uint8_t> PngCodec::encode(const Image<TPixel>& image, ChannelLayout layout) {
    std::vector<std::uint8_t> output;
    const MemoryPin pin = image.pin();
    const PixelAccessor<TPixel> rows = image.pixelBuffer().accessor();
    const PngWriteLayout own = writeLayoutFor<TPixel>();
    static constexpr int kColorTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                          PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    if (!layout.isDefault() && (layout.channels < 1 || layout.channels > 4 ||
                                (layout.bitsPerChannel != 8 && layout.bitsPerChannel != 16))) {
        throw std::invalid_argument("PngCodec::encode: " + std::to_string(layout.channels) +
                                    " channels of " + std::to_string(layout.bitsPerChannel) +
                                    " bits is no PNG layout.");
    }
    // The pixel type's own layout, or another one its rows are converted to, one by one.
    const bool converted =
        !layout.isDefault() && (kColorTypes[layout.channels - 1] != own.colorType ||
                                layout.bitsPerChannel != own.bitDepth || own.bgr);
    const PngWriteLayout written =
        converted ? PngWriteLayout{kColorTypes[layout.channels - 1], layout.bitsPerChannel, false}
                  : own;
    PngWriteSession session(&output);
    if (!writeHeaderGuarded(&session.context, static_cast<std::uint32_t>(image.width()),
                            static_cast<std::uint32_t>(image.height()), &written)) {
        session.fail();
    }
    std::vector<std::uint16_t> scratch;
    if (converted || std::is_same_v<TPixel, RgbaVector>) {
        scratch.resize(static_cast<std::size_t>(image.width()) * 4);
    }
    for (int y = 0; y < image.height(); ++y) {
        const std::uint8_t* row = reinterpret_cast<const std::uint8_t*>(rows.row(y));
        if (converted) {
            storeRow<TPixel>(rows.getRowSpan(y), layout, scratch.data());
            row = reinterpret_cast<const std::uint8_t*>(scratch.data());
        } else if constexpr (std::is_same_v<TPixel, RgbaVector>) {
            storeRow<TPixel>(rows.getRowSpan(y), {4, 16}, scratch.data());
            row = reinterpret_cast<const std::uint8_t*>(scratch.data());
        }
        if (!writeRowGuarded(&session.context, row)) {
            session.fail();
        }
    }
    if (!writeEndGuarded(&session.context)) {
        session.fail();
    }
    return output;
}

#define POOLSCOPE_INSTANTIATE_PNG_CODEC(TPixel)                                              \
    template Image<TPixel> PngCodec::decode<TPixel>(std::span<const std::uint8_t>,           \
                                                    const Configuration&, std::string_view); \
    template std::vector<std::uint8_t> PngCodec::encode<TPixel>(const Image<TPixel>&,        \
                                                                ChannelLayout);
POOLSCOPE_FOR_EACH_PIXEL_TYPE(POOLSCOPE_INSTANTIATE_PNG_CODEC)
#undef POOLSCOPE_INSTANTIATE_PNG_CODEC

}  // namespace poolscope
