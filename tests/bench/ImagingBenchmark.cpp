// The imaging suite (scripts/bench imaging): PoolScope's resize and Gaussian blur against
// OpenCV and libvips on the same 4000x3000 RGBA image, in this one process, on 1 and 2 threads;
// then PNG and JPEG decoding and encoding of that image (12 MP) against the same peers.
//
// Every comparison ends in one line "RATIO <case> poolscope/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer), and one line
// "PSNR <case> poolscope/<peer> <dB>" comparing our output with the peer's for that filter (for
// the encoders: the two files, each decoded by our decoder).
// Times include making the output image (pooled for us, malloc for the peers).

#include <benchmark/benchmark.h>
#include <unistd.h>
#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "MedianCollector.h"
#include "imaging/Configuration.h"
#include "imaging/Convolution.h"
#include "imaging/Image.h"
#include "imaging/Resize.h"
#include "imaging/codecs/JpegCodec.h"
#include "imaging/codecs/PngCodec.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope::bench {

namespace {

constexpr int kSourceWidth = 4000;
constexpr int kSourceHeight = 3000;
constexpr int kTargetWidth = 1000;
constexpr int kTargetHeight = 750;
constexpr int kThreadCounts[] = {1, 2};
constexpr int kRepetitions = 5;
constexpr double kMinSecondsPerRepetition = 0.2;
// A 12 MP PNG takes seconds to encode: one run per repetition, fewer repetitions.
constexpr int kCodecRepetitions = 3;
constexpr double kCodecMinSecondsPerRepetition = 0.01;

// A photo-like test card: smooth gradients, fine stripes that alias when downscaled without a
// filter, and a little noise; deterministic, so runs compare.
std::vector<std::uint8_t> makeSourcePixels() {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kSourceWidth) * kSourceHeight * 4);
    std::uint32_t noise = 12345;
    for (int y = 0; y < kSourceHeight; ++y) {
        for (int x = 0; x < kSourceWidth; ++x) {
            noise = noise * 1664525u + 1013904223u;
            const int jitter = static_cast<int>(noise >> 28) - 8;
            std::uint8_t* p = &pixels[(static_cast<std::size_t>(y) * kSourceWidth + x) * 4];
            const double wave = std::sin(x * 0.011 + y * 0.007) * std::cos(y * 0.013);
            const double stripes = ((x / 3 + y / 5) % 2 == 0) ? 40.0 : -40.0;
            p[0] = static_cast<std::uint8_t>(std::clamp(128.0 + 100.0 * wave + jitter, 0.0, 255.0));
            p[1] = static_cast<std::uint8_t>(
                std::clamp(x * 255.0 / kSourceWidth + jitter, 0.0, 255.0));
            p[2] =
                static_cast<std::uint8_t>(std::clamp(128.0 + stripes + 0.5 * jitter, 0.0, 255.0));
            p[3] = static_cast<std::uint8_t>(std::clamp(200.0 + 50.0 * wave, 0.0, 255.0));
        }
    }
    return pixels;
}

const std::vector<std::uint8_t>& sourcePixels() {
    static const std::vector<std::uint8_t> pixels = makeSourcePixels();
    return pixels;
}

std::shared_ptr<MemoryAllocator> benchmarkAllocator() {
    static const std::shared_ptr<MemoryAllocator> allocator = [] {
        PooledMemoryAllocator::Settings settings;
        settings.registerForTrimming = false;  // no trimming in the middle of a measurement
        return std::make_shared<PooledMemoryAllocator>(settings);
    }();
    return allocator;
}

// Our source image, in pooled chunks as an image normally is, for the given thread count.
Image<Rgba32> makeOurSource(int threads) {
    Configuration configuration;
    configuration.allocator = benchmarkAllocator();
    configuration.maxDegreeOfParallelism = threads;
    Image<Rgba32> image =
        Image<Rgba32>::createUninitialized(configuration, kSourceWidth, kSourceHeight);
    const std::uint8_t* from = sourcePixels().data();
    image.processPixelRows([&](PixelAccessor<Rgba32>& rows) {
        for (int y = 0; y < rows.height(); ++y) {
            std::memcpy(rows.getRowSpan(y).data(),
                        from + static_cast<std::size_t>(y) * kSourceWidth * 4,
                        static_cast<std::size_t>(kSourceWidth) * 4);
        }
    });
    return image;
}

template <class TPixel>
std::vector<std::uint8_t> bytesOf(Image<TPixel>& image) {
    std::vector<std::uint8_t> bytes;
    image.processPixelRows([&](PixelAccessor<TPixel>& rows) {
        for (int y = 0; y < rows.height(); ++y) {
            const auto row = rows.getRowSpan(y);
            const auto* begin = reinterpret_cast<const std::uint8_t*>(row.data());
            bytes.insert(bytes.end(), begin, begin + row.size_bytes());
        }
    });
    return bytes;
}

std::vector<std::uint8_t> bytesOf(const cv::Mat& mat) {
    const cv::Mat continuous = mat.isContinuous() ? mat : mat.clone();
    return {continuous.data, continuous.data + continuous.total() * continuous.elemSize()};
}

double psnr(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    if (a.size() != b.size() || a.empty()) {
        return std::nan("");
    }
    double squared = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        squared += d * d;
    }
    const double mse = squared / static_cast<double>(a.size());
    return mse == 0.0 ? INFINITY : 10.0 * std::log10(255.0 * 255.0 / mse);
}

// One filter, as each library spells it. A peer operation returns its output bytes.
struct PeerOperation {
    std::string name;
    std::function<std::vector<std::uint8_t>(bool keepOutput)> run;
};
struct Case {
    std::string name;
    std::function<Image<Rgba32>(const Image<Rgba32>&)> ours;
    std::vector<PeerOperation> peers;
};

const cv::Mat& openCvSource() {
    static const cv::Mat mat(kSourceHeight, kSourceWidth, CV_8UC4,
                             const_cast<std::uint8_t*>(sourcePixels().data()));
    return mat;
}

VipsImage* vipsSource() {
    static VipsImage* image =
        vips_image_new_from_memory(sourcePixels().data(), sourcePixels().size(), kSourceWidth,
                                   kSourceHeight, 4, VIPS_FORMAT_UCHAR);
    if (image == nullptr) {
        throw std::runtime_error(std::string("libvips: ") + vips_error_buffer());
    }
    return image;
}

PeerOperation openCvResize(const std::string& name, int interpolation) {
    return {name, [interpolation](bool keepOutput) {
                cv::Mat out;
                cv::resize(openCvSource(), out, cv::Size(kTargetWidth, kTargetHeight), 0, 0,
                           interpolation);
                benchmark::DoNotOptimize(out.data);
                return keepOutput ? bytesOf(out) : std::vector<std::uint8_t>{};
            }};
}

PeerOperation openCvGaussian(double sigma) {
    return {"opencv_gaussian", [sigma](bool keepOutput) {
                cv::Mat out;
                cv::GaussianBlur(openCvSource(), out, cv::Size(0, 0), sigma, sigma,
                                 cv::BORDER_REPLICATE);
                benchmark::DoNotOptimize(out.data);
                return keepOutput ? bytesOf(out) : std::vector<std::uint8_t>{};
            }};
}

// Runs a vips operation to memory: vips is lazy, so writing the pixels out is the work.
std::vector<std::uint8_t> vipsToMemory(VipsImage* out, bool keepOutput) {
    if (out == nullptr) {
        throw std::runtime_error(std::string("libvips: ") + vips_error_buffer());
    }
    std::size_t size = 0;
    void* memory = vips_image_write_to_memory(out, &size);
    g_object_unref(out);
    if (memory == nullptr) {
        throw std::runtime_error(std::string("libvips: ") + vips_error_buffer());
    }
    std::vector<std::uint8_t> bytes;
    if (keepOutput) {
        bytes.assign(static_cast<std::uint8_t*>(memory), static_cast<std::uint8_t*>(memory) + size);
    }
    g_free(memory);
    return bytes;
}

// gap 0: vips_resize reduces with the named kernel alone, the same filter as ours. By default
// (gap 2) it first box-shrinks by 2 with vips_shrinkv, and libvips 8.14's shrinkv spends most of
// its time in memset (perf: over 40%), a cost that grows with the square of the image width:
// 0.5-1 s for this image, against 40-80 ms for the whole reduce. libvips 8.15 reworked that
// chunking ("improve chunking for small shrinks"); it measures a libvips defect, not resizing.
PeerOperation vipsResize(const std::string& name, VipsKernel kernel) {
    return {
        name, [kernel](bool keepOutput) {
            VipsImage* out = nullptr;
            if (vips_resize(vipsSource(), &out, static_cast<double>(kTargetWidth) / kSourceWidth,
                            "kernel", kernel, "gap", 0.0, nullptr) != 0) {
                out = nullptr;
            }
            return vipsToMemory(out, keepOutput);
        }};
}

PeerOperation vipsGaussian(double sigma) {
    return {"vips_gaussblur", [sigma](bool keepOutput) {
                VipsImage* out = nullptr;
                // min_ampl 0.011: the kernel reaches 3 sigma, as ours and OpenCV's do.
                if (vips_gaussblur(vipsSource(), &out, sigma, "min_ampl", 0.011, nullptr) != 0) {
                    out = nullptr;
                }
                return vipsToMemory(out, keepOutput);
            }};
}

std::vector<Case> cases() {
    auto resizeWith = [](ResamplerKind kind) {
        return [kind](const Image<Rgba32>& source) {
            return resized(source, kTargetWidth, kTargetHeight, kind);
        };
    };
    auto blurWith = [](float sigma) {
        return [sigma](const Image<Rgba32>& source) { return gaussianBlurred(source, sigma); };
    };
    return {
        {"resize_bilinear",
         resizeWith(ResamplerKind::Bilinear),
         {openCvResize("opencv_linear", cv::INTER_LINEAR),
          openCvResize("opencv_area", cv::INTER_AREA),
          vipsResize("vips_linear", VIPS_KERNEL_LINEAR)}},
        {"resize_bicubic",
         resizeWith(ResamplerKind::Bicubic),
         {openCvResize("opencv_cubic", cv::INTER_CUBIC),
          vipsResize("vips_cubic", VIPS_KERNEL_CUBIC)}},
        {"resize_lanczos3",
         resizeWith(ResamplerKind::Lanczos3),
         {openCvResize("opencv_lanczos4", cv::INTER_LANCZOS4),
          vipsResize("vips_lanczos3", VIPS_KERNEL_LANCZOS3)}},
        {"gaussian_sigma1", blurWith(1.0f), {openCvGaussian(1.0), vipsGaussian(1.0)}},
        {"gaussian_sigma3", blurWith(3.0f), {openCvGaussian(3.0), vipsGaussian(3.0)}},
    };
}

// ---- Codecs: the test card as a 12 MP PNG (RGBA) and JPEG (RGB), decoded and encoded by each
// library with the same settings: JPEG quality 90, 4:2:0, no optimised Huffman tables; PNG zlib
// level 6, default strategy, adaptive row filters. All three use the system's libjpeg-turbo and
// libpng, so the differences are in how each library drives them and where the pixels go.
constexpr int kJpegQuality = 90;
constexpr int kPngCompression = 6;

const std::vector<std::uint8_t>& rgbPixels() {
    static const std::vector<std::uint8_t> pixels = [] {
        const std::vector<std::uint8_t>& rgba = sourcePixels();
        std::vector<std::uint8_t> rgb(rgba.size() / 4 * 3);
        for (std::size_t i = 0, o = 0; i < rgba.size(); i += 4, o += 3) {
            rgb[o] = rgba[i];
            rgb[o + 1] = rgba[i + 1];
            rgb[o + 2] = rgba[i + 2];
        }
        return rgb;
    }();
    return pixels;
}

const Image<Rgba32>& ourRgbaCodecSource() {
    static const Image<Rgba32> image = makeOurSource(1);
    return image;
}

const Image<Rgb24>& ourRgbCodecSource() {
    static const Image<Rgb24> image = ourRgbaCodecSource().cloneAs<Rgb24>();
    return image;
}

// The files the decoders read, written once by our encoders.
const std::vector<std::uint8_t>& pngFile() {
    static const std::vector<std::uint8_t> file = PngCodec::encode(ourRgbaCodecSource());
    return file;
}

const std::vector<std::uint8_t>& jpegFile() {
    static const std::vector<std::uint8_t> file =
        JpegCodec::encode(ourRgbCodecSource(), kJpegQuality);
    return file;
}

Configuration codecConfiguration() {
    Configuration configuration;
    configuration.allocator = benchmarkAllocator();
    configuration.maxDegreeOfParallelism = 1;
    return configuration;
}

// OpenCV's pixels are BGR(A); its encoders get the test card in that order, and its decoded
// pixels are turned back to RGB(A) for the PSNR only, outside the timed runs.
const cv::Mat& openCvBgra() {
    static const cv::Mat mat = [] {
        cv::Mat bgra;
        cv::cvtColor(openCvSource(), bgra, cv::COLOR_RGBA2BGRA);
        return bgra;
    }();
    return mat;
}

const cv::Mat& openCvBgr() {
    static const cv::Mat mat = [] {
        cv::Mat bgr;
        cv::cvtColor(openCvSource(), bgr, cv::COLOR_RGBA2BGR);
        return bgr;
    }();
    return mat;
}

VipsImage* vipsSrgbImage(const std::vector<std::uint8_t>& pixels, int bands) {
    VipsImage* memory = vips_image_new_from_memory(pixels.data(), pixels.size(), kSourceWidth,
                                                   kSourceHeight, bands, VIPS_FORMAT_UCHAR);
    VipsImage* tagged = nullptr;
    if (memory == nullptr ||
        vips_copy(memory, &tagged, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
        throw std::runtime_error(std::string("libvips: ") + vips_error_buffer());
    }
    g_object_unref(memory);
    return tagged;
}

VipsImage* vipsRgbaSource() {
    static VipsImage* image = vipsSrgbImage(sourcePixels(), 4);
    return image;
}

VipsImage* vipsRgbSource() {
    static VipsImage* image = vipsSrgbImage(rgbPixels(), 3);
    return image;
}

std::vector<std::uint8_t> takeVipsBuffer(int status, void* buffer, std::size_t size,
                                         bool keepOutput) {
    if (status != 0 || buffer == nullptr) {
        throw std::runtime_error(std::string("libvips: ") + vips_error_buffer());
    }
    std::vector<std::uint8_t> bytes;
    if (keepOutput) {
        bytes.assign(static_cast<std::uint8_t*>(buffer), static_cast<std::uint8_t*>(buffer) + size);
    }
    g_free(buffer);
    return bytes;
}

// A codec case: ours and the peers each give bytes (decoded pixels in RGB(A) order, or a file);
// `pixelsOf` turns those bytes into the pixels the PSNR compares.
struct CodecCase {
    std::string name;
    std::function<std::vector<std::uint8_t>(bool keepOutput)> ours;
    std::vector<PeerOperation> peers;
    std::function<std::vector<std::uint8_t>(const std::vector<std::uint8_t>&)> pixelsOf;
    bool producesFile = false;
};

std::vector<std::uint8_t> asIs(const std::vector<std::uint8_t>& bytes) {
    return bytes;
}

std::vector<std::uint8_t> ourPngPixels(const std::vector<std::uint8_t>& file) {
    Image<Rgba32> image = PngCodec::decode<Rgba32>(file, codecConfiguration(), "peer.png");
    return bytesOf(image);
}

std::vector<std::uint8_t> ourJpegPixels(const std::vector<std::uint8_t>& file) {
    Image<Rgb24> image = JpegCodec::decode<Rgb24>(file, codecConfiguration(), "peer.jpg");
    return bytesOf(image);
}

std::vector<CodecCase> codecCases() {
    return {
        {"png_decode",
         [](bool keepOutput) {
             Image<Rgba32> image =
                 PngCodec::decode<Rgba32>(pngFile(), codecConfiguration(), "card.png");
             benchmark::DoNotOptimize(&image);
             return keepOutput ? bytesOf(image) : std::vector<std::uint8_t>{};
         },
         {{"opencv_imdecode",
           [](bool keepOutput) {
               const cv::Mat bgra = cv::imdecode(pngFile(), cv::IMREAD_UNCHANGED);
               benchmark::DoNotOptimize(bgra.data);
               if (!keepOutput) {
                   return std::vector<std::uint8_t>{};
               }
               cv::Mat rgba;
               cv::cvtColor(bgra, rgba, cv::COLOR_BGRA2RGBA);
               return bytesOf(rgba);
           }},
          {"vips_pngload_buffer",
           [](bool keepOutput) {
               VipsImage* out = nullptr;
               if (vips_pngload_buffer(const_cast<std::uint8_t*>(pngFile().data()),
                                       pngFile().size(), &out, "access", VIPS_ACCESS_SEQUENTIAL,
                                       nullptr) != 0) {
                   out = nullptr;
               }
               return vipsToMemory(out, keepOutput);
           }}},
         asIs,
         false},
        {"png_encode",
         [](bool keepOutput) {
             std::vector<std::uint8_t> file = PngCodec::encode(ourRgbaCodecSource());
             benchmark::DoNotOptimize(file.data());
             return keepOutput ? file : std::vector<std::uint8_t>{};
         },
         {{"opencv_imencode",
           [](bool keepOutput) {
               std::vector<std::uint8_t> file;
               cv::imencode(".png", openCvBgra(), file,
                            {cv::IMWRITE_PNG_COMPRESSION, kPngCompression, cv::IMWRITE_PNG_STRATEGY,
                             cv::IMWRITE_PNG_STRATEGY_DEFAULT});
               benchmark::DoNotOptimize(file.data());
               return keepOutput ? file : std::vector<std::uint8_t>{};
           }},
          {"vips_pngsave_buffer",
           [](bool keepOutput) {
               void* buffer = nullptr;
               std::size_t size = 0;
               const int status = vips_pngsave_buffer(
                   vipsRgbaSource(), &buffer, &size, "compression", kPngCompression, "filter",
                   VIPS_FOREIGN_PNG_FILTER_ALL, "strip", TRUE, nullptr);
               return takeVipsBuffer(status, buffer, size, keepOutput);
           }}},
         ourPngPixels,
         true},
        {"jpeg_decode",
         [](bool keepOutput) {
             Image<Rgb24> image =
                 JpegCodec::decode<Rgb24>(jpegFile(), codecConfiguration(), "card.jpg");
             benchmark::DoNotOptimize(&image);
             return keepOutput ? bytesOf(image) : std::vector<std::uint8_t>{};
         },
         {{"opencv_imdecode",
           [](bool keepOutput) {
               const cv::Mat bgr = cv::imdecode(jpegFile(), cv::IMREAD_COLOR);
               benchmark::DoNotOptimize(bgr.data);
               if (!keepOutput) {
                   return std::vector<std::uint8_t>{};
               }
               cv::Mat rgb;
               cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
               return bytesOf(rgb);
           }},
          {"vips_jpegload_buffer",
           [](bool keepOutput) {
               VipsImage* out = nullptr;
               if (vips_jpegload_buffer(const_cast<std::uint8_t*>(jpegFile().data()),
                                        jpegFile().size(), &out, "access", VIPS_ACCESS_SEQUENTIAL,
                                        nullptr) != 0) {
                   out = nullptr;
               }
               return vipsToMemory(out, keepOutput);
           }}},
         asIs,
         false},
        {"jpeg_encode",
         [](bool keepOutput) {
             std::vector<std::uint8_t> file = JpegCodec::encode(ourRgbCodecSource(), kJpegQuality);
             benchmark::DoNotOptimize(file.data());
             return keepOutput ? file : std::vector<std::uint8_t>{};
         },
         {{"opencv_imencode",
           [](bool keepOutput) {
               std::vector<std::uint8_t> file;
               cv::imencode(".jpg", openCvBgr(), file, {cv::IMWRITE_JPEG_QUALITY, kJpegQuality});
               benchmark::DoNotOptimize(file.data());
               return keepOutput ? file : std::vector<std::uint8_t>{};
           }},
          {"vips_jpegsave_buffer",
           [](bool keepOutput) {
               void* buffer = nullptr;
               std::size_t size = 0;
               // Subsampling on: libvips' default turns it off from quality 90 up.
               const int status = vips_jpegsave_buffer(
                   vipsRgbSource(), &buffer, &size, "Q", kJpegQuality, "subsample_mode",
                   VIPS_FOREIGN_SUBSAMPLE_ON, "strip", TRUE, nullptr);
               return takeVipsBuffer(status, buffer, size, keepOutput);
           }}},
         ourJpegPixels,
         true},
    };
}

void setPeerThreads(int threads) {
    cv::setNumThreads(threads);
    vips_concurrency_set(threads);
}

benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* benchmark,
                                          double minSeconds = kMinSecondsPerRepetition,
                                          int repetitions = kRepetitions) {
    return benchmark->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(minSeconds)
        ->Repetitions(repetitions)
        ->ReportAggregatesOnly(true);
}

struct Comparison {
    std::string caseName;
    std::string peer;
};

void registerCases(std::vector<Comparison>& comparisons) {
    for (const Case& imagingCase : cases()) {
        for (const int threads : kThreadCounts) {
            const std::string caseName = imagingCase.name + "_" + std::to_string(threads) + "t";
            configure(benchmark::RegisterBenchmark(
                (caseName + "/poolscope").c_str(), [imagingCase, threads](benchmark::State& state) {
                    const Image<Rgba32> source = makeOurSource(threads);
                    for (auto _ : state) {
                        Image<Rgba32> out = imagingCase.ours(source);
                        benchmark::DoNotOptimize(&out);
                    }
                }));
            for (const PeerOperation& peer : imagingCase.peers) {
                configure(benchmark::RegisterBenchmark((caseName + "/" + peer.name).c_str(),
                                                       [peer, threads](benchmark::State& state) {
                                                           setPeerThreads(threads);
                                                           for (auto _ : state) {
                                                               peer.run(false);
                                                           }
                                                       }));
                comparisons.push_back({caseName, peer.name});
            }
        }
    }
    // The codecs run on one thread in all three libraries: libpng and libjpeg work row by row.
    for (const CodecCase& codecCase : codecCases()) {
        const std::string caseName = codecCase.name + "_1t";
        configure(benchmark::RegisterBenchmark((caseName + "/poolscope").c_str(),
                                               [codecCase](benchmark::State& state) {
                                                   for (auto _ : state) {
                                                       codecCase.ours(false);
                                                   }
                                               }),
                  kCodecMinSecondsPerRepetition, kCodecRepetitions);
        for (const PeerOperation& peer : codecCase.peers) {
            configure(benchmark::RegisterBenchmark((caseName + "/" + peer.name).c_str(),
                                                   [peer](benchmark::State& state) {
                                                       setPeerThreads(1);
                                                       for (auto _ : state) {
                                                           peer.run(false);
                                                       }
                                                   }),
                      kCodecMinSecondsPerRepetition, kCodecRepetitions);
            comparisons.push_back({caseName, peer.name});
        }
    }
}

void printPsnr() {
    std::printf("\n== PSNR of our output against each peer's, same filter (target >= 40 dB)\n");
    setPeerThreads(1);
    for (const Case& imagingCase : cases()) {
        const Image<Rgba32> source = makeOurSource(1);
        Image<Rgba32> ours = imagingCase.ours(source);
        const std::vector<std::uint8_t> ourBytes = bytesOf(ours);
        for (const PeerOperation& peer : imagingCase.peers) {
            std::printf("PSNR %s poolscope/%s %.2f\n", imagingCase.name.c_str(), peer.name.c_str(),
                        psnr(ourBytes, peer.run(true)));
        }
    }
    for (const CodecCase& codecCase : codecCases()) {
        const std::vector<std::uint8_t> ourOutput = codecCase.ours(true);
        const std::vector<std::uint8_t> ourPixels = codecCase.pixelsOf(ourOutput);
        for (const PeerOperation& peer : codecCase.peers) {
            const std::vector<std::uint8_t> peerOutput = peer.run(true);
            std::printf("PSNR %s poolscope/%s %.2f", codecCase.name.c_str(), peer.name.c_str(),
                        psnr(ourPixels, codecCase.pixelsOf(peerOutput)));
            if (codecCase.producesFile) {
                std::printf("  (file bytes: ours %zu, %s %zu)", ourOutput.size(), peer.name.c_str(),
                            peerOutput.size());
            }
            std::printf("\n");
        }
    }
}

int run(int argc, char** argv) {
    if (VIPS_INIT(argv[0]) != 0) {
        std::fprintf(stderr, "imaging_bench: libvips did not start: %s\n", vips_error_buffer());
        return 1;
    }
    vips_cache_set_max(0);  // every run computes; nothing comes from vips' operation cache
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 2;
    }
    std::printf("source %dx%d RGBA, target %dx%d; OpenCV %s, libvips %s\n", kSourceWidth,
                kSourceHeight, kTargetWidth, kTargetHeight, CV_VERSION, vips_version_string());
    std::vector<Comparison> comparisons;
    registerCases(comparisons);
    const MedianCollector medians = runRegisteredBenchmarks();
    std::fflush(stderr);

    printPsnr();
    std::printf(
        "\n== Ratios (value = peer median / poolscope median; above 1: the peer took longer)\n");
    for (const Comparison& comparison : comparisons) {
        const auto ours = medians.medianNanoseconds(comparison.caseName + "/poolscope");
        const auto peer = medians.medianNanoseconds(comparison.caseName + "/" + comparison.peer);
        if (ours && peer && *ours > 0.0) {
            std::printf("RATIO %s poolscope/%s %.3f\n", comparison.caseName.c_str(),
                        comparison.peer.c_str(), *peer / *ours);
        } else {
            std::printf("# no RATIO for %s poolscope/%s: a benchmark did not run\n",
                        comparison.caseName.c_str(), comparison.peer.c_str());
        }
    }
    std::fflush(stdout);
    vips_shutdown();
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("imaging_bench", argc, argv, poolscope::bench::run);
}
