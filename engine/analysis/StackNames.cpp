#include "analysis/StackNames.h"

#include <exception>

#include "diagnostics/StackFrameSelection.h"
#include "recording/RecordingReader.h"

namespace poolscope {

StackNames::StackNames(std::function<std::vector<Frame>(StackId)> frames)
    : source_(std::move(frames)) {}

StackNames StackNames::of(const RecordingReader& reader) {
    return StackNames([&reader](StackId stackId) { return framesOf(reader, stackId); });
}

std::vector<Frame> StackNames::framesOf(const RecordingReader& reader, StackId stackId) {
    if (stackId == 0) {
        return {};
    }
    try {
        return StackFrameSelection::select(reader.stack(stackId), kFramesPerStack);
    } catch (const std::exception&) {
        return {};
    }
}

std::string StackNames::label(const std::vector<Frame>& frames, std::size_t index) {
    return index < frames.size() ? frames[index].toString() : std::string(kNoStack);
}

const std::vector<Frame>& StackNames::frames(StackId stackId) {
    const auto known = named_.find(stackId);
    if (known != named_.end()) {
        return known->second;
    }
    return named_.emplace(stackId, source_(stackId)).first->second;
}

}  // namespace poolscope
