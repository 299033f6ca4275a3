#include "RecordingRunReport.h"

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analysis/FlatIdMap.h"
#include "analysis/StackNames.h"
#include "recording/RecordingEventBlocks.h"
#include "scenarios/PoolFigures.h"

namespace poolscope {

namespace {

// One allocation followed through the events of a recording cut short.
struct AllocationTrace {
    std::uint64_t bytes = 0;
    MemoryTier tier = MemoryTier::Pooled;
    std::uint16_t tagId = 0;
    StackId stackId = 0;
    int liveChunks = 0;
    bool releasedWithoutDispose = false;
};

// Only what may still be left behind is kept: an allocation whose last chunk went back, not
// released undisposed (which its release says first), is dropped, so that a recording of
// millions of allocations is followed in the memory of those live at once.
void trace(FlatIdMap<AllocationTrace>& allocations, const MemoryEvent& event) {
    switch (event.kind) {
        case MemoryEventKind::Rent:
        case MemoryEventKind::UnpooledAllocate:
        case MemoryEventKind::SmallRent: {
            AllocationTrace& allocation = *allocations.tryEmplace(event.allocationId, {}).first;
            allocation.bytes += event.bytes;
            allocation.tier = event.tier;
            allocation.tagId = event.tagId();
            allocation.stackId = event.stackId;
            allocation.liveChunks += 1;
            break;
        }
        case MemoryEventKind::Return:
        case MemoryEventKind::UnpooledFree:
        case MemoryEventKind::SmallReturn:
            if (AllocationTrace* allocation = allocations.find(event.allocationId)) {
                allocation->liveChunks -= 1;
                if (allocation->liveChunks <= 0 && !allocation->releasedWithoutDispose) {
                    allocations.erase(event.allocationId);
                }
            }
            break;
        case MemoryEventKind::Undisposed:
            allocations.tryEmplace(event.allocationId, {}).first->releasedWithoutDispose = true;
            break;
        default:
            break;
    }
}

LeakRecord leakRecord(const RecordingReader& reader, AllocationId id, std::uint64_t bytes,
                      MemoryTier tier, std::string tag, StackId stackId,
                      bool releasedWithoutDispose) {
    return {id,
            bytes,
            tier,
            std::move(tag),
            stackId,
            StackNames::framesOf(reader, stackId),
            releasedWithoutDispose};
}

}  // namespace

ScenarioRunReport RecordingRunReport::of(const RecordingReader& reader) {
    const std::map<std::string, std::string>& metadata = reader.metadata();
    ScenarioRunReport report;
    const auto scenario = metadata.find("scenario");
    report.scenario = scenario != metadata.end() ? scenario->second : reader.path();
    for (const char* key : {"program", "pid", "parameters", "started_at"}) {
        if (const auto it = metadata.find(key); it != metadata.end() && !it->second.empty()) {
            report.parameters.emplace_back(key, it->second);
        }
    }
    if (metadata.contains("pool_size_megabytes")) {
        report.poolSizeMegabytes = reader.metaInteger("pool_size_megabytes");
    }

    PoolFigures figures(static_cast<std::uint16_t>(reader.metaInteger("source_id")),
                        static_cast<int>(reader.metaInteger("capacity_chunks")),
                        reader.metaInteger("chunk_bytes"));
    const bool finished = reader.finished();
    FlatIdMap<AllocationTrace> traced;
    std::int64_t firstTime = 0;
    std::int64_t lastTime = 0;
    // The blocks decoded on other threads while this one follows their events.
    RecordingEventBlocks::forEach(reader, [&](std::span<const MemoryEvent> events) {
        for (const MemoryEvent& event : events) {
            figures.apply(event);
            if (!finished) {
                trace(traced, event);
            }
            if (report.eventsObserved++ == 0) {
                firstTime = event.timeNanoseconds;
            }
            lastTime = std::max(lastTime, event.timeNanoseconds);
        }
        return true;
    });
    report.pool = figures.values();
    report.duration = std::chrono::nanoseconds(lastTime - firstTime);
    report.droppedEvents = static_cast<std::uint64_t>(reader.metaInteger("engine_dropped_events") +
                                                      reader.metaInteger("writer_dropped_events"));
    report.outcome.addFigure("recording finished", finished);

    if (finished) {
        for (const RecordedAllocation& leak : reader.leaks()) {
            report.leaks.push_back(leakRecord(reader, leak.id, leak.bytes, leak.tier, leak.tag,
                                              leak.stackId,
                                              leak.leak == "released-without-dispose"));
        }
    } else {
        // By id, as the finished recording's leaks table lists them.
        std::vector<std::pair<AllocationId, AllocationTrace>> left;
        traced.forEach([&left](AllocationId id, const AllocationTrace& allocation) {
            left.emplace_back(id, allocation);
        });
        std::sort(left.begin(), left.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        // Tags are not named in a recording cut short: the id stands in, as the window shows it.
        for (const auto& [id, allocation] : left) {
            if (allocation.liveChunks > 0 || allocation.releasedWithoutDispose) {
                report.leaks.push_back(
                    leakRecord(reader, id, allocation.bytes, allocation.tier,
                               allocation.tagId == 0 ? std::string()
                                                     : "tag " + std::to_string(allocation.tagId),
                               allocation.stackId, allocation.releasedWithoutDispose));
            }
        }
    }
    report.undisposedAtEnd = static_cast<std::int64_t>(report.leaks.size());
    return report;
}

}  // namespace poolscope
