#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope {

class RecordingReader;

// The frames of a recording's stacks as `poolscope report` shows them (StackFrameSelection:
// innermost first, the allocator's own frames left out, ending at main), each stack named once
// however many analyses ask for it.
class StackNames {
public:
    static constexpr int kFramesPerStack = 24;

    // frames(stackId): the stack's frames, innermost first, already selected.
    explicit StackNames(std::function<std::vector<Frame>(StackId)> frames);
    // The stacks of a recording.
    static StackNames of(const RecordingReader& reader);
    // One stack of a recording; none for stack 0 or a damaged stack table, whose allocations
    // still count, only without frames.
    static std::vector<Frame> framesOf(const RecordingReader& reader, StackId stackId);

    const std::vector<Frame>& frames(StackId stackId);
    // The name a stack's frame goes by in every analysis: its Frame::toString(); for a stack
    // without frames, a name saying so.
    static std::string label(const std::vector<Frame>& frames, std::size_t index);
    static constexpr const char* kNoStack = "[no stack]";

private:
    std::function<std::vector<Frame>(StackId)> source_;
    std::unordered_map<StackId, std::vector<Frame>> named_;
};

}  // namespace poolscope
