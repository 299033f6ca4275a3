#include "diagnostics/CallerFrames.h"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace poolscope {

namespace {

// Frames of the engine's own allocation path say nothing about who leaked.
bool isAllocatorFrame(const Frame& frame) {
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
    return std::any_of(std::begin(kInternal), std::end(kInternal), [&](std::string_view prefix) {
        return frame.function.find(prefix) != std::string::npos;
    });
}

}  // namespace

std::vector<Frame> callerFrames(std::vector<Frame> frames, std::size_t maxFrames) {
    const auto first = std::find_if_not(frames.begin(), frames.end(), isAllocatorFrame);
    auto last =
        std::find_if(first, frames.end(), [](const Frame& f) { return f.function == "main"; });
    if (last != frames.end()) {
        ++last;
    }
    if (static_cast<std::size_t>(last - first) > maxFrames) {
        last = first + static_cast<std::ptrdiff_t>(maxFrames);
    }
    return {std::make_move_iterator(first), std::make_move_iterator(last)};
}

}  // namespace poolscope
