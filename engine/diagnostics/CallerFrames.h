#pragma once

#include <cstddef>
#include <vector>

#include "diagnostics/Frame.h"

namespace poolscope {

// The frames of an allocation's stack a person reads to learn who allocated: the engine
// allocator's own frames at the top left out, ending at main (what lies below is the C
// runtime), at most maxFrames. One rule for the live engine and for a recording's stacks, so
// that both name the same top frame.
std::vector<Frame> callerFrames(std::vector<Frame> frames, std::size_t maxFrames = 24);

}  // namespace poolscope
