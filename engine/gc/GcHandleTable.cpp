#include "gc/GcHandleTable.h"

#include <stdexcept>
#include <utility>

#include "gc/GcFrame.h"

namespace poolscope {

std::uint32_t GcHandleTable::add(GcObjectHeader* target, GcHandleKind kind, std::uint32_t frameId) {
    std::uint32_t slot = 0;
    if (!freeSlots_.empty()) {
        slot = freeSlots_.back();
        freeSlots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot] = Slot{target, kind, true, frameId};
    return slot;
}

void GcHandleTable::free(std::uint32_t slot) {
    if (slot < slots_.size() && slots_[slot].inUse) {
        slots_[slot] = Slot{};
        if (!names_.empty()) {
            names_.erase(slot);
        }
        freeSlots_.push_back(slot);
    }
}

void GcHandleTable::setName(std::uint32_t slot, std::string name) {
    if (!name.empty()) {
        names_[slot] = std::move(name);
    }
}

GcHandleTable::Slot& GcHandleTable::at(ObjectRef ref) {
    if (ref.isNull() || ref.slot >= slots_.size() || !slots_[ref.slot].inUse) {
        throw std::logic_error("GcHeap: the reference's frame or handle is gone (slot " +
                               std::to_string(ref.slot) + ").");
    }
    return slots_[ref.slot];
}

GcObjectHeader* GcHandleTable::object(ObjectRef ref) {
    GcObjectHeader* object = target(ref);
    if (object == nullptr) {
        throw std::invalid_argument("GcHeap: null reference.");
    }
    return object;
}

std::uint32_t GcHandleTable::addFrame(GcFrame& frame) {
    const std::uint32_t id = nextFrameId_++;
    frames_.emplace(id, &frame);
    return id;
}

std::string GcHandleTable::rootName(std::uint32_t index) const {
    const Slot& slot = slots_[index];
    if (slot.kind == GcHandleKind::FrameLocal) {
        const auto frame = frames_.find(slot.frameId);
        return "frame " + (frame != frames_.end() ? frame->second->name() : std::string("?"));
    }
    std::string name = gcHandleKindName(slot.kind);
    if (const std::string* given = nameOf(index)) {
        name += " " + *given;
    }
    return name;
}

const std::string* GcHandleTable::nameOf(std::uint32_t slot) const {
    const auto found = names_.find(slot);
    return found != names_.end() ? &found->second : nullptr;
}

}  // namespace poolscope
