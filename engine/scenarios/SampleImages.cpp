#include "scenarios/SampleImages.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <system_error>

#include "imaging/Image.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "scenarios/ScenarioError.h"

namespace poolscope {

namespace {

constexpr int kJpegQuality = 82;

struct Colour {
    float r = 0;
    float g = 0;
    float b = 0;
};

Colour mix(const Colour& a, const Colour& b, float t) {
    t = std::clamp(t, 0.0f, 1.0f);
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

std::uint8_t channel(float value) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

// Shapes laid over a vertical sky gradient: what gives a resize and a JPEG encoder the edges
// and smooth areas of a photograph.
struct Disc {
    float cx, cy, radius;
    Colour colour;
    float alpha;
};

struct Scene {
    Colour skyTop;
    Colour skyBottom;
    float horizon;  // fraction of the height where the ground starts
    Colour ground;
    std::vector<Disc> discs;
    float grain;          // amplitude of the noise, in channel units
    bool transparentSky;  // PNG with alpha: the sky fades out
};

Scene sceneFor(const SampleImages::Sample& sample) {
    std::seed_seq seed(sample.fileName.begin(), sample.fileName.end());
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const bool png = sample.fileName.ends_with(".png");
    Scene scene;
    scene.skyTop = {40 + 60 * unit(random), 70 + 80 * unit(random), 140 + 100 * unit(random)};
    scene.skyBottom = {200 + 55 * unit(random), 140 + 90 * unit(random), 90 + 80 * unit(random)};
    scene.horizon = 0.55f + 0.2f * unit(random);
    scene.ground = {40 + 60 * unit(random), 80 + 70 * unit(random), 30 + 40 * unit(random)};
    const int discs = 6 + static_cast<int>(10 * unit(random));
    for (int i = 0; i < discs; ++i) {
        scene.discs.push_back({unit(random) * static_cast<float>(sample.width),
                               unit(random) * static_cast<float>(sample.height),
                               (0.03f + 0.15f * unit(random)) *
                                   static_cast<float>(std::min(sample.width, sample.height)),
                               {255 * unit(random), 255 * unit(random), 255 * unit(random)},
                               0.4f + 0.6f * unit(random)});
    }
    // Grain makes PNGs large and JPEGs honest; PNGs get none so that the set stays small.
    scene.grain = png ? 0.0f : 3.0f;
    scene.transparentSky = png && sample.fileName.find("alpha") != std::string::npos;
    return scene;
}

Image<Rgba32> draw(const SampleImages::Sample& sample, const Configuration& configuration) {
    const Scene scene = sceneFor(sample);
    Image<Rgba32> image(configuration, sample.width, sample.height);
    std::mt19937 grain(static_cast<std::uint32_t>(sample.width * 31 + sample.height));
    std::uniform_real_distribution<float> noise(-scene.grain, scene.grain);
    const float height = static_cast<float>(sample.height);
    for (int y = 0; y < sample.height; ++y) {
        const float v = static_cast<float>(y) / height;
        const bool sky = v < scene.horizon;
        const Colour base = sky ? mix(scene.skyTop, scene.skyBottom, v / scene.horizon)
                                : mix(scene.ground, {20, 30, 20}, (v - scene.horizon) * 2.0f);
        for (int x = 0; x < sample.width; ++x) {
            Colour colour = base;
            for (const Disc& disc : scene.discs) {
                const float dx = static_cast<float>(x) - disc.cx;
                const float dy = static_cast<float>(y) - disc.cy;
                const float distance = std::sqrt(dx * dx + dy * dy);
                // A soft one-pixel edge, as a lens gives.
                const float cover = std::clamp(disc.radius - distance + 0.5f, 0.0f, 1.0f);
                if (cover > 0) {
                    // Shaded toward the lower right, so a disc reads as a ball.
                    const float shade =
                        1.0f - 0.35f * std::clamp((dx + dy) / (2 * disc.radius) + 0.5f, 0.0f, 1.0f);
                    const Colour lit{disc.colour.r * shade, disc.colour.g * shade,
                                     disc.colour.b * shade};
                    colour = mix(colour, lit, cover * disc.alpha);
                }
            }
            const float n = scene.grain > 0 ? noise(grain) : 0.0f;
            const float alpha = scene.transparentSky && sky ? 255.0f * v / scene.horizon : 255.0f;
            image.setPixel(x, y,
                           Rgba32{channel(colour.r + n), channel(colour.g + n),
                                  channel(colour.b + n), channel(alpha)});
        }
    }
    return image;
}

std::vector<std::filesystem::path> candidateDirectories() {
    std::vector<std::filesystem::path> candidates;
    if (const char* fromEnvironment = std::getenv("POOLSCOPE_SAMPLES")) {
        candidates.emplace_back(fromEnvironment);
    }
    std::error_code error;
    const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        const std::filesystem::path prefix = executable.parent_path().parent_path();
        candidates.push_back(prefix / "share" / "poolscope" / "samples");
        candidates.push_back(prefix / "resources" / "samples");
    }
    // A program of a user's, linked against the installed library, runs from anywhere: the
    // samples are beside the library (lib/ or lib/<multiarch>/, then share/).
    Dl_info library{};
    if (dladdr(reinterpret_cast<const void*>(&candidateDirectories), &library) != 0 &&
        library.dli_fname != nullptr) {
        const std::filesystem::path libraryDirectory =
            std::filesystem::path(library.dli_fname).parent_path();
        for (const std::filesystem::path& prefix :
             {libraryDirectory.parent_path(), libraryDirectory.parent_path().parent_path()}) {
            candidates.push_back(prefix / "share" / "poolscope" / "samples");
        }
    }
#ifdef POOLSCOPE_INSTALLED_SAMPLES
    candidates.emplace_back(POOLSCOPE_INSTALLED_SAMPLES);
#endif
    candidates.emplace_back(POOLSCOPE_SOURCE_SAMPLES);
    return candidates;
}

bool hasImageExtension(const std::filesystem::path& path) {
    return ImageCodecs::formatForPath(path) != ImageFormat::Unknown;
}

}  // namespace

const std::vector<SampleImages::Sample>& SampleImages::catalogue() {
    static const std::vector<Sample> samples = {
        {"harbour-dusk.jpg", 3000, 2000},   // 6.0 MP
        {"city-blocks.jpg", 2560, 1600},    // 4.1 MP
        {"meadow.jpg", 2048, 1536},         // 3.1 MP
        {"portrait-tall.jpg", 1200, 1600},  // 1.9 MP
        {"marbles.png", 1280, 960},         // 1.2 MP
        {"alpha-badge.png", 1200, 900},     // 1.1 MP, transparent sky
        {"square-tiles.png", 1024, 1024},   // 1.0 MP
    };
    return samples;
}

std::vector<std::filesystem::path> SampleImages::generate(const std::filesystem::path& directory,
                                                          const Configuration& configuration) {
    std::filesystem::create_directories(directory);
    std::vector<std::filesystem::path> written;
    for (const Sample& sample : catalogue()) {
        Image<Rgba32> image = draw(sample, configuration);
        const std::filesystem::path path = directory / sample.fileName;
        ImageCodecs::save(image, path, kJpegQuality);
        image.dispose();
        written.push_back(path);
    }
    return written;
}

std::filesystem::path SampleImages::defaultDirectory() {
    std::string looked;
    for (const std::filesystem::path& candidate : candidateDirectories()) {
        std::error_code error;
        if (std::filesystem::is_directory(candidate, error)) {
            const std::vector<std::filesystem::path> files = listImageFiles(candidate);
            if (!files.empty()) {
                return candidate;
            }
        }
        looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    throw ScenarioError("no sample images found; looked in: " + looked +
                        " (set POOLSCOPE_SAMPLES or pass input=DIRECTORY)");
}

std::vector<std::filesystem::path> SampleImages::listImageFiles(
    const std::filesystem::path& directory) {
    std::error_code error;
    std::filesystem::directory_iterator entries(directory, error);
    if (error) {
        throw ScenarioError("cannot read the image folder " + directory.string() + ": " +
                            error.message());
    }
    std::vector<std::filesystem::path> files;
    for (const std::filesystem::directory_entry& entry : entries) {
        // Everything named like an image is listed unless it is a folder: a dangling link, a
        // link loop or an unreadable file then fails to open and is reported with its reason,
        // instead of vanishing from the run.
        std::error_code typeError;
        if (hasImageExtension(entry.path()) && !entry.is_directory(typeError)) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::filesystem::path SampleImages::inputDirectory(const std::string& given) {
    return given.empty() ? defaultDirectory() : std::filesystem::path(given);
}

}  // namespace poolscope
