#pragma once

#include <vector>

#include "diagnostics/Frame.h"

namespace poolscope {

// The frames of an allocation's stack that say who allocated: the engine's (and the C API's)
// own allocation frames at the top are left out, and the stack ends at main (what lies below
// is the C runtime) or after maxFrames. Fed frame by frame, innermost first, so that a caller
// naming frames lazily can stop naming once the stack is complete.
class CallerFrames {
public:
    explicit CallerFrames(int maxFrames) : maxFrames_(maxFrames) {}

    // False once the stack is complete; later frames are not taken.
    bool add(Frame frame);
    bool complete() const { return complete_; }
    std::vector<Frame> take() { return std::move(frames_); }

    // The caller frames of a stack named as a whole.
    static std::vector<Frame> of(std::vector<Frame> stack, int maxFrames);
    static bool isAllocatorFrame(const Frame& frame);

private:
    int maxFrames_;
    bool complete_ = false;
    std::vector<Frame> frames_;
};

}  // namespace poolscope
