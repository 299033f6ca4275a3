#pragma once

#include <cstdint>
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
// however many analyses ask for it. Frames are kept once per label (Frame::toString()), by id,
// so that trees and flame graphs over a hundred thousand stacks compare numbers, not strings.
class StackNames {
public:
    using FrameId = std::uint32_t;
    static constexpr int kFramesPerStack = 24;
    // The one frame of a stack without frames (none captured, or a damaged stack table).
    static constexpr FrameId kNoStack = 0;

    // frames(stackId): the stack's frames, innermost first, already selected; asked for each
    // stack when it is first needed.
    explicit StackNames(std::function<std::vector<Frame>(StackId)> frames);
    // Every stack of a recording, read at once.
    static StackNames of(const RecordingReader& reader);
    // One stack of a recording; none for stack 0 or a damaged stack table, whose allocations
    // still count, only without frames.
    static std::vector<Frame> framesOf(const RecordingReader& reader, StackId stackId);

    // The stack's frames, innermost first; {kNoStack} for a stack without frames.
    const std::vector<FrameId>& frameIds(StackId stackId);
    // The stack's frames themselves; none for a stack without frames.
    std::vector<Frame> frames(StackId stackId);
    const Frame& frame(FrameId id) const { return frames_[id]; }
    // Frame::toString(), or "[no stack]".
    const std::string& label(FrameId id) const { return labels_[id]; }
    std::size_t frameCount() const { return frames_.size(); }

private:
    StackNames();
    void add(StackId stackId, const std::vector<Frame>& frames);

    std::function<std::vector<Frame>(StackId)> source_;
    std::unordered_map<StackId, std::vector<FrameId>> stacks_;
    std::unordered_map<std::string, FrameId> idOfLabel_;
    std::vector<Frame> frames_;
    std::vector<std::string> labels_;
};

}  // namespace poolscope
