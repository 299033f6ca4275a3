#include "gc/GcEvents.h"

#include "diagnostics/EventStream.h"

namespace poolscope {

void publishGcEvent(MemoryEventKind kind, const MemoryEvent& fields) {
    if (!EventStream::active()) {
        return;
    }
    MemoryEvent event = fields;
    event.kind = kind;
    event.tier = MemoryTier::Managed;
    event.sourceId = 0;
    EventStream::publish(event);
}

}  // namespace poolscope
