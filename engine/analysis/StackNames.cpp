#include "analysis/StackNames.h"

#include <exception>

#include "diagnostics/StackFrameSelection.h"
#include "recording/RecordingReader.h"

namespace poolscope {

StackNames::StackNames() : frames_(1), labels_{"[no stack]"} {}

StackNames::StackNames(std::function<std::vector<Frame>(StackId)> frames) : StackNames() {
    source_ = std::move(frames);
}

StackNames StackNames::of(const RecordingReader& reader) {
    StackNames names;
    try {
        reader.forEachStack([&names](StackId stackId, std::vector<Frame> frames) {
            names.add(stackId, StackFrameSelection::select(std::move(frames), kFramesPerStack));
        });
    } catch (const std::exception&) {
        // A damaged stack table leaves the stacks not read yet without frames; their
        // allocations still count.
    }
    return names;
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

void StackNames::add(StackId stackId, const std::vector<Frame>& frames) {
    std::vector<FrameId> ids;
    ids.reserve(frames.size());
    for (const Frame& frame : frames) {
        std::string label = frame.toString();
        const auto [known, added] =
            idOfLabel_.try_emplace(label, static_cast<FrameId>(frames_.size()));
        if (added) {
            frames_.push_back(frame);
            labels_.push_back(std::move(label));
        }
        ids.push_back(known->second);
    }
    if (ids.empty()) {
        ids.push_back(kNoStack);
    }
    stacks_[stackId] = std::move(ids);
}

const std::vector<StackNames::FrameId>& StackNames::frameIds(StackId stackId) {
    auto known = stacks_.find(stackId);
    if (known == stacks_.end()) {
        add(stackId, source_ && stackId != 0 ? source_(stackId) : std::vector<Frame>{});
        known = stacks_.find(stackId);
    }
    return known->second;
}

std::vector<Frame> StackNames::frames(StackId stackId) {
    std::vector<Frame> frames;
    for (const FrameId id : frameIds(stackId)) {
        if (id != kNoStack) {
            frames.push_back(frames_[id]);
        }
    }
    return frames;
}

}  // namespace poolscope
