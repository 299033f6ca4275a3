#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "memory/MemoryGroup.h"
#include "scenarios/Scenario.h"

namespace poolscope {

// Injects the leaks that the .NET memory papers describe, in their C++ form, among images
// that are handled correctly, and records each one it made:
//  - images held in a forgotten cache list that nothing ever empties;
//  - a subscriber kept alive by an event-handler list it never left;
//  - an image never disposed: its owner is dropped and a finalizer-like path gives the memory
//    back, which keeps it undisposed and tells the diagnostics with its stack;
//  - a decoder error path that forgets a buffer: a faulty decode step puts its row buffer in
//    the decoder's list of buffers in flight, hits corrupt data, and throws past the code that
//    would take the buffer out of that list and dispose it.
// The cache, the handler list and the decoder's list belong to the scenario, so the first two leaks
// last exactly as long as it does and a leak check made after run() finds them (the first, second
// and fourth leaks).
class LeakHuntScenario final : public Scenario {
public:
    static constexpr const char* kName = "leak-hunt";
    static constexpr const char* kForgottenCacheTag = "forgotten-cache";
    static constexpr const char* kSubscriberTag = "event-subscriber";
    static constexpr const char* kNeverDisposedTag = "never-disposed";
    static constexpr const char* kDecoderErrorTag = "decoder-error-path";
    static constexpr const char* kCleanTag = "processed-correctly";
    static constexpr int kBytesPerPixel = 4;

    LeakHuntScenario();
    ~LeakHuntScenario() override;

    std::string name() const override { return kName; }
    std::string description() const override;
    std::vector<ScenarioParameter> parameters() const override;
    ScenarioKind kind() const override { return ScenarioKind::LeakHunting; }
    ScenarioOutcome run(ScenarioContext& context, const ScenarioParameters& parameters) override;

    std::size_t forgottenCacheSize() const { return forgottenCache_.size(); }
    std::size_t imageOpenedHandlerCount() const { return imageOpenedHandlers_.size(); }
    std::size_t decoderBuffersInFlight() const { return decoderBuffersInFlight_.size(); }

private:
    struct ImageSize {
        int width = 0;
        int height = 0;
    };
    class PreviewSubscriber;

    // Out of line, so that each leak's stack names the function that made it.
    [[gnu::noinline]] InjectedLeak cacheThumbnailsInForgottenList(MemoryAllocator& allocator,
                                                                  ImageSize size, int count);
    [[gnu::noinline]] InjectedLeak subscribePreviewThatNeverUnsubscribes(MemoryAllocator& allocator,
                                                                         ImageSize size, int count);
    [[gnu::noinline]] InjectedLeak openImageAndNeverDispose(MemoryAllocator& allocator,
                                                            ImageSize size, int count);
    [[gnu::noinline]] InjectedLeak decodeCorruptFilesOnTheFaultyErrorPath(
        MemoryAllocator& allocator, ImageSize size, int count);
    // Allocates the row buffer, then meets the corrupt data and throws.
    [[gnu::noinline]] void faultyDecodeStep(MemoryAllocator& allocator, ImageSize size, int file);
    void processImagesCorrectly(MemoryAllocator& allocator, ImageSize size, int count);

    // The "static list" of the papers: filled, never emptied while the scenario lives.
    std::vector<MemoryGroup> forgottenCache_;
    // An event of a long-lived publisher; each handler holds its subscriber alive.
    std::vector<std::function<void(int)>> imageOpenedHandlers_;
    // The decoder's buffers in flight, each to be taken out and disposed when its decode ends;
    // the error path skips that.
    std::vector<MemoryGroup> decoderBuffersInFlight_;
};

}  // namespace poolscope
