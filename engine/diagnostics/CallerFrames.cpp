#include "diagnostics/CallerFrames.h"

#include <algorithm>
#include <string_view>

namespace poolscope {

bool CallerFrames::isAllocatorFrame(const Frame& frame) {
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
        "poolscope::ReportedAllocation::",
        "poolscope::ClientAllocations::",
        "poolscope::ClientPool::",
        "poolscope_report_alloc",
        "poolscope_pool_rent",
        "std::make_unique",
        "operator new",
    };
    return std::any_of(std::begin(kInternal), std::end(kInternal), [&](std::string_view prefix) {
        return frame.function.find(prefix) != std::string::npos;
    });
}

bool CallerFrames::add(Frame frame) {
    if (complete_) {
        return false;
    }
    if (frames_.empty() && isAllocatorFrame(frame)) {
        return true;  // the allocator's own frames are skipped at the top only
    }
    if (static_cast<int>(frames_.size()) >= maxFrames_) {
        complete_ = true;
        return false;
    }
    const bool isMain = frame.function == "main";
    frames_.push_back(std::move(frame));
    complete_ = isMain;
    return !complete_;
}

std::vector<Frame> CallerFrames::of(std::vector<Frame> stack, int maxFrames) {
    CallerFrames frames(maxFrames);
    for (Frame& frame : stack) {
        if (!frames.add(std::move(frame))) {
            break;
        }
    }
    return frames.take();
}

}  // namespace poolscope
