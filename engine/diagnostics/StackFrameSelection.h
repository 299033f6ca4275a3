#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "diagnostics/Frame.h"

namespace poolscope {

// Which frames of a stack people read: those of each return address in turn, innermost first,
// the engine allocator's own frames at the top left out, at most maxFrames, ending at main.
// One rule for stacks of this process and stacks a live link brought from another.
class StackFrameSelection {
public:
    // framesAt(i): the frames of the i-th return address (inlined calls first).
    static std::vector<Frame> select(std::size_t addressCount,
                                     const std::function<std::vector<Frame>(std::size_t)>& framesAt,
                                     int maxFrames);
    // The same rule over frames already named, one per entry (a recording's stacks).
    static std::vector<Frame> select(std::vector<Frame> frames, int maxFrames = 24);
    static bool isAllocatorFrame(const Frame& frame);
};

}  // namespace poolscope
