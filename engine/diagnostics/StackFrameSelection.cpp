#include "diagnostics/StackFrameSelection.h"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace poolscope {

bool StackFrameSelection::isAllocatorFrame(const Frame& frame) {
    // Frames of the engine's own allocation path say nothing about who leaked.
    static constexpr std::string_view kInternal[] = {
        "poolscope::TrackedAllocation::",
        "poolscope::LifetimeGuard::",
        "poolscope::captureStack",
        "poolscope::MemoryAllocator::",
        "poolscope::PooledMemoryAllocator::",
        "poolscope::SimpleHeapAllocator::",
        "poolscope::PooledChunkGuard",
        "poolscope::ExactSizeGuard",
        "poolscope::SmallBufferGuard",
        "poolscope::GcArrayGuard",
        "poolscope::GcPixelAllocator::",
        "std::make_unique",
        "operator new",
    };
    // A launched program's interposer (engine/preload) is the allocator there.
    if (frame.module.ends_with("libpoolscope_preload.so")) {
        return true;
    }
    return std::any_of(std::begin(kInternal), std::end(kInternal), [&](std::string_view prefix) {
        return frame.function.find(prefix) != std::string::npos;
    });
}

std::vector<Frame> StackFrameSelection::select(
    std::size_t addressCount, const std::function<std::vector<Frame>(std::size_t)>& framesAt,
    int maxFrames) {
    std::vector<Frame> frames;
    for (std::size_t i = 0; i < addressCount; ++i) {
        for (Frame& frame : framesAt(i)) {
            if (frames.empty() && isAllocatorFrame(frame)) {
                continue;  // skip the allocator's own frames at the top only
            }
            if (static_cast<int>(frames.size()) >= maxFrames) {
                return frames;
            }
            const bool isMain = frame.function == "main";
            frames.push_back(std::move(frame));
            if (isMain) {
                return frames;  // what lies below main is the C runtime
            }
        }
    }
    return frames;
}

std::vector<Frame> StackFrameSelection::select(std::vector<Frame> frames, int maxFrames) {
    return select(
        frames.size(),
        [&frames](std::size_t i) { return std::vector<Frame>{std::move(frames[i])}; }, maxFrames);
}

}  // namespace poolscope
