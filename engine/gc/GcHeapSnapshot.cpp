#include "gc/GcHeapSnapshot.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "gc/RetentionSearch.h"

namespace poolscope {

const GcHeapSnapshot::Object* GcHeapSnapshot::findObject(std::uintptr_t address) const {
    // Objects are in address order within the small object heap and within the LOH, which
    // follows it in the vector; the two arenas may lie either way round in address space.
    const auto largeBegin = std::partition_point(
        objects.begin(), objects.end(),
        [](const Object& object) { return object.generation != kLargeObjectHeap; });
    const auto search = [&](auto first, auto last) -> const Object* {
        const auto found = std::lower_bound(
            first, last, address,
            [](const Object& object, std::uintptr_t wanted) { return object.address < wanted; });
        return found != last && found->address == address ? &*found : nullptr;
    };
    if (const Object* small = search(objects.begin(), largeBegin)) {
        return small;
    }
    return search(largeBegin, objects.end());
}

std::vector<std::uintptr_t> GcHeapSnapshot::markOrder(int generation) const {
    std::unordered_map<std::uintptr_t, const Object*> byAddress;
    byAddress.reserve(objects.size());
    for (const Object& object : objects) {
        byAddress.emplace(object.address, &object);
    }
    // `reached` doubles as the breadth-first queue: everything before `next` is scanned.
    std::vector<const Object*> reached;
    std::unordered_set<std::uintptr_t> seen;
    const auto reach = [&](std::uintptr_t address) {
        const auto found = byAddress.find(address);
        if (found != byAddress.end() && seen.insert(address).second) {
            reached.push_back(found->second);
        }
    };
    for (const Root& root : roots) {
        reach(root.target);
    }
    for (const Object& object : objects) {
        if (!condemns(generation, object)) {
            reach(object.address);
        }
    }
    for (std::size_t next = 0; next < reached.size(); ++next) {
        for (const std::uintptr_t reference : reached[next]->references) {
            reach(reference);
        }
    }
    std::vector<std::uintptr_t> order;
    for (const Object* object : reached) {
        if (condemns(generation, *object)) {
            order.push_back(object->address);
        }
    }
    return order;
}

std::optional<RetentionPath> GcHeapSnapshot::retentionPathTo(std::uintptr_t address) const {
    std::unordered_map<std::uintptr_t, std::size_t> indexOf;
    indexOf.reserve(objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        indexOf.emplace(objects[i].address, i);
    }
    const auto wanted = indexOf.find(address);
    if (wanted == indexOf.end()) {
        return std::nullopt;
    }
    RetentionSearch<std::size_t> search;
    for (const Root& root : roots) {
        if (const auto object = indexOf.find(root.target); object != indexOf.end()) {
            search.addRoot(object->second, root.name);
        }
    }
    const auto forEachEdge = [&](std::size_t parent, auto&& edge) {
        const Object& object = objects[parent];
        for (std::size_t slot = 0; slot < object.references.size(); ++slot) {
            if (const auto child = indexOf.find(object.references[slot]); child != indexOf.end()) {
                edge(child->second, slot < object.referenceFields.size()
                                        ? object.referenceFields[slot]
                                        : static_cast<std::uint32_t>(slot));
            }
        }
    };
    const auto describe = [&](std::size_t index) {
        RetentionPath::Step step;
        step.address = objects[index].address;
        step.typeId = objects[index].typeId;
        step.typeName = objects[index].typeName;
        return step;
    };
    const auto fieldName = [&](std::size_t parent, std::uint32_t field) {
        const GcTypeId typeId = objects[parent].typeId;
        const Type* type = typeId < types.size() ? &types[typeId] : nullptr;
        if (type == nullptr || type->isReferenceArray ||
            field >= type->referenceFieldNames.size()) {
            return RetentionPath::elementName(field);
        }
        return type->referenceFieldNames[field];
    };
    return search.pathTo(wanted->second, forEachEdge, describe, fieldName);
}

}  // namespace poolscope
