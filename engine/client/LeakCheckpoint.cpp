#include "client/poolscope/LeakCheckpoint.h"

#include <algorithm>

#include "base/MemoryTier.h"

namespace poolscope {

LeakCheckpoint::LeakCheckpoint()
    : capture_(MemoryDiagnostics::enableStackCapture()), mark_(MemoryDiagnostics::mark()) {}

LeakCheckpoint::~LeakCheckpoint() = default;

LeakCheckResult LeakCheckpoint::check(const LeakFilter& filter) const {
    LeakCheckResult result;
    for (const LeakGroup& group : MemoryDiagnostics::leakCheckpoint(mark_)) {
        for (const AllocationInfo& allocation : group.allocations) {
            const bool tagged =
                filter.tag.empty() || MemoryDiagnostics::tagName(allocation.tagId) == filter.tag;
            if (tagged && allocation.bytes >= filter.minimumBytes) {
                result.leaks.push_back(allocation);
            }
        }
    }
    if (result.leaks.empty()) {
        return result;
    }
    std::sort(result.leaks.begin(), result.leaks.end(),
              [](const AllocationInfo& a, const AllocationInfo& b) { return a.id < b.id; });
    std::uint64_t bytes = 0;
    for (const AllocationInfo& leak : result.leaks) {
        bytes += leak.bytes;
    }
    result.message = std::to_string(result.leaks.size()) +
                     (result.leaks.size() == 1 ? " allocation" : " allocations") +
                     " made since the checkpoint " + (result.leaks.size() == 1 ? "is" : "are") +
                     " still undisposed (" + std::to_string(bytes) + " bytes):\n";
    for (const AllocationInfo& leak : result.leaks) {
        const std::string tag = MemoryDiagnostics::tagName(leak.tagId);
        result.message += "#" + std::to_string(leak.id) + ": " + std::to_string(leak.bytes) +
                          " bytes, " + memoryTierName(leak.tier) + ", tag " +
                          (tag.empty() ? "(none)" : tag) + "\n";
        result.message += leak.stackId == 0
                              ? std::string("  (no stack was captured)\n")
                              : MemoryDiagnostics::formatStack(leak.stackId, kFramesPerLeak);
    }
    return result;
}

}  // namespace poolscope
