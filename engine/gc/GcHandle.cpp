#include "gc/GcHandle.h"

#include <utility>

#include "gc/GcHeap.h"

namespace poolscope {

GcHandle::GcHandle(GcHandle&& other) noexcept
    : heap_(std::exchange(other.heap_, nullptr)),
      slot_(std::exchange(other.slot_, ObjectRef::kNullSlot)),
      kind_(other.kind_) {}

GcHandle& GcHandle::operator=(GcHandle&& other) noexcept {
    if (this != &other) {
        free();
        heap_ = std::exchange(other.heap_, nullptr);
        slot_ = std::exchange(other.slot_, ObjectRef::kNullSlot);
        kind_ = other.kind_;
    }
    return *this;
}

void GcHandle::free() {
    if (GcHeap* heap = std::exchange(heap_, nullptr)) {
        std::lock_guard lock(heap->mutex_);
        heap->state_.handles.free(std::exchange(slot_, ObjectRef::kNullSlot));
    }
}

bool GcHandle::isAlive() const {
    if (heap_ == nullptr) {
        return false;
    }
    std::lock_guard lock(heap_->mutex_);
    return heap_->state_.handles.targetOf(slot_) != nullptr;
}

ObjectRef GcHandle::target(GcFrame& frame) const {
    if (heap_ == nullptr) {
        return ObjectRef{};
    }
    std::lock_guard lock(heap_->mutex_);
    GcObjectHeader* object = heap_->state_.handles.targetOf(slot_);
    return object == nullptr ? ObjectRef{} : heap_->newLocalLocked(frame, object);
}

}  // namespace poolscope
