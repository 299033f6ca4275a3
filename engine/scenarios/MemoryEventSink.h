#pragma once

#include <span>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Takes the events of a run as they are drained, on the runner's drain thread. Must not block
// for long: the engine's queue fills while it does.
class MemoryEventSink {
public:
    virtual ~MemoryEventSink() = default;
    virtual void consume(std::span<const MemoryEvent> events) = 0;
};

}  // namespace poolscope
