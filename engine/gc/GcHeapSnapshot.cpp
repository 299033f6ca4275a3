#include "gc/GcHeapSnapshot.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

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

std::optional<RetentionPath> GcHeapSnapshot::retentionPathTo(std::uintptr_t address) const {
    std::unordered_map<std::uintptr_t, std::size_t> indexOf;
    indexOf.reserve(objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        indexOf.emplace(objects[i].address, i);
    }
    if (!indexOf.contains(address)) {
        return std::nullopt;
    }
    constexpr std::size_t kRoot = static_cast<std::size_t>(-1);
    struct Visit {
        std::size_t parent;  // index into objects, or kRoot
        std::uint32_t via;   // for a root, the index into roots; else the slot in parent.references
    };
    std::unordered_map<std::size_t, Visit> visited;
    std::deque<std::size_t> queue;
    // The same breadth-first walk as GcHeap::retentionPath, from all roots at once in the
    // collector's root order, so both find the same shortest path.
    for (std::size_t r = 0; r < roots.size(); ++r) {
        const auto object = indexOf.find(roots[r].target);
        if (object != indexOf.end() &&
            visited.emplace(object->second, Visit{kRoot, static_cast<std::uint32_t>(r)}).second) {
            queue.push_back(object->second);
        }
    }
    const std::size_t wanted = indexOf.at(address);
    while (!queue.empty() && !visited.contains(wanted)) {
        const std::size_t parent = queue.front();
        queue.pop_front();
        const std::vector<std::uintptr_t>& references = objects[parent].references;
        for (std::size_t slot = 0; slot < references.size(); ++slot) {
            const auto child = indexOf.find(references[slot]);
            if (child != indexOf.end() &&
                visited.emplace(child->second, Visit{parent, static_cast<std::uint32_t>(slot)})
                    .second) {
                queue.push_back(child->second);
            }
        }
    }
    if (!visited.contains(wanted)) {
        return std::nullopt;
    }
    RetentionPath path;
    for (std::size_t index = wanted;;) {
        const Visit& visit = visited.at(index);
        const Object& object = objects[index];
        RetentionPath::Step step;
        step.address = object.address;
        step.typeId = object.typeId;
        step.typeName = object.typeName;
        if (visit.parent == kRoot) {
            path.steps.push_back(std::move(step));
            path.rootName = roots[visit.via].name;
            break;
        }
        const Object& parent = objects[visit.parent];
        const std::uint32_t field = visit.via < parent.referenceFields.size()
                                        ? parent.referenceFields[visit.via]
                                        : visit.via;
        const Type* parentType = parent.typeId < types.size() ? &types[parent.typeId] : nullptr;
        if (parentType == nullptr || parentType->isReferenceArray ||
            field >= parentType->referenceFieldNames.size()) {
            step.viaField = "[" + std::to_string(field) + "]";
        } else {
            step.viaField = parentType->referenceFieldNames[field];
        }
        path.steps.push_back(std::move(step));
        index = visit.parent;
    }
    std::reverse(path.steps.begin(), path.steps.end());
    return path;
}

}  // namespace poolscope
