#include "diagnostics/EventDrain.h"

#include <algorithm>

namespace poolscope {

EventDrain::EventDrain(std::size_t initialCapacity, std::size_t maxCapacity)
    : maxCapacity_(std::max(initialCapacity, maxCapacity)),
      subscription_(EventStream::subscribe(initialCapacity)) {}

std::span<const MemoryEvent> EventDrain::drain() {
    batch_.clear();
    subscription_->drain(batch_);
    const std::size_t capacity = subscription_->capacity();
    if (batch_.size() * 2 >= capacity && capacity < maxCapacity_) {
        subscription_->reserve(std::min(maxCapacity_, capacity * 4));
    }
    return batch_;
}

}  // namespace poolscope
