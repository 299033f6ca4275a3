#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "diagnostics/EventStream.h"

namespace poolscope {

// A subscription to the EventStream whose queue is sized from the rate its drains see: it
// starts small, and a drain that finds the queue half full makes room for four times as many
// events, up to maxCapacity. For one draining thread.
class EventDrain {
public:
    EventDrain(std::size_t initialCapacity, std::size_t maxCapacity);

    // The events published since the last drain; valid until the next one.
    std::span<const MemoryEvent> drain();
    std::uint64_t dropped() const { return subscription_->droppedCount(); }

private:
    std::size_t maxCapacity_;
    std::unique_ptr<EventStream::Subscription> subscription_;
    std::vector<MemoryEvent> batch_;
};

}  // namespace poolscope
