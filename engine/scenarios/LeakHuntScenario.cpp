#include "scenarios/LeakHuntScenario.h"

#include <algorithm>
#include <string>

#include "imaging/ImageBufferEvents.h"
#include "imaging/codecs/InvalidImageContent.h"

#include "diagnostics/MemoryDiagnostics.h"

namespace poolscope {

namespace {

MemoryGroup allocateImage(MemoryAllocator& allocator, int width, int height, std::uint32_t colour) {
    MemoryGroup image = allocator.allocateGroup(std::int64_t{width} * height,
                                                LeakHuntScenario::kBytesPerPixel, width);
    for (int chunk = 0; chunk < image.count(); ++chunk) {
        const std::span<std::uint32_t> pixels = image.chunk<std::uint32_t>(chunk);
        std::fill_n(pixels.begin(), width, colour);
    }
    // The group holds an RGBA image, as an Image<Rgba32> would: say so to the views.
    publishImageBufferCreated(image.allocationIds(), width, height, PixelTypeId::Rgba32,
                              LeakHuntScenario::kBytesPerPixel, allocator.sourceId());
    return image;
}

}  // namespace

// A preview window that shows the latest image opened. It subscribes to the publisher's
// event and, like the papers' forms, is "closed" without unsubscribing: the handler list
// still holds it, and with it the preview buffer.
class LeakHuntScenario::PreviewSubscriber {
public:
    explicit PreviewSubscriber(MemoryGroup preview) : preview_(std::move(preview)) {}
    void onImageOpened(int index) { lastImageShown_ = index; }

private:
    MemoryGroup preview_;
    int lastImageShown_ = -1;
};

LeakHuntScenario::LeakHuntScenario() = default;

LeakHuntScenario::~LeakHuntScenario() = default;

std::string LeakHuntScenario::description() const {
    return "Injects leaks among correctly handled images: images in a forgotten cache list, a "
           "subscriber kept alive by an event-handler list, an image never disposed, a decoder "
           "error path that forgets a buffer. Records each, to hold against what the "
           "diagnostics find.";
}

std::vector<ScenarioParameter> LeakHuntScenario::parameters() const {
    return {
        ScenarioParameter::integer("cached-images", "images left in the forgotten cache list", 3, 0,
                                   1000),
        ScenarioParameter::integer("subscribers", "previews kept alive by the handler list", 1, 0,
                                   1000),
        ScenarioParameter::integer("never-disposed", "images whose owner never disposes", 1, 0,
                                   1000),
        ScenarioParameter::integer(
            "decoder-errors", "corrupt files whose decode error path forgets a buffer", 1, 0, 1000),
        ScenarioParameter::integer("clean-images", "images handled correctly around the leaks", 4,
                                   0, 100'000),
        ScenarioParameter::integer("width", "image width in pixels (RGBA)", 1024, 1, 65'535),
        ScenarioParameter::integer("height", "image height in pixels", 768, 1, 65'535),
    };
}

InjectedLeak LeakHuntScenario::cacheThumbnailsInForgottenList(MemoryAllocator& allocator,
                                                              ImageSize size, int count) {
    const AllocationTagScope tag(kForgottenCacheTag);
    InjectedLeak leak{"forgotten-cache", kForgottenCacheTag,
                      "poolscope::LeakHuntScenario::cacheThumbnailsInForgottenList"};
    for (int i = 0; i < count; ++i) {
        forgottenCache_.push_back(allocateImage(allocator, size.width, size.height, 0xff0000ffu));
        leak.allocations +=
            static_cast<std::int64_t>(forgottenCache_.back().allocationIds().size());
        leak.bytes += static_cast<std::uint64_t>(size.width) * size.height * kBytesPerPixel;
    }
    return leak;
}

InjectedLeak LeakHuntScenario::subscribePreviewThatNeverUnsubscribes(MemoryAllocator& allocator,
                                                                     ImageSize size, int count) {
    const AllocationTagScope tag(kSubscriberTag);
    InjectedLeak leak{"event-subscriber", kSubscriberTag,
                      "poolscope::LeakHuntScenario::subscribePreviewThatNeverUnsubscribes"};
    for (int i = 0; i < count; ++i) {
        MemoryGroup preview = allocateImage(allocator, size.width, size.height, 0xff00ff00u);
        leak.allocations += static_cast<std::int64_t>(preview.allocationIds().size());
        leak.bytes += static_cast<std::uint64_t>(size.width) * size.height * kBytesPerPixel;
        auto subscriber = std::make_shared<PreviewSubscriber>(std::move(preview));
        imageOpenedHandlers_.push_back(
            [subscriber](int index) { subscriber->onImageOpened(index); });
        // The window closes here and drops its own reference, but never unsubscribes.
    }
    return leak;
}

InjectedLeak LeakHuntScenario::openImageAndNeverDispose(MemoryAllocator& allocator, ImageSize size,
                                                        int count) {
    const AllocationTagScope tag(kNeverDisposedTag);
    InjectedLeak leak{"never-disposed", kNeverDisposedTag,
                      "poolscope::LeakHuntScenario::openImageAndNeverDispose"};
    leak.releasedWithoutDispose = true;
    for (int i = 0; i < count; ++i) {
        MemoryGroup image = allocateImage(allocator, size.width, size.height, 0xffff0000u);
        leak.allocations += static_cast<std::int64_t>(image.allocationIds().size());
        leak.bytes += static_cast<std::uint64_t>(size.width) * size.height * kBytesPerPixel;
        // What the finalizer does for an image nobody disposed: the memory goes back, the
        // allocation stays undisposed, and the diagnostics hear of it with its stack.
        image.abandonToFinalizer();
    }
    return leak;
}

void LeakHuntScenario::faultyDecodeStep(MemoryAllocator& allocator, ImageSize size, int file) {
    decoderBuffersInFlight_.push_back(
        allocateImage(allocator, size.width, size.height, 0xff00ffffu));
    // The rows decode until the data runs out: the step throws here, and the line after the
    // decode that would take the buffer out of the list and dispose it never runs.
    const std::string source = "corrupt-" + std::to_string(file) + ".jpg";
    throw InvalidImageContent("Cannot decode image '" + source + "': premature end of data",
                              source);
}

InjectedLeak LeakHuntScenario::decodeCorruptFilesOnTheFaultyErrorPath(MemoryAllocator& allocator,
                                                                      ImageSize size, int count) {
    const AllocationTagScope tag(kDecoderErrorTag);
    InjectedLeak leak{"decoder-error-path", kDecoderErrorTag,
                      "poolscope::LeakHuntScenario::faultyDecodeStep"};
    for (int i = 0; i < count; ++i) {
        const std::size_t before = decoderBuffersInFlight_.size();
        try {
            faultyDecodeStep(allocator, size, i);
            // The success path: the buffer leaves the list and is disposed.
            decoderBuffersInFlight_.back().dispose();
            decoderBuffersInFlight_.pop_back();
        } catch (const InvalidImageContent&) {
            // Reported and skipped, as a batch does with a bad file; the buffer stays behind.
        }
        for (std::size_t b = before; b < decoderBuffersInFlight_.size(); ++b) {
            leak.allocations +=
                static_cast<std::int64_t>(decoderBuffersInFlight_[b].allocationIds().size());
            leak.bytes += static_cast<std::uint64_t>(size.width) * size.height * kBytesPerPixel;
        }
    }
    return leak;
}

void LeakHuntScenario::processImagesCorrectly(MemoryAllocator& allocator, ImageSize size,
                                              int count) {
    const AllocationTagScope tag(kCleanTag);
    for (int i = 0; i < count; ++i) {
        MemoryGroup image = allocateImage(allocator, size.width, size.height, 0xff808080u);
        for (const auto& handler : imageOpenedHandlers_) {
            handler(i);
        }
        image.dispose();
    }
}

ScenarioOutcome LeakHuntScenario::run(ScenarioContext& context,
                                      const ScenarioParameters& parameters) {
    MemoryAllocator& allocator = context.allocator();
    const ImageSize size{static_cast<int>(parameters.integer("width")),
                         static_cast<int>(parameters.integer("height"))};
    const int cleanImages = static_cast<int>(parameters.integer("clean-images"));
    struct Step {
        const char* phase;
        int count;
        InjectedLeak (LeakHuntScenario::*inject)(MemoryAllocator&, ImageSize, int);
    };
    const Step steps[] = {
        {"forgotten cache list", static_cast<int>(parameters.integer("cached-images")),
         &LeakHuntScenario::cacheThumbnailsInForgottenList},
        {"event-handler list", static_cast<int>(parameters.integer("subscribers")),
         &LeakHuntScenario::subscribePreviewThatNeverUnsubscribes},
        {"image never disposed", static_cast<int>(parameters.integer("never-disposed")),
         &LeakHuntScenario::openImageAndNeverDispose},
        {"decoder error path", static_cast<int>(parameters.integer("decoder-errors")),
         &LeakHuntScenario::decodeCorruptFilesOnTheFaultyErrorPath},
    };

    ScenarioOutcome outcome;
    const std::int64_t planned = std::size(steps);
    std::int64_t done = 0;
    for (const Step& step : steps) {
        if (!context.checkpoint(step.phase)) {
            outcome.cancelled = true;
            break;
        }
        // Correct work around each leak, so a checker that reports everything fails.
        processImagesCorrectly(allocator, size, cleanImages);
        if (step.count > 0) {
            outcome.injectedLeaks.push_back((this->*step.inject)(allocator, size, step.count));
        }
        context.reportProgress(++done, planned, step.phase);
    }
    std::int64_t leakedAllocations = 0;
    for (const InjectedLeak& leak : outcome.injectedLeaks) {
        leakedAllocations += leak.allocations;
    }
    outcome.addFigure("injectedLeakKinds", static_cast<std::int64_t>(outcome.injectedLeaks.size()));
    outcome.addFigure("injectedLeakAllocations", leakedAllocations);
    outcome.addFigure("forgottenCacheSize", static_cast<std::int64_t>(forgottenCache_.size()));
    outcome.addFigure("imageOpenedHandlers",
                      static_cast<std::int64_t>(imageOpenedHandlers_.size()));
    outcome.addFigure("decoderBuffersInFlight",
                      static_cast<std::int64_t>(decoderBuffersInFlight_.size()));
    return outcome;
}

}  // namespace poolscope
