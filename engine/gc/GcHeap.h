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
#include <vector>

#include "gc/GcArena.h"
#include "gc/GcFrame.h"
#include "gc/GcHandle.h"
#include "gc/GcHandleKind.h"
#include "gc/GcHeapSettings.h"
#include "gc/GcHeapSnapshot.h"
#include "gc/GcHeapState.h"
#include "gc/GcLargeObjectHeap.h"
#include "gc/GcObjectHeader.h"
#include "gc/GcReason.h"
#include "gc/GcStatistics.h"
#include "gc/GcType.h"
#include "gc/ObjectRef.h"
#include "gc/RetentionPath.h"

namespace poolscope {

// A generational, compacting managed heap: the .NET collector as a teaching model, over real
// memory. Small objects are bump-allocated in generation 0 of one reserved arena; generations
// sit below each other in it (2, then 1, then 0) and move their boundaries when a collection
// promotes. Objects of largeObjectThresholdBytes or more go to a swept, never compacted LOH.
//
// Code holds objects through ObjectRefs (slots of the handle table), never through addresses,
// so the collector may move anything that is not pinned. Collections stop the world the simple
// way: every heap operation takes one lock, so a collection runs while no other thread is
// inside the heap. Finalizers run on the heap's own finalizer thread, outside that lock.
//
// This class is the locked front door: allocation, object access, roots and the finalizer
// thread. The heap's data is a GcHeapState; a GcCollector collects it (with a GcCompactor),
// a GcHeapInspector describes it, and a GcHandleTable holds the slots ObjectRefs name.
class GcHeap {
public:
    using Settings = GcHeapSettings;

    GcHeap();
    explicit GcHeap(const Settings& settings);
    // Stops the finalizer thread after it has run the finalizers already pending. Objects still
    // on the finalization queue are not finalized, as .NET Core does not at shutdown.
    ~GcHeap();
    GcHeap(const GcHeap&) = delete;
    GcHeap& operator=(const GcHeap&) = delete;

    const Settings& settings() const { return state_.settings; }

    // Types. Reference field offsets must be 8-aligned and inside the payload.
    GcTypeId registerType(GcType type);
    // The reference stays valid for the heap's lifetime.
    const GcType& type(GcTypeId id) const;

    // Allocation. Every allocation may collect first. The new object is zeroed and held by a
    // new local of `frame`. Throws GcOutOfMemory, a std::bad_alloc naming the size and the
    // limit, when the arena is full even after a generation 2 collection.
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
    // While held, the finalizer thread starts no finalizer, as if it were busy elsewhere, so the
    // objects a collection finds dead stay on the f-reachable queue where a snapshot shows them.
    // Waiting for pending finalizers while they are held waits until they are let go.
    void holdFinalizers(bool held);

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

    std::uint32_t pushFrame(GcFrame& frame);
    void popFrame(GcFrame& frame);
    ObjectRef newLocalLocked(GcFrame& frame, GcObjectHeader* target);

    GcObjectHeader* allocateLocked(GcTypeId typeId, std::uint64_t sizeBytes);
    GcObjectHeader* allocateLargeLocked(std::uint64_t sizeBytes);
    GcObjectHeader* allocateSmallLocked(std::uint64_t sizeBytes);
    void sampleAllocationLocked(GcObjectHeader* object);
    void collectLocked(int generation, GcReason reason);
    void finalizerLoop();

    mutable std::mutex mutex_;
    GcHeapState state_;

    std::condition_variable finalizerWork_;
    std::condition_variable finalizersIdle_;
    int finalizersRunning_ = 0;
    bool stopping_ = false;
    bool finalizersHeld_ = false;
    std::thread finalizerThread_;
};

}  // namespace poolscope
