#include "Thumbnailer.h"

#include <poolscope/imaging/Image.h>
#include <poolscope/imaging/Resize.h>
#include <poolscope/imaging/Rgba32.h>
#include <poolscope/imaging/codecs/ImageCodecs.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <memory>

namespace {

using poolscope::Image;
using poolscope::Rgba32;

std::vector<std::filesystem::path> imagesIn(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.is_regular_file() && poolscope::ImageCodecs::formatForPath(entry.path()) !=
                                           poolscope::ImageFormat::Unknown) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Kept decoded and never released, on request: the leak PoolScope's tests look for.
void keepForever(Image<Rgba32> image) {
    static_cast<void>(new Image<Rgba32>(std::move(image)));
}

}  // namespace

Thumbnailer::Result Thumbnailer::run(const std::filesystem::path& input,
                                     const std::filesystem::path& output, int leakEvery,
                                     int abortAfter) const {
    std::filesystem::create_directories(output);
    Result result;
    int decoded = 0;
    for (const std::filesystem::path& file : imagesIn(input)) {
        try {
            Image<Rgba32> image = poolscope::ImageCodecs::load<Rgba32>(file);
            const double scale =
                std::min(1.0, static_cast<double>(size_) / std::max(image.width(), image.height()));
            const int width = std::max(1, static_cast<int>(image.width() * scale));
            const int height = std::max(1, static_cast<int>(image.height() * scale));
            const Image<Rgba32> thumbnail =
                poolscope::resized(image, width, height, poolscope::ResamplerKind::Bicubic);
            poolscope::ImageCodecs::save(thumbnail, output / file.filename());
            ++result.written;
            if (leakEvery > 0 && ++decoded % leakEvery == 0) {
                keepForever(std::move(image));
            }
            if (result.written == abortAfter) {
                std::abort();
            }
        } catch (const std::exception& error) {
            result.failures.push_back(file.filename().string() + ": " + error.what());
        }
    }
    return result;
}
