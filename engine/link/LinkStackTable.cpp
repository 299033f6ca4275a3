#include "link/LinkStackTable.h"

#include "diagnostics/StackFrameSelection.h"
#include "diagnostics/Symbolizer.h"

namespace poolscope {

void LinkStackTable::add(const LinkModule& module) {
    std::lock_guard lock(mutex_);
    modules_[module.index] = module.module;
}

void LinkStackTable::add(const LinkStack& stack) {
    std::lock_guard lock(mutex_);
    stacks_[stack.id] = stack.frames;
}

void LinkStackTable::add(const LinkTag& tag) {
    std::lock_guard lock(mutex_);
    tags_[tag.id] = tag.name;
}

std::vector<LocatedFrame> LinkStackTable::stack(StackId stackId) const {
    std::lock_guard lock(mutex_);
    std::vector<LocatedFrame> located;
    const auto it = stacks_.find(stackId);
    if (it == stacks_.end()) {
        return located;
    }
    for (const LinkStackFrame& frame : it->second) {
        LocatedFrame entry{frame.address, std::nullopt};
        if (frame.module && modules_.contains(*frame.module)) {
            entry.location = ModuleLocation{*frame.module, frame.offset};
        }
        located.push_back(entry);
    }
    return located;
}

LoadedModule LinkStackTable::module(std::uint32_t index) const {
    std::lock_guard lock(mutex_);
    const auto it = modules_.find(index);
    return it == modules_.end() ? LoadedModule{} : it->second;
}

std::vector<Frame> LinkStackTable::symbolizedStack(StackId stackId, int maxFrames) const {
    const std::vector<LocatedFrame> located = stack(stackId);
    return StackFrameSelection::select(
        located.size(),
        [this, &located](std::size_t i) -> std::vector<Frame> {
            const LocatedFrame& frame = located[i];
            if (!frame.location) {
                Frame unknown;
                unknown.address = frame.address;
                return {unknown};
            }
            return Symbolizer::instance().symbolize(module(frame.location->module),
                                                    frame.location->offset, frame.address);
        },
        maxFrames);
}

std::string LinkStackTable::tagName(std::uint16_t tagId) const {
    std::lock_guard lock(mutex_);
    const auto it = tags_.find(tagId);
    return it == tags_.end() ? std::string() : it->second;
}

std::size_t LinkStackTable::stackCount() const {
    std::lock_guard lock(mutex_);
    return stacks_.size();
}

}  // namespace poolscope
