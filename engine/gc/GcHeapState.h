#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "gc/GcHandleTable.h"
#include "gc/GcHeapSettings.h"
#include "gc/GcLargeObjectHeap.h"
#include "gc/GcObjectHeader.h"
#include "gc/GcSmallObjectHeap.h"
#include "gc/GcStatistics.h"
#include "gc/GcType.h"

namespace poolscope {

// Everything the managed heap holds, shared by its parts under the GcHeap's one lock: GcHeap
// allocates into it and runs its finalizers, GcCollector collects it, GcHeapInspector describes
// it. What every part needs to read the object graph lives here too: the references of an
// object and the roots.
struct GcHeapState {
    struct StaticSlot {
        std::string name;
        GcObjectHeader* target = nullptr;
    };
    // Where a root lives, so that names are made only when a retention path asks for one.
    struct RootSource {
        enum Kind : std::uint8_t { Handle, Static, FReachable } kind;
        std::uint32_t index;
    };

    explicit GcHeapState(const GcHeapSettings& heapSettings);

    // visit(reference, field) for every reference slot of `object`, null ones included, by
    // field index for registered types and by element index for reference arrays. The visitor
    // may rewrite the reference.
    template <class Visit>
    void forEachReferenceSlot(GcObjectHeader* object, Visit&& visit) {
        if (object->typeId == kReferenceArrayTypeId) {
            GcObjectHeader** elements = object->referenceElements();
            const std::uint64_t length = object->arrayLength();
            for (std::uint64_t i = 0; i < length; ++i) {
                visit(elements[i], i);
            }
        } else if (object->typeId >= kFirstUserTypeId) {
            const std::vector<GcReferenceField>& fields = types[object->typeId].referenceFields;
            for (std::size_t i = 0; i < fields.size(); ++i) {
                visit(*reinterpret_cast<GcObjectHeader**>(object->payload() + fields[i].offset), i);
            }
        }
    }

    // visit(object, source) for every root, in the collector's order: handles that keep their
    // object alive, statics, then the f-reachable queue.
    template <class Visit>
    void forEachRoot(Visit&& visit) {
        handles.forEachRoot([&](GcObjectHeader* object, std::uint32_t slot) {
            visit(object, RootSource{RootSource::Handle, slot});
        });
        for (std::uint32_t i = 0; i < statics.size(); ++i) {
            if (statics[i].target != nullptr) {
                visit(statics[i].target, RootSource{RootSource::Static, i});
            }
        }
        std::uint32_t index = 0;
        for (GcObjectHeader* object : fReachableQueue) {
            visit(object, RootSource{RootSource::FReachable, index++});
        }
    }

    // visit(object, name) for every root, in the same order, with what it is called.
    template <class Visit>
    void forEachNamedRoot(Visit&& visit) {
        forEachRoot([&](GcObjectHeader* object, RootSource source) {
            switch (source.kind) {
                case RootSource::Handle:
                    visit(object, handles.rootName(source.index));
                    break;
                case RootSource::Static:
                    visit(object, "static " + statics[source.index].name);
                    break;
                case RootSource::FReachable:
                    visit(object, std::string("f-reachable queue"));
                    break;
            }
        });
    }

    const GcHeapSettings settings;
    // A deque, so that GcHeap::type() can hand out references that registration never
    // invalidates.
    std::deque<GcType> types;
    GcSmallObjectHeap smallObjects;
    GcLargeObjectHeap largeObjects;
    GcHandleTable handles;
    std::vector<StaticSlot> statics;
    // Old objects holding references to younger ones: the roots a young collection adds.
    std::vector<GcObjectHeader*> rememberedSet;
    std::vector<GcObjectHeader*> finalizationQueue;
    std::deque<GcObjectHeader*> fReachableQueue;

    std::uint64_t gen0AllocatedBytes = 0;
    std::uint64_t gen2BytesAfterLastGen2 = 0;
    std::uint64_t largeAllocatedSinceGen2 = 0;
    std::uint64_t bytesSinceSample = 0;
    std::uint64_t collectionCount = 0;
    // The objects the latest collection moved, so a picture of the heap can show them travel.
    std::vector<GcObjectMove> lastMoves;
    GcStatistics statistics;
};

}  // namespace poolscope
