#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gc/GcObjectHeader.h"
#include "gc/ObjectRef.h"

namespace poolscope {

class GcHeap;

// One reference field of a registered type: where it sits in the payload, and its name for
// retention paths ("Form.owner").
struct GcReferenceField {
    std::string name;
    std::uint32_t offset = 0;  // bytes from the start of the payload, 8-byte aligned
};

// A managed type: a payload of fixed size, the offsets of its reference fields (what the
// collector traces and fixes up), and optionally a finalizer. The rest of the payload is plain
// data the collector copies but never interprets.
struct GcType {
    // Runs on the finalizer thread, with the object held in `self` for the duration. It may
    // use the heap freely: store `self` somewhere reachable (resurrection), call
    // reRegisterForFinalize, allocate.
    using Finalizer = std::function<void(GcHeap& heap, ObjectRef self)>;

    std::string name;
    std::uint32_t payloadBytes = 0;
    std::vector<GcReferenceField> referenceFields;
    Finalizer finalizer;  // empty: not finalizable
};

}  // namespace poolscope
