#pragma once

#include <vector>

#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryEvent.h"

namespace poolscope::testing {

// Everything the subscription holds now.
inline std::vector<MemoryEvent> drainAll(EventStream::Subscription& subscription) {
    std::vector<MemoryEvent> events;
    subscription.drain(events);
    return events;
}

inline std::vector<MemoryEvent> ofKind(const std::vector<MemoryEvent>& events,
                                       MemoryEventKind kind) {
    std::vector<MemoryEvent> matching;
    for (const MemoryEvent& event : events) {
        if (event.kind == kind) {
            matching.push_back(event);
        }
    }
    return matching;
}

}  // namespace poolscope::testing
