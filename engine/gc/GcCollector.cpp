#include "gc/GcCollector.h"

#include "base/Clock.h"
#include "gc/GcCompactor.h"
#include "gc/GcEvents.h"

namespace poolscope {

GcCollector::GcCollector(GcHeapState& state, int generation)
    : state_(state),
      condemned_{&state.smallObjects, state.smallObjects.startOf(generation), generation} {}

void GcCollector::collect(GcReason reason) {
    const int generation = condemned_.generation;
    const std::int64_t startNanoseconds = monotonicNanoseconds();
    sequence_ = ++state_.collectionCount;
    state_.statistics.collections[generation] += 1;
    {
        MemoryEvent event;
        event.allocationId = sequence_;
        event.bytes = state_.smallObjects.usedBytes() + state_.largeObjects.usedBytes() -
                      state_.largeObjects.freeBytes();
        event.chunkIndex = static_cast<std::uint32_t>(generation);
        event.chunkCount = static_cast<std::uint32_t>(reason);
        publishGcEvent(MemoryEventKind::GcStart, event);
    }

    markRoots();
    // Short weak handles let go before finalization can bring anything back.
    clearWeak(GcHandleKind::WeakShort);
    queueDeadFinalizable();
    // Long weak handles follow objects through finalization: cleared only now.
    clearWeak(GcHandleKind::WeakLong);

    pinCondemned();
    const CompactionResult result = GcCompactor(state_, condemned_).compact();
    // Resurrection shows here: a survivor whose finalizer already ran.
    for (GcObjectHeader* object : result.survivors) {
        if (object->has(GcObjectHeader::FinalizerRan)) {
            object->clear(GcObjectHeader::FinalizerRan);
            MemoryEvent event;
            event.allocationId = reinterpret_cast<std::uintptr_t>(object);
            event.value = object->typeId;
            publishGcEvent(MemoryEventKind::GcResurrection, event);
        }
    }
    rebuildRememberedSet(result.survivors);
    state_.lastMoves = result.moves;

    state_.gen0AllocatedBytes = 0;
    if (generation == 2) {
        state_.largeAllocatedSinceGen2 = 0;
        state_.gen2BytesAfterLastGen2 = state_.smallObjects.bytesOf(2);
    }

    const std::int64_t pause = monotonicNanoseconds() - startNanoseconds;
    GcStatistics& statistics = state_.statistics;
    statistics.lastGeneration = generation;
    statistics.lastReason = reason;
    statistics.lastPromotedBytes = result.promotedBytes;
    statistics.lastFreedBytes = result.freedBytes;
    statistics.lastMovedObjects = result.movedObjects;
    statistics.lastPauseNanoseconds = pause;
    if (result.movedObjects > 0) {
        MemoryEvent event;
        event.allocationId = sequence_;
        event.value = result.movedObjects;
        event.bytes = result.movedBytes;
        event.chunkIndex = static_cast<std::uint32_t>(generation);
        publishGcEvent(MemoryEventKind::GcObjectsMoved, event);
    }
    MemoryEvent event;
    event.allocationId = sequence_;
    event.bytes = result.freedBytes;
    event.value = result.promotedBytes;
    event.value2 = static_cast<std::uint64_t>(pause);
    event.chunkIndex = static_cast<std::uint32_t>(generation);
    event.chunkCount = static_cast<std::uint32_t>(reason);
    publishGcEvent(MemoryEventKind::GcEnd, event);
}

void GcCollector::mark(GcObjectHeader* object) {
    if (object != nullptr && !object->has(GcObjectHeader::Marked) && condemned_.contains(object)) {
        object->set(GcObjectHeader::Marked);
        markStack_.push_back(object);
    }
}

void GcCollector::markFromStack() {
    while (!markStack_.empty()) {
        GcObjectHeader* object = markStack_.back();
        markStack_.pop_back();
        state_.forEachReferenceSlot(object,
                                    [&](GcObjectHeader* target, std::size_t) { mark(target); });
    }
}

void GcCollector::markRoots() {
    state_.forEachRoot([&](GcObjectHeader* object, GcHeapState::RootSource) { mark(object); });
    if (condemned_.generation < 2) {
        for (GcObjectHeader* holder : state_.rememberedSet) {
            if (!condemned_.contains(holder)) {
                state_.forEachReferenceSlot(
                    holder, [&](GcObjectHeader* target, std::size_t) { mark(target); });
            }
        }
    }
    markFromStack();
}

void GcCollector::clearWeak(GcHandleKind kind) {
    const std::uint64_t cleared = state_.handles.clearWeak(kind, [&](GcObjectHeader* target) {
        return condemned_.contains(target) && !target->has(GcObjectHeader::Marked);
    });
    if (cleared > 0) {
        MemoryEvent event;
        event.allocationId = sequence_;
        event.value = cleared;
        event.value2 = kind == GcHandleKind::WeakLong ? 1 : 0;
        event.chunkIndex = static_cast<std::uint32_t>(condemned_.generation);
        publishGcEvent(MemoryEventKind::GcWeakCleared, event);
    }
}

void GcCollector::queueDeadFinalizable() {
    // Unreachable finalizable objects move to the f-reachable queue, which is a root: they and
    // everything they reference live on until their finalizer has run.
    std::vector<GcObjectHeader*> stillRegistered;
    stillRegistered.reserve(state_.finalizationQueue.size());
    for (GcObjectHeader* object : state_.finalizationQueue) {
        if (!condemned_.contains(object) || object->has(GcObjectHeader::Marked)) {
            stillRegistered.push_back(object);
            continue;
        }
        object->clear(GcObjectHeader::FinalizerRegistered);
        if (object->has(GcObjectHeader::FinalizeSuppressed)) {
            continue;  // dies now: its finalizer is not wanted
        }
        // Its finalizer has not run since it was registered, so surviving this collection is
        // not a resurrection.
        object->clear(GcObjectHeader::FinalizerRan);
        state_.fReachableQueue.push_back(object);
        mark(object);
    }
    state_.finalizationQueue.swap(stillRegistered);
    markFromStack();
}

void GcCollector::pinCondemned() {
    state_.handles.forEachInUse([&](GcHandleTable::Slot& slot, std::uint32_t) {
        // LOH objects never move, pinned or not.
        if (slot.kind == GcHandleKind::Pinned && slot.target != nullptr &&
            state_.smallObjects.contains(slot.target) && condemned_.contains(slot.target)) {
            slot.target->set(GcObjectHeader::PinnedDuringGc);
        }
    });
}

bool GcCollector::holdsYoungerReference(GcObjectHeader* object) {
    const int generation = state_.smallObjects.generationOf(object);
    if (generation == 0) {
        return false;
    }
    bool younger = false;
    state_.forEachReferenceSlot(object, [&](GcObjectHeader* target, std::size_t) {
        younger =
            younger || (target != nullptr && state_.smallObjects.generationOf(target) < generation);
    });
    return younger;
}

void GcCollector::rebuildRememberedSet(const std::vector<GcObjectHeader*>& survivors) {
    // Promotion makes old-to-young references the barrier never saw (a promoted holder
    // of a less promoted object), so survivors are checked as well as the old set.
    std::vector<GcObjectHeader*> remembered;
    for (GcObjectHeader* holder : state_.rememberedSet) {
        if (condemned_.contains(holder)) {
            continue;  // it survived (and is among the survivors) or it died
        }
        if (holdsYoungerReference(holder)) {
            remembered.push_back(holder);
        } else {
            holder->clear(GcObjectHeader::Remembered);
        }
    }
    for (GcObjectHeader* object : survivors) {
        object->clear(GcObjectHeader::Remembered);
        if (holdsYoungerReference(object)) {
            object->set(GcObjectHeader::Remembered);
            remembered.push_back(object);
        }
    }
    state_.rememberedSet.swap(remembered);
}

}  // namespace poolscope
