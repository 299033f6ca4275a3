#include "diagnostics/TrackedAllocation.h"

#include "base/Clock.h"
#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/EventStream.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackTable.h"
#include "diagnostics/ThreadIdentity.h"

namespace poolscope {

TrackedAllocation::TrackedAllocation(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId)
    : id_(AllocationRegistry::instance().nextId()),
      bytes_(bytes),
      timeNanoseconds_(monotonicNanoseconds()),
      stackId_(MemoryDiagnostics::stackCaptureActive() ? captureStack(1) : 0),
      threadId_(currentThreadId()),
      tagId_(MemoryDiagnostics::currentTag()),
      sourceId_(sourceId),
      tier_(tier) {}

AllocationInfo TrackedAllocation::info() const {
    AllocationInfo info;
    info.id = id_;
    info.bytes = bytes_;
    info.tier = tier_;
    info.threadId = threadId_;
    info.timeNanoseconds = timeNanoseconds_;
    info.stackId = stackId_;
    info.tagId = tagId_;
    info.sourceId = sourceId_;
    collectSlots(info.chunkSlots);
    return info;
}

void TrackedAllocation::publishNow(MemoryEventKind kind, std::uint64_t bytes, std::int32_t slot,
                                   std::uint32_t chunkIndex, std::uint32_t chunkCount,
                                   const void* address) const {
    MemoryEvent event;
    event.kind = kind;
    event.tier = tier_;
    event.allocationId = id_;
    event.bytes = bytes;
    event.stackId = stackId_;
    event.slot = slot;
    event.chunkIndex = chunkIndex;
    event.chunkCount = chunkCount;
    event.sourceId = sourceId_;
    event.value = tagId_;
    event.value2 = reinterpret_cast<std::uintptr_t>(address);
    EventStream::publish(event);
}

}  // namespace poolscope
