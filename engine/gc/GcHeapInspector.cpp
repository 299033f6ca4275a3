#include "gc/GcHeapInspector.h"

#include <utility>

#include "gc/RetentionSearch.h"

namespace poolscope {

namespace {
std::uintptr_t addressOf(const void* pointer) {
    return reinterpret_cast<std::uintptr_t>(pointer);
}
}  // namespace

GcHeapSnapshot GcHeapInspector::snapshot() const {
    GcHeapSnapshot snapshot;
    const auto add = [&](GcObjectHeader* object, int generation) {
        snapshot.generationBytes[generation] += object->walkSize();
        if (object->isFree()) {
            return;
        }
        GcHeapSnapshot::Object info;
        info.address = addressOf(object);
        info.sizeBytes = object->sizeBytes;
        info.typeId = object->typeId;
        info.typeName = state_.types[object->typeId].name;
        info.generation = generation;
        info.finalizerRegistered = object->has(GcObjectHeader::FinalizerRegistered) &&
                                   !object->has(GcObjectHeader::FinalizeSuppressed);
        info.age = object->age();
        state_.forEachReferenceSlot(object, [&](GcObjectHeader* target, std::size_t field) {
            if (target != nullptr) {
                info.references.push_back(addressOf(target));
                info.referenceFields.push_back(static_cast<std::uint32_t>(field));
            }
        });
        snapshot.objects.push_back(std::move(info));
    };
    const GcSmallObjectHeap& small = state_.smallObjects;
    small.forEachObject([&](GcObjectHeader* object) { add(object, small.generationOf(object)); });
    state_.largeObjects.forEachBlock([&](GcObjectHeader* object) {
        add(object, GcHeapSnapshot::kLargeObjectHeap);
        if (object->isFree()) {
            snapshot.largeObjectFreeBlocks.push_back({addressOf(object), object->walkSize()});
            snapshot.largeObjectFreeBytes += object->walkSize();
        }
    });

    snapshot.types.reserve(state_.types.size());
    for (std::size_t id = 0; id < state_.types.size(); ++id) {
        GcHeapSnapshot::Type type;
        type.name = state_.types[id].name;
        type.isReferenceArray = id == kReferenceArrayTypeId;
        for (const GcReferenceField& field : state_.types[id].referenceFields) {
            type.referenceFieldNames.push_back(field.name);
        }
        snapshot.types.push_back(std::move(type));
    }
    for (GcObjectHeader* object : state_.finalizationQueue) {
        if (!object->has(GcObjectHeader::FinalizeSuppressed)) {
            snapshot.finalizationQueue.push_back(addressOf(object));
        }
    }
    for (GcObjectHeader* object : state_.fReachableQueue) {
        snapshot.fReachableQueue.push_back(addressOf(object));
    }
    state_.handles.forEachInUse([&](const GcHandleTable::Slot& slot, std::uint32_t index) {
        if (slot.kind == GcHandleKind::FrameLocal || slot.kind == GcHandleKind::FinalizerSelf) {
            return;
        }
        GcHeapSnapshot::Handle handle;
        handle.slot = index;
        handle.kind = slot.kind;
        handle.target = addressOf(slot.target);
        if (const std::string* name = state_.handles.nameOf(index)) {
            handle.name = *name;
        }
        snapshot.handles.push_back(std::move(handle));
    });
    for (const GcHeapSnapshot::Handle& handle : snapshot.handles) {
        if (handle.kind != GcHandleKind::Pinned || handle.target == 0) {
            continue;
        }
        for (GcHeapSnapshot::Object& object : snapshot.objects) {
            if (object.address == handle.target) {
                object.pinned = true;
            }
        }
    }
    state_.forEachNamedRoot([&](GcObjectHeader* object, std::string name) {
        snapshot.roots.push_back({std::move(name), addressOf(object)});
    });

    snapshot.regions[2] = {addressOf(small.begin()), addressOf(small.gen1Start()), 0};
    snapshot.regions[1] = {addressOf(small.gen1Start()), addressOf(small.gen0Start()),
                           state_.settings.gen1BudgetBytes};
    snapshot.regions[0] = {addressOf(small.gen0Start()), addressOf(small.top()),
                           state_.settings.gen0BudgetBytes};
    const std::uintptr_t largeStart = addressOf(state_.largeObjects.begin());
    snapshot.regions[GcHeapSnapshot::kLargeObjectHeap] = {
        largeStart, largeStart + state_.largeObjects.usedBytes(),
        state_.settings.largeObjectBudgetBytes};
    snapshot.collectionCount = state_.collectionCount;
    snapshot.lastCollectionMoves = state_.lastMoves;
    return snapshot;
}

std::optional<RetentionPath> GcHeapInspector::retentionPath(
    GcObjectHeader* target, const std::optional<std::string>& rootName) const {
    RetentionSearch<GcObjectHeader*> search;
    state_.forEachNamedRoot([&](GcObjectHeader* object, std::string name) {
        if (!rootName || name == *rootName) {
            search.addRoot(object, std::move(name));
        }
    });
    const auto forEachEdge = [&](GcObjectHeader* object, auto&& edge) {
        state_.forEachReferenceSlot(object, [&](GcObjectHeader* child, std::size_t field) {
            if (child != nullptr) {
                edge(child, static_cast<std::uint32_t>(field));
            }
        });
    };
    const auto describe = [&](GcObjectHeader* object) {
        RetentionPath::Step step;
        step.address = addressOf(object);
        step.typeId = object->typeId;
        step.typeName = state_.types[object->typeId].name;
        return step;
    };
    const auto fieldName = [&](GcObjectHeader* parent, std::uint32_t field) {
        return parent->typeId == kReferenceArrayTypeId
                   ? RetentionPath::elementName(field)
                   : state_.types[parent->typeId].referenceFields[field].name;
    };
    return search.pathTo(target, forEachEdge, describe, fieldName);
}

}  // namespace poolscope
