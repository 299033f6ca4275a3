#include "scenarios/WrapMemoryScenario.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <span>
#include <vector>

#include "imaging/ColorAdjustments.h"
#include "imaging/Configuration.h"
#include "imaging/Convolution.h"
#include "imaging/Image.h"
#include "imaging/Resize.h"
#include "imaging/Rgba32.h"
#include "imaging/Transforms.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

namespace {

// FNV-1a over the buffer: tells whether an operation changed the caller's memory.
std::uint64_t checksum(std::span<const Rgba32> pixels) {
    std::uint64_t hash = 1469598103934665603ull;
    for (const Rgba32& pixel : pixels) {
        for (const std::uint8_t byte : {pixel.r, pixel.g, pixel.b, pixel.a}) {
            hash = (hash ^ byte) * 1099511628211ull;
        }
    }
    return hash;
}

}  // namespace

std::string WrapMemoryScenario::description() const {
    return "Wraps an external buffer as an image: flip, rotate 180, blur and grayscale work in "
           "place in it; a resize fails with the clear wrapped-memory error.";
}

std::vector<ScenarioParameter> WrapMemoryScenario::parameters() const {
    return {
        ScenarioParameter::integer("width", "width of the external buffer in pixels", 640, 2,
                                   16'384),
        ScenarioParameter::integer("height", "height of the external buffer in pixels", 480, 2,
                                   16'384),
        ScenarioParameter::real("blur", "Gaussian blur sigma of the in-place blur", 1.5, 0.1, 50.0),
    };
}

ScenarioOutcome WrapMemoryScenario::run(ScenarioContext& context,
                                        const ScenarioParameters& parameters) {
    const int width = static_cast<int>(parameters.integer("width"));
    const int height = static_cast<int>(parameters.integer("height"));
    const auto blur = static_cast<float>(parameters.real("blur"));

    // The caller's memory: a diagonal colour ramp, so that every operation changes it.
    std::vector<Rgba32> external(static_cast<std::size_t>(width) * height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            external[static_cast<std::size_t>(y) * width + x] =
                Rgba32{static_cast<std::uint8_t>(x * 255 / width),
                       static_cast<std::uint8_t>(y * 255 / height),
                       static_cast<std::uint8_t>((x + y) % 256), 255};
        }
    }
    Configuration configuration = Configuration::defaultInstance().clone();
    configuration.allocator = context.sharedAllocator();
    Image<Rgba32> image =
        Image<Rgba32>::wrapMemory(configuration, std::span<Rgba32>(external), width, height);

    struct Operation {
        const char* name;
        std::function<void(Image<Rgba32>&)> apply;
    };
    const Operation inPlace[] = {
        {"flip", [](Image<Rgba32>& target) { flip(target, FlipMode::Horizontal); }},
        {"rotate180", [](Image<Rgba32>& target) { rotate(target, RotateMode::Rotate180); }},
        {"blur", [blur](Image<Rgba32>& target) { gaussianBlur(target, blur); }},
        {"grayscale", [](Image<Rgba32>& target) { grayscale(target); }},
    };

    ScenarioOutcome outcome;
    const std::int64_t planned = std::size(inPlace) + 1;
    std::int64_t done = 0;
    std::int64_t succeeded = 0;
    std::int64_t changedTheBuffer = 0;
    for (const Operation& operation : inPlace) {
        if (!context.checkpoint(operation.name)) {
            outcome.cancelled = true;
            return outcome;
        }
        const std::uint64_t before = checksum(external);
        std::string error;
        try {
            operation.apply(image);
        } catch (const std::exception& failure) {
            error = failure.what();
        }
        const bool ok = error.empty();
        succeeded += ok ? 1 : 0;
        changedTheBuffer += checksum(external) != before ? 1 : 0;
        outcome.addFigure(std::string(operation.name) + "InPlace",
                          ok ? std::string("succeeded") : "failed: " + error);
        context.reportProgress(++done, planned, operation.name);
    }

    if (!context.checkpoint("resize")) {
        outcome.cancelled = true;
        return outcome;
    }
    resizeError_.clear();
    try {
        resize(image, width / 2, height / 2, ResamplerKind::Bilinear);
    } catch (const InvalidMemoryOperation& refused) {
        resizeError_ = refused.what();
    }
    context.reportProgress(++done, planned, "resize");
    const bool stillUsable = !image.isDisposed() && image.width() == width;
    image.dispose();

    outcome.addFigure("externalBufferBytes",
                      static_cast<std::int64_t>(external.size() * sizeof(Rgba32)));
    outcome.addFigure("inPlaceOperationsSucceeded", succeeded);
    outcome.addFigure("inPlaceOperationsThatChangedTheExternalBuffer", changedTheBuffer);
    outcome.addFigure("resizeRefused", !resizeError_.empty());
    outcome.addFigure("resizeError", resizeError_);
    outcome.addFigure("imageUsableAfterRefusal", stillUsable);
    return outcome;
}

}  // namespace poolscope
