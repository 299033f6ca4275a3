#pragma once

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// Publishes a managed-heap event of `kind` with the given fields, tier Managed; costs nothing
// while no event stream is active.
void publishGcEvent(MemoryEventKind kind, const MemoryEvent& fields);

}  // namespace poolscope
