#pragma once

#include <cstdint>
#include <vector>

#include "gc/GcCondemnedRange.h"
#include "gc/GcHandleKind.h"
#include "gc/GcHeapState.h"
#include "gc/GcReason.h"

namespace poolscope {

// One collection of generations 0..generation, in .NET's order: mark from the roots (and, in a
// young collection, from the remembered older objects), clear short weak handles, move dead
// finalizable objects to the f-reachable queue and mark what they hold, clear long weak
// handles, compact (GcCompactor), rebuild the remembered set, and report the outcome in the
// heap's statistics and events. Runs under the GcHeap's lock; waking the finalizer thread is
// left to the heap.
class GcCollector {
public:
    GcCollector(GcHeapState& state, int generation);

    void collect(GcReason reason);

private:
    void mark(GcObjectHeader* object);
    void markFromStack();
    void markRoots();
    void clearWeak(GcHandleKind kind);
    void queueDeadFinalizable();
    void pinCondemned();
    void rebuildRememberedSet(const std::vector<GcObjectHeader*>& survivors);
    bool holdsYoungerReference(GcObjectHeader* object);

    GcHeapState& state_;
    const GcCondemnedRange condemned_;
    std::uint64_t sequence_ = 0;
    std::vector<GcObjectHeader*> markStack_;
};

}  // namespace poolscope
