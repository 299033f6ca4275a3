#include "scenarios/BatchResizeScenario.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include "imaging/Convolution.h"
#include "imaging/Image.h"
#include "imaging/Resize.h"
#include "imaging/Rgba32.h"
#include "imaging/RgbaVector.h"
#include "imaging/codecs/ImageCodecs.h"
#include "scenarios/SampleImages.h"
#include "scenarios/TemporaryDirectory.h"

namespace poolscope {

std::string BatchResizeScenario::description() const {
    return "Decodes every PNG and JPEG in a folder (default: the project's samples), resizes "
           "each to a width keeping its aspect ratio, optionally blurs it, and encodes it into "
           "another folder, on several workers. Bad files are reported and skipped.";
}

std::vector<ScenarioParameter> BatchResizeScenario::parameters() const {
    return {
        ScenarioParameter::text("input", "folder of PNG and JPEG files (empty: the samples)", ""),
        ScenarioParameter::text("output", "folder for the results (empty: a fresh temporary one)",
                                ""),
        ScenarioParameter::integer("width", "width of the results in pixels", 800, 1, 16'384),
        ScenarioParameter::real("blur", "Gaussian blur sigma in pixels (0: none)", 0.0, 0.0, 100.0),
        ScenarioParameter::integer("threads", "workers decoding and resizing at once", 2, 1, 64),
        ScenarioParameter::integer("max-pixels",
                                   "largest image a file may claim, in pixels; larger headers "
                                   "are refused before decoding",
                                   Configuration::kDefaultMaxDecodePixels, 1,
                                   std::int64_t{1} << 40),
    };
}

int BatchResizeScenario::heightForWidth(int width, int height, int newWidth) {
    const double scaled = static_cast<double>(height) * newWidth / width;
    return std::max(1, static_cast<int>(std::lround(scaled)));
}

namespace {

template <class TPixel>
std::vector<std::uint8_t> resizeAs(std::span<const std::uint8_t> bytes, const std::string& name,
                                   ImageFormat format, ChannelLayout layout,
                                   const Configuration& configuration, int width, double blurSigma,
                                   const std::function<void()>& whileBothAlive) {
    Image<TPixel> decoded = ImageCodecs::decode<TPixel>(bytes, configuration, name);
    Image<TPixel> result =
        resized(decoded, width,
                BatchResizeScenario::heightForWidth(decoded.width(), decoded.height(), width),
                ResamplerKind::Bicubic);
    if (whileBothAlive) {
        whileBothAlive();
    }
    decoded.dispose();
    if (blurSigma > 0) {
        gaussianBlur(result, static_cast<float>(blurSigma));
    }
    std::vector<std::uint8_t> encoded =
        ImageCodecs::encode(result, format, JpegCodec::kDefaultQuality, layout);
    result.dispose();
    return encoded;
}

}  // namespace

std::vector<std::uint8_t> BatchResizeScenario::resizeFile(
    const std::filesystem::path& path, const Configuration& configuration, int width,
    double blurSigma, const std::function<void()>& whileBothAlive) {
    const ImageFormat format = ImageCodecs::formatForPath(path);
    const std::vector<std::uint8_t> bytes = ImageCodecs::readFile(path);
    // The result is stored as the source was (gray stays gray, 16 bits stay 16 bits); a 16-bit
    // source is processed at its own precision.
    const ChannelLayout layout = ImageCodecs::identify(bytes, path.string()).layout;
    return layout.bitsPerChannel == 16
               ? resizeAs<RgbaVector>(bytes, path.string(), format, layout, configuration, width,
                                      blurSigma, whileBothAlive)
               : resizeAs<Rgba32>(bytes, path.string(), format, layout, configuration, width,
                                  blurSigma, whileBothAlive);
}

ScenarioOutcome BatchResizeScenario::run(ScenarioContext& context,
                                         const ScenarioParameters& parameters) {
    const std::filesystem::path input = SampleImages::inputDirectory(parameters.text("input"));
    const std::string& output = parameters.text("output");
    outputDirectory_ = output.empty() ? TemporaryDirectory::create("poolscope-batch-resize")
                                      : std::filesystem::path(output);
    std::filesystem::create_directories(outputDirectory_);
    const int width = static_cast<int>(parameters.integer("width"));
    const double blur = parameters.real("blur");
    const int threads = static_cast<int>(parameters.integer("threads"));

    const std::vector<std::filesystem::path> files = SampleImages::listImageFiles(input);
    const auto planned = static_cast<std::int64_t>(files.size());

    Configuration configuration = context.imageConfiguration();
    // The workers are the parallelism; each image's processors share what is left.
    configuration.maxDegreeOfParallelism =
        std::max(1, Configuration::defaultMaxDegreeOfParallelism() / threads);
    configuration.maxDecodePixels = parameters.integer("max-pixels");

    std::atomic<std::size_t> next{0};
    std::atomic<bool> cancelled{false};
    std::mutex resultsMutex;
    ImageResults results;
    std::int64_t done = 0;
    std::int64_t bytesRead = 0;
    std::int64_t bytesWritten = 0;

    const auto work = [&] {
        while (!cancelled.load()) {
            if (!context.checkpoint("next image")) {
                cancelled = true;
                break;
            }
            const std::size_t index = next.fetch_add(1);
            if (index >= files.size()) {
                break;
            }
            const std::filesystem::path& file = files[index];
            std::string error;
            std::int64_t written = 0;
            try {
                const std::vector<std::uint8_t> encoded =
                    resizeFile(file, configuration, width, blur);
                ImageCodecs::writeFile(outputDirectory_ / file.filename(), encoded);
                written = static_cast<std::int64_t>(encoded.size());
            } catch (const std::exception& failure) {
                error = failure.what();
            }
            std::error_code sizeError;
            const auto size = std::filesystem::file_size(file, sizeError);
            std::lock_guard lock(resultsMutex);
            if (error.empty()) {
                results.processed += 1;
                bytesWritten += written;
            } else {
                results.failed.push_back({file.string(), error});
            }
            bytesRead += sizeError ? 0 : static_cast<std::int64_t>(size);
            context.reportProgress(++done, planned, error.empty() ? "resized" : "skipped");
        }
    };
    {
        std::vector<std::jthread> workers;
        for (int i = 1; i < threads; ++i) {
            workers.emplace_back(work);
        }
        work();
    }

    std::sort(results.failed.begin(), results.failed.end(),
              [](const ImageFailure& a, const ImageFailure& b) { return a.file < b.file; });
    ScenarioOutcome outcome;
    outcome.cancelled = cancelled.load();
    outcome.addFigure("imagesPlanned", planned);
    outcome.addFigure("imagesProcessed", results.processed);
    outcome.addFigure("imagesFailed", static_cast<std::int64_t>(results.failed.size()));
    outcome.addFigure("bytesRead", bytesRead);
    outcome.addFigure("bytesWritten", bytesWritten);
    outcome.addFigure("input", input.string());
    outcome.addFigure("output", outputDirectory_.string());
    outcome.images = std::move(results);
    return outcome;
}

}  // namespace poolscope
