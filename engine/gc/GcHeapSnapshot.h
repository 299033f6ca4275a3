#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gc/GcHandleKind.h"
#include "gc/GcObjectHeader.h"
#include "gc/RetentionPath.h"

namespace poolscope {

// A copy of the managed heap at one moment, for the GUI and the tests: every object with its
// generation, address, size and outgoing references, the LOH's free blocks (whose pattern is its
// fragmentation), the finalization and f-reachable queues, the handle table, the roots and the
// bounds of each generation's region. It holds no pointer into the heap, so a view can draw it
// and answer "who keeps this alive" on the GUI thread while the heap goes on working.
struct GcHeapSnapshot {
    static constexpr int kLargeObjectHeap = 3;  // the generation reported for LOH objects

    struct Object {
        std::uintptr_t address = 0;
        std::uint64_t sizeBytes = 0;
        GcTypeId typeId = 0;
        std::string typeName;
        int generation = 0;
        bool finalizerRegistered = false;
        std::uint32_t age = 0;  // collections survived (saturating at 255)
        bool pinned = false;    // a pinned handle holds it: compaction leaves it in place
        std::vector<std::uintptr_t> references;  // non-null reference fields, in field order
        // For each entry of `references`: its field index (or array element index), so a
        // retention path can name the field.
        std::vector<std::uint32_t> referenceFields;
    };
    struct FreeBlock {
        std::uintptr_t address = 0;
        std::uint64_t sizeBytes = 0;
    };
    struct Type {
        std::string name;
        bool isReferenceArray = false;
        std::vector<std::string> referenceFieldNames;
    };
    // A GC handle made by allocateHandle: strong, pinned, short or long weak.
    struct Handle {
        std::uint32_t slot = 0;
        GcHandleKind kind = GcHandleKind::Strong;
        std::uintptr_t target = 0;  // 0 once a weak handle was cleared (or for a null target)
        std::string name;           // empty when the handle was not given one
    };
    // One root reference, in the order the collector visits roots.
    struct Root {
        std::string name;  // "static openedForms", "frame main", "strong handle", ...
        std::uintptr_t target = 0;
    };
    // The address range of a generation (or the LOH), drawn to scale by a view: objects and
    // gaps lie in [start, end); for generation 0 the budget tells how far it may grow before a
    // collection, for the LOH the reservation's end.
    struct Region {
        std::uintptr_t start = 0;
        std::uintptr_t end = 0;
        std::uint64_t budgetBytes = 0;
        std::uint64_t sizeBytes() const { return end - start; }
    };

    std::vector<Object> objects;  // in address order, small object heap first
    std::vector<FreeBlock> largeObjectFreeBlocks;
    std::uint64_t generationBytes[4] = {0, 0, 0, 0};  // gen 0, 1, 2, LOH (objects and gaps)
    std::uint64_t largeObjectFreeBytes = 0;

    std::vector<Type> types;                        // indexed by GcTypeId
    std::vector<std::uintptr_t> finalizationQueue;  // registered, finalizer not suppressed
    std::vector<std::uintptr_t> fReachableQueue;    // waiting for the finalizer thread
    std::vector<Handle> handles;                    // in slot order
    std::vector<Root> roots;
    Region regions[4];                  // gen 0, 1, 2, LOH
    std::uint64_t collectionCount = 0;  // collections so far; tells snapshots apart
    // The objects the latest of those collections moved (compaction slides, survivors packed
    // into an older band), old address to new.
    std::vector<GcObjectMove> lastCollectionMoves;
    // At a lesson step that shows a collection's mark phase, the generation collected (0-2):
    // a view highlights what markOrder(markGeneration) reaches, in that order; -1 otherwise.
    int markGeneration = -1;

    // The LOH's bytes held by objects, without its free blocks: GcStatistics' LOH figure.
    std::uint64_t largeObjectLiveBytes() const { return generationBytes[3] - largeObjectFreeBytes; }
    // The object starting at `address`, or null.
    const Object* findObject(std::uintptr_t address) const;
    // The shortest path from any of the snapshot's roots to the object at `address`, found over
    // the snapshot's own roots and references; it names the same root and fields as
    // GcHeap::retentionPath did at the moment of the snapshot. None when unreachable.
    std::optional<RetentionPath> retentionPathTo(std::uintptr_t address) const;
    // The objects a collection of `generation` marks, in the order it reaches them: breadth
    // first from the roots' targets, a young collection also from every older object (it takes
    // them as alive, as the remembered set lets it). Only objects the collection condemns are
    // listed (generations up to `generation`, the LOH with generation 2); those of them not
    // listed are garbage.
    std::vector<std::uintptr_t> markOrder(int generation) const;
    // Whether a collection of `generation` condemns the object.
    static bool condemns(int generation, const Object& object) {
        return generation == 2 || object.generation <= generation;
    }
};

}  // namespace poolscope
