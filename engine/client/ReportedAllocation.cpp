#include "client/ReportedAllocation.h"

#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/MemoryDiagnostics.h"

namespace poolscope {

ReportedAllocation::ReportedAllocation(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId,
                                       MemoryEventKind opening, const void* address,
                                       std::int32_t slot)
    : TrackedAllocation(bytes, tier, sourceId), address_(address), slot_(slot) {
    AllocationRegistry::instance().add(this);
    publish(opening, bytes, slot_, 0, 1, address_);
}

ReportedAllocation::~ReportedAllocation() {
    if (!ended_) {
        AllocationRegistry::instance().remove(this, false);
    }
}

void ReportedAllocation::end(MemoryEventKind closing) {
    if (ended_) {
        return;
    }
    ended_ = true;
    AllocationRegistry::instance().remove(this, true);
    publish(closing, bytes(), slot_, 0, 1, address_);
}

void ReportedAllocation::abandon() {
    if (ended_) {
        return;
    }
    ended_ = true;
    AllocationRegistry::instance().remove(this, false);
    publish(MemoryEventKind::Undisposed, bytes(), slot_, 0, 1, address_);
    MemoryDiagnostics::noteReleasedUndisposed(*this);
}

void ReportedAllocation::collectSlots(std::vector<std::int32_t>& chunkSlots) const {
    if (slot_ >= 0) {
        chunkSlots.push_back(slot_);
    }
}

}  // namespace poolscope
