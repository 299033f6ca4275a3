#include "gc/GcFrame.h"

#include <algorithm>
#include <stdexcept>

#include "gc/GcHeap.h"

namespace poolscope {

GcFrame::GcFrame(GcHeap& heap, std::string name)
    : heap_(heap), name_(std::move(name)), id_(heap.pushFrame(*this)) {}

GcFrame::~GcFrame() {
    heap_.popFrame(*this);
}

ObjectRef GcFrame::local(ObjectRef value) {
    std::lock_guard lock(heap_.mutex_);
    return heap_.newLocalLocked(*this, heap_.state_.handles.target(value));
}

void GcFrame::retire(ObjectRef local) {
    std::lock_guard lock(heap_.mutex_);
    // Usually the newest local, so search from the back.
    const auto found = std::find(slots_.rbegin(), slots_.rend(), local.slot);
    if (found == slots_.rend()) {
        throw std::logic_error("GcFrame::retire: the reference is not a local of frame '" + name_ +
                               "'.");
    }
    heap_.state_.handles.free(local.slot);
    slots_.erase(std::next(found).base());
}

}  // namespace poolscope
