#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gc/GcArena.h"
#include "gc/GcFrame.h"
#include "gc/GcHandle.h"
#include "gc/GcHandleKind.h"
#include "gc/GcHeapSnapshot.h"
#include "gc/GcLargeObjectHeap.h"
#include "gc/GcObjectHeader.h"
#include "gc/GcReason.h"
#include "gc/GcType.h"
#include "gc/ObjectRef.h"
#include "gc/RetentionPath.h"

namespace poolscope {

// Totals since the heap was made, and the outcome of the latest collection.
struct GcStatistics {
    std::uint64_t collections[3] = {0, 0, 0};  // by condemned generation
    std::uint64_t allocatedBytes = 0;
    std::uint64_t allocatedObjects = 0;
    std::uint64_t finalizersRun = 0;
    std::uint64_t bytesInUse = 0;  // small object heap up to the bump pointer + LOH
    std::uint64_t generationBytes[4] = {0, 0, 0, 0};  // gen 0, 1, 2, LOH
    int lastGeneration = -1;
    GcReason lastReason = GcReason::Induced;
    std::uint64_t lastPromotedBytes = 0;
    std::uint64_t lastFreedBytes = 0;
    std::uint64_t lastMovedObjects = 0;
    std::int64_t lastPauseNanoseconds = 0;
};

// A generational, compacting managed heap: the .NET collector as a teaching model, over real
// memory. Small objects are bump-allocated in generation 0 of one reserved arena; generations
// sit below each other in it (2, then 1, then 0) and move their boundaries when a collection
// promotes. Objects of largeObjectThresholdBytes or more go to a swept, never compacted LOH.
//
// Code holds objects through ObjectRefs (slots of the handle table), never through addresses,
// so the collector may move anything that is not pinned. Collections stop the world the simple
// way: every heap operation takes one lock, so a collection runs while no other thread is
// inside the heap. Finalizers run on the heap's own finalizer thread, outside that lock.
class GcHeap {
public:
    struct Settings {
        std::uint64_t gen0BudgetBytes = 256 * 1024;
        std::uint64_t gen1BudgetBytes = 2 * 1024 * 1024;
        // Generation 2 is collected when it grew by this much since its last collection.
        std::uint64_t gen2BudgetBytes = 32 * 1024 * 1024;
        std::uint64_t largeObjectBudgetBytes = 64 * 1024 * 1024;
        std::uint64_t largeObjectThresholdBytes = 85000;
        std::size_t smallObjectReserveBytes = std::size_t{1} << 30;
        std::size_t largeObjectReserveBytes = std::size_t{8} << 30;
        // One GcAllocationSample event per this many bytes allocated (.NET's AllocationTick).
        std::uint64_t allocationSampleBytes = 100 * 1024;
    };

    GcHeap();
    explicit GcHeap(const Settings& settings);
    // Stops the finalizer thread after it has run the finalizers already pending. Objects still
    // on the finalization queue are not finalized, as .NET Core does not at shutdown.
    ~GcHeap();
    GcHeap(const GcHeap&) = delete;
    GcHeap& operator=(const GcHeap&) = delete;

    const Settings& settings() const { return settings_; }

    // Types. Reference field offsets must be 8-aligned and inside the payload.
    GcTypeId registerType(GcType type);
    // The reference stays valid for the heap's lifetime.
    const GcType& type(GcTypeId id) const;

    // Allocation. Every allocation may collect first. The new object is zeroed and held by a
    // new local of `frame`. Throws std::bad_alloc when the arena is full even after a
    // generation 2 collection.
    ObjectRef allocate(GcFrame& frame, GcTypeId typeId);
    ObjectRef allocateByteArray(GcFrame& frame, std::uint64_t length);
    ObjectRef allocateReferenceArray(GcFrame& frame, std::uint64_t length);

    // References, by field index for registered types and by element index for reference
    // arrays. Stores go through the write barrier.
    void setReference(ObjectRef holder, std::size_t field, ObjectRef value);
    ObjectRef getReference(GcFrame& frame, ObjectRef holder, std::size_t field);
    std::size_t referenceCount(ObjectRef holder);

    // Plain data: a registered type's payload, or a byte array's elements. Copied under the
    // heap lock, so another thread's collection cannot move the bytes halfway through.
    void writeBytes(ObjectRef object, std::size_t offset, std::span<const std::byte> bytes);
    void readBytes(ObjectRef object, std::size_t offset, std::span<std::byte> out);
    // The data length: payload bytes of a registered type, elements of an array.
    std::uint64_t dataLength(ObjectRef object);
    // The data of a pinned object. Stays valid until the handle is freed, since a pinned object
    // never moves; throws std::logic_error for any other handle kind.
    std::span<std::byte> pinnedData(const GcHandle& pinned);

    bool isNull(ObjectRef ref);
    bool sameObject(ObjectRef a, ObjectRef b);
    GcTypeId typeOf(ObjectRef object);
    // 0, 1, 2, or GcHeapSnapshot::kLargeObjectHeap.
    int generationOf(ObjectRef object);
    std::uintptr_t addressOf(ObjectRef object);

    // Roots.
    using StaticId = std::uint32_t;
    StaticId defineStatic(std::string name);
    void setStatic(StaticId id, ObjectRef value);
    ObjectRef loadStatic(GcFrame& frame, StaticId id);
    // A handle given a name ("cache", "pixel pin") shows it in snapshots and retention paths.
    GcHandle allocateHandle(ObjectRef target, GcHandleKind kind, std::string name = {});
    // Keeps the object reachable until the frame that holds `local` is popped, even if the
    // local is retired before that: what GC.KeepAlive does to the JIT's liveness of a local.
    void keepAlive(ObjectRef local);

    // Finalization.
    void suppressFinalize(ObjectRef object);
    void reRegisterForFinalize(ObjectRef object);
    // Blocks until every finalizer pending now (and any they make pending) has run. Throws
    // std::logic_error on the finalizer thread, where it could only deadlock.
    void waitForPendingFinalizers();

    // Collects generations 0..generation (0, 1 or 2); LOH only with 2.
    void collect(int generation = 2, GcReason reason = GcReason::Induced);

    // Introspection.
    GcHeapSnapshot snapshot();
    // Shortest path to `target` from any root, or from the root named rootName ("static
    // openedForms", "frame main", ...). Weak handles are not roots. None when unreachable.
    std::optional<RetentionPath> retentionPath(ObjectRef target,
                                               std::optional<std::string> rootName = {});
    GcStatistics statistics();

private:
    friend class GcFrame;
    friend class GcHandle;

    struct HandleSlot {
        GcObjectHeader* target = nullptr;
        GcHandleKind kind = GcHandleKind::FrameLocal;
        bool inUse = false;
        std::uint32_t frameId = 0;  // for FrameLocal: the owning frame
    };
    struct StaticSlot {
        std::string name;
        GcObjectHeader* target = nullptr;
    };
    // One root reference the collector may read and rewrite, with what it is called.
    template <class Visit>
    void forEachRootLocked(Visit&& visit);

    // Handle table, all under mutex_.
    std::uint32_t newSlotLocked(GcObjectHeader* target, GcHandleKind kind, std::uint32_t frameId);
    void freeSlotLocked(std::uint32_t slot);
    HandleSlot& slotLocked(ObjectRef ref);
    GcObjectHeader* objectLocked(ObjectRef ref);  // throws for a null or stale ref
    GcObjectHeader* targetLocked(ObjectRef ref);  // null for a null ref or a cleared handle
    std::uint32_t pushFrame(GcFrame& frame);
    void popFrame(GcFrame& frame);
    ObjectRef newLocalLocked(GcFrame& frame, GcObjectHeader* target);

    // Allocation.
    GcObjectHeader* allocateLocked(GcTypeId typeId, std::uint64_t sizeBytes);
    GcObjectHeader* tryBumpLocked(std::uint64_t sizeBytes);
    void sampleAllocationLocked(GcObjectHeader* object);

    // Collection.
    int generationOfLocked(const GcObjectHeader* object) const;
    bool isCondemnedLocked(const GcObjectHeader* object) const;
    void collectLocked(int generation, GcReason reason);
    void markFromLocked(std::vector<GcObjectHeader*>& stack);
    void markLocked(GcObjectHeader* object, std::vector<GcObjectHeader*>& stack);
    template <class Visit>
    void forEachReferenceSlot(GcObjectHeader* object, Visit&& visit);
    GcObjectHeader* forwardedLocked(GcObjectHeader* object) const;
    void compactLocked(int generation, std::uint64_t& promotedBytes, std::uint64_t& freedBytes,
                       std::uint64_t& movedObjects, std::uint64_t& movedBytes);
    void rebuildRememberedSetLocked(const std::vector<GcObjectHeader*>& survivors);
    bool holdsYoungerReferenceLocked(GcObjectHeader* object);
    void notifyFinalizerThreadLocked();
    void finalizerLoop();

    template <class Visit>
    void forEachSmallObjectLocked(std::byte* from, std::byte* to, Visit&& visit);
    std::string handleRootNameLocked(std::uint32_t slot) const;
    template <class Visit>
    void forEachNamedRootLocked(Visit&& visit);

    const Settings settings_;
    mutable std::mutex mutex_;
    // A deque, so that type() can hand out references that registration never invalidates.
    std::deque<GcType> types_;

    GcArena smallObjects_;
    // The small object heap: [begin, gen1Start_) is generation 2, [gen1Start_, gen0Start_)
    // generation 1, [gen0Start_, top_) generation 0.
    std::byte* gen1Start_;
    std::byte* gen0Start_;
    std::byte* top_;
    GcLargeObjectHeap largeObjects_;

    std::uint64_t gen0AllocatedBytes_ = 0;
    std::uint64_t gen2BytesAfterLastGen2_ = 0;
    std::uint64_t largeAllocatedSinceGen2_ = 0;
    std::uint64_t bytesSinceSample_ = 0;
    std::uint64_t collectionCount_ = 0;
    // What the running collection condemns: small objects from condemnedStart_ up, and the
    // LOH when condemnedGeneration_ is 2.
    std::byte* condemnedStart_ = nullptr;
    int condemnedGeneration_ = -1;

    std::vector<HandleSlot> handles_;
    std::vector<std::uint32_t> freeSlots_;
    // Names of the handles that were given one, by slot; most handles have none.
    std::unordered_map<std::uint32_t, std::string> handleNames_;
    std::unordered_map<std::uint32_t, GcFrame*> frames_;
    std::uint32_t nextFrameId_ = 1;
    std::vector<StaticSlot> statics_;
    // Old objects holding references to younger ones: the roots a young collection adds.
    std::vector<GcObjectHeader*> rememberedSet_;
    std::vector<GcObjectHeader*> finalizationQueue_;
    std::deque<GcObjectHeader*> fReachableQueue_;

    GcStatistics statistics_;

    std::condition_variable finalizerWork_;
    std::condition_variable finalizersIdle_;
    int finalizersRunning_ = 0;
    bool stopping_ = false;
    std::thread finalizerThread_;
};

}  // namespace poolscope
