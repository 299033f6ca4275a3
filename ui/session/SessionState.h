#pragma once

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "diagnostics/PoolOccupancy.h"
#include "session/NativeTierTotals.h"
#include "session/SessionSnapshot.h"

namespace poolscope {

// Everything a session's views show, rebuilt from MemoryEvents alone: the pool's slots and
// their owners, the live allocations with their chunks, the timeline, the collections. The
// same events give the same state whether they come live from the engine or from a recording.
// Not thread-safe: one thread (the session's worker) feeds it and takes snapshots.
class SessionState {
public:
    // Names a stack's frames and a tag; called on the feeding thread, once per stack or tag.
    struct Resolvers {
        std::function<std::vector<Frame>(StackId)> stack;
        std::function<QString(std::uint16_t)> tag;
        // Why frames went unnamed, per module; asked again after each stack is named.
        std::function<std::vector<ModuleSymbolStatus>()> missingSymbols;
    };

    // How often the allocation table is rebuilt at most: copying a million rows costs tens of
    // milliseconds, which the views do not need thirty times a second.
    static constexpr std::int64_t kAllocationTableIntervalNanoseconds = 250'000'000;

    // Stacks and tags of this process: symbolized through the engine's diagnostics.
    static Resolvers liveResolvers();

    SessionState(Resolvers resolvers, std::int64_t timeOriginNanoseconds);

    // Shows this allocator's pool from now on (a scenario run gets a fresh allocator).
    void followPool(std::uint16_t sourceId, int capacity, std::uint64_t chunkBytes);
    // Shows this allocator's pool from its first event on, or from the next snapshot if that
    // comes first: events of the previous allocator still queued keep counting for it.
    void followPoolFromItsFirstEvent(std::uint16_t sourceId, int capacity,
                                     std::uint64_t chunkBytes);
    void apply(const MemoryEvent& event);
    void apply(std::span<const MemoryEvent> events);

    void setHeapSnapshot(std::shared_ptr<const GcHeapSnapshot> heap);
    // A scenario checkpoint: the phase shows in the lesson panel, and the timeline marks it.
    void setPhase(std::int64_t timeNanoseconds, const QString& phase, const QString& explanation);
    void addCheckpointMarker(std::int64_t timeNanoseconds, const QString& label);
    void setProgress(bool running, int completed, int planned);
    void setDroppedEvents(std::uint64_t dropped) { changeTo(droppedEvents_, dropped); }
    std::uint64_t droppedEvents() const { return droppedEvents_; }
    void setUndisposedAllocations(std::int64_t count) { changeTo(undisposed_, count); }
    void setFromRecording(bool fromRecording) { fromRecording_ = fromRecording; }
    // What a launched program's open descriptors name, by allocation id.
    void setDescriptorPaths(std::unordered_map<AllocationId, QString> paths);

    // How long one snapshot may spend naming new stacks; the rest wait for the next one, so a
    // slow symbolizer delays names, never the snapshot. Unlimited by default.
    void setStackResolutionBudget(std::chrono::nanoseconds budget) {
        stackResolutionBudget_ = budget;
    }
    // True when the next snapshot would show something the last one did not: an event, a
    // heap, a phase, progress, a count, a stack still to name. An idle session publishes
    // nothing, so an idle window redraws nothing.
    bool changedSinceSnapshot() const {
        return changed_ || !pendingStacks_.empty() || pendingPool_.has_value();
    }
    // Nothing happens any more: the next snapshot says so (no events per second) instead of a
    // rate still decaying from the last burst.
    void settle() { eventsPerSecond_ = 0.0; }
    // Stacks seen but not named yet.
    std::size_t pendingStackCount() const { return pendingStacks_.size(); }
    // Stacks named so far.
    std::size_t namedStackCount() const { return stacks_->stacks.size(); }

    // The next snapshot gets a fresh allocation table whatever the interval: a run's end must
    // show what it left behind at once.
    void refreshAllocationTableAtNextSnapshot() {
        tableRefreshRequested_ = true;
        changed_ = true;
    }
    // Adds a timeline sample: the byte counts at their peak since the previous sample, so that
    // a burst rented and returned between two samples still shows.
    void sample(std::int64_t nowNanoseconds);
    // The state now. `nowNanoseconds` is the engine clock (live) or the last event's time
    // (recording); with addSample, this call also adds the timeline sample for that time.
    std::shared_ptr<const SessionSnapshot> takeSnapshot(std::int64_t nowNanoseconds,
                                                        bool addSample = true);

    // Every allocation still live (or released without dispose), with its tag's name.
    void forEachLiveAllocation(
        const std::function<void(const LiveAllocation&, const QString&)>& visit) const;

    std::uint64_t eventsApplied() const { return eventsApplied_; }
    std::size_t liveAllocationCount() const { return live_.size(); }

private:
    template <class T>
    void changeTo(T& field, const T& value) {
        changed_ = changed_ || field != value;
        field = value;
    }

    struct PoolShape {
        std::uint16_t sourceId = 0;
        int capacity = 0;
        std::uint64_t chunkBytes = 0;
    };
    struct Entry {
        LiveAllocation row;
        std::vector<AllocationChunk> chunks;
        std::uint32_t chunksLive = 0;
    };

    double secondsAt(std::int64_t nanoseconds) const;
    Entry& entryFor(const MemoryEvent& event);
    void addChunk(const MemoryEvent& event);
    void releaseChunk(const MemoryEvent& event);
    void noteStack(StackId stackId);
    void resolvePendingStacks();
    void resolveStack(StackId stackId);
    void noteTag(std::uint16_t tagId);
    std::shared_ptr<const AllocationTable> buildAllocationTable(std::int64_t nowNanoseconds);

    Resolvers resolvers_;
    std::int64_t timeOrigin_;
    std::uint16_t poolSourceId_ = 0;
    std::uint64_t chunkBytes_ = 0;
    PoolOccupancy occupancy_;
    std::optional<PoolShape> pendingPool_;
    std::vector<AllocationId> slotOwners_;

    // Ordered by id, so that the table comes out sorted without a sort.
    std::map<AllocationId, Entry> live_;
    bool allocationsChanged_ = true;
    bool changed_ = true;
    bool tableRefreshRequested_ = false;
    std::int64_t lastTableBuild_ = 0;
    std::shared_ptr<const AllocationTable> table_;

    std::vector<StackId> pendingStacks_;  // in the order first seen
    std::unordered_set<StackId> pendingStackIds_;
    std::chrono::nanoseconds stackResolutionBudget_ = std::chrono::nanoseconds::max();
    std::shared_ptr<StackCatalog> stacks_;  // copied on write, when a new stack or tag appears
    bool stacksChanged_ = false;
    std::shared_ptr<const StackCatalog> publishedStacks_;

    std::shared_ptr<const GcHeapSnapshot> heap_;
    std::uint64_t collections_[3] = {0, 0, 0};

    // The peak since the last sample: rented chunks with the retained ones at that moment,
    // and the bytes outside the pool.
    int peakRented_ = 0;
    int retainedAtPeak_ = 0;
    std::uint64_t peakUnpooled_ = 0;
    std::uint64_t peakSmall_ = 0;
    NativeTierTotals nativeTiers_;
    std::shared_ptr<const std::unordered_map<AllocationId, QString>> descriptorPaths_;
    std::uint64_t samplesTaken_ = 0;
    std::vector<TimelineSample> pendingSamples_;
    std::vector<TimelineMarker> pendingMarkers_;
    QString phase_;
    QString explanation_;

    std::uint64_t eventsApplied_ = 0;
    std::uint64_t eventsAtLastSnapshot_ = 0;
    std::int64_t lastSnapshotTime_ = 0;
    double eventsPerSecond_ = 0.0;
    std::uint64_t droppedEvents_ = 0;
    std::int64_t undisposed_ = 0;
    bool running_ = false;
    int completed_ = 0;
    int planned_ = 0;
    bool fromRecording_ = false;
};

}  // namespace poolscope
