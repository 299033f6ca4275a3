#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/MemoryTier.h"
#include "base/SlotState.h"
#include "diagnostics/Frame.h"
#include "diagnostics/MemoryEvent.h"
#include "diagnostics/Symbolizer.h"
#include "gc/GcHeapSnapshot.h"
#include "imaging/PixelTypeId.h"
#include "session/PoolSnapshot.h"

namespace poolscope {

// One chunk of a live allocation: where it lives and how big it is.
struct AllocationChunk {
    std::int32_t slot = -1;  // pool slot, -1 outside the pool
    std::uint64_t bytes = 0;
    std::uint64_t address = 0;  // 0 when the event did not say
};

// One allocation that is still live (not disposed), as the events describe it. Small and flat,
// so that a table of a million of them stays cheap to copy, sort and filter.
struct LiveAllocation {
    AllocationId id = 0;
    std::uint64_t bytes = 0;
    std::int64_t createdNanoseconds = 0;  // engine clock (steady), as in MemoryEvent
    std::uint32_t threadId = 0;
    StackId stackId = 0;
    std::uint16_t tagId = 0;
    std::uint16_t sourceId = 0;
    MemoryTier tier = MemoryTier::Pooled;
    PixelTypeId pixelType = PixelTypeId::Unknown;  // Unknown: not an image buffer
    std::int32_t imageWidth = 0;
    std::int32_t imageHeight = 0;
    std::uint32_t firstChunk = 0;  // index into AllocationTable::chunks
    std::uint32_t chunkCount = 0;
    // The memory went back without its owner's dispose (a finalizer let it go): a leak that
    // no longer holds memory, kept in the table because that is what a leak hunter looks for.
    bool releasedWithoutDispose = false;
};

// The live allocations at one moment, sorted by id, with their chunks in one flat array.
struct AllocationTable {
    std::int64_t timeNanoseconds = 0;
    std::vector<LiveAllocation> rows;
    std::vector<AllocationChunk> chunks;
    // Totals over rows, made with them, so that every figure on screen counts the same rows:
    // all their bytes, and the unpooled bytes still held (a row released without dispose
    // holds none).
    std::uint64_t bytes = 0;
    std::uint64_t unpooledBytes = 0;

    const LiveAllocation* find(AllocationId id) const;
};

// Stacks and tag names seen so far, resolved once on the session's worker. Grows only, so a
// newer catalog holds everything an older one did.
struct StackCatalog {
    std::unordered_map<StackId, std::vector<Frame>> stacks;  // innermost first,
                                                             // allocator frames left out
    std::unordered_map<std::uint16_t, QString> tagNames;
    int missingSymbols = 0;  // frames whose function could not be named
    // Per module, how many frames went unnamed or without source lines, and why.
    std::vector<ModuleSymbolStatus> missingSymbolModules;

    const std::vector<Frame>* stack(StackId id) const;
    // The first frame outside the engine's allocator, or an empty frame.
    Frame topFrame(StackId id) const;
    QString tagName(std::uint16_t tagId) const;
};

// The pool's and heap's byte counts at one moment, for the timeline.
struct TimelineSample {
    double seconds = 0.0;  // since the session's time origin
    std::uint64_t rentedBytes = 0;
    std::uint64_t retainedBytes = 0;
    std::uint64_t unpooledBytes = 0;
    std::uint64_t smallBytes = 0;
    // GC heap: gen 0, 1, 2 and the LOH's live objects; its free blocks apart, as they hold
    // no object.
    std::uint64_t managedBytes[4] = {0, 0, 0, 0};
    std::uint64_t largeObjectFreeBytes = 0;
    // A launched program's heap blocks and mappings, and its open descriptors (a count).
    std::uint64_t nativeHeapBytes = 0;
    std::uint64_t mappedBytes = 0;
    std::uint64_t descriptors = 0;
};

struct TimelineMarker {
    enum class Kind : std::uint8_t { Trim, Collection, LimitRefused, Checkpoint };
    double seconds = 0.0;
    Kind kind = Kind::Trim;
    int generation = -1;  // collections only
    QString label;
};

// What a running or recorded session looks like at one moment. Immutable once published: the
// worker builds it, the GUI thread reads it, nobody changes it. Large parts are shared between
// successive snapshots (pointers to const), so publishing at 30 Hz copies little.
struct SessionSnapshot {
    PoolSnapshot pool;  // the figures: chunk counts, bytes, events, progress
    // The engine-clock time that timeline seconds count from: a row created at t nanoseconds
    // sits at (t - timeOriginNanoseconds) / 1e9 seconds on the timeline.
    std::int64_t timeOriginNanoseconds = 0;

    // One entry per pool slot: its state and, while rented, the allocation holding it.
    std::vector<SlotState> slotStates;
    std::vector<AllocationId> slotOwners;  // 0 when not rented
    std::uint64_t smallBytesLive = 0;
    std::uint64_t trimPasses = 0;

    // Timeline samples and markers appended since the previous snapshot; firstSampleIndex is
    // the index of newSamples.front() in the whole series, so a receiver can tell a gap.
    std::uint64_t firstSampleIndex = 0;
    std::vector<TimelineSample> newSamples;
    std::vector<TimelineMarker> newMarkers;

    std::shared_ptr<const AllocationTable> allocations;  // refreshed a few times a second
    std::shared_ptr<const StackCatalog> stacks;
    // What a launched program's open descriptors name (a file's path, "socket:[N]"), by the
    // allocation id of their Descriptor-tier rows; null when nothing says.
    std::shared_ptr<const std::unordered_map<AllocationId, QString>> descriptorPaths;
    std::shared_ptr<const GcHeapSnapshot> gcHeap;  // null until a scenario shows a heap
    std::uint64_t gcCollections[3] = {0, 0, 0};

    // The running scenario's current step, for the lesson panel and the status bar.
    QString phase;
    QString explanation;

    double eventsPerSecond = 0.0;
    bool fromRecording = false;

    // The chunks of a row of `allocations`, in chunk order.
    std::span<const AllocationChunk> chunksOf(const LiveAllocation& row) const {
        return allocations ? std::span<const AllocationChunk>(allocations->chunks)
                                 .subspan(row.firstChunk, row.chunkCount)
                           : std::span<const AllocationChunk>();
    }
};

}  // namespace poolscope

Q_DECLARE_METATYPE(std::shared_ptr<const poolscope::SessionSnapshot>)
