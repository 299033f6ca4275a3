#pragma once

#include <cstddef>
#include <cstdint>

#include "gc/GcHandleKind.h"
#include "gc/ObjectRef.h"

namespace poolscope {

class GcHeap;
class GcFrame;

// A GC handle (.NET's GCHandle): a strong, pinned or weak root that code keeps beyond any
// frame. Move-only; frees its slot on destruction.
class GcHandle {
public:
    GcHandle() = default;
    GcHandle(GcHandle&& other) noexcept;
    GcHandle& operator=(GcHandle&& other) noexcept;
    GcHandle(const GcHandle&) = delete;
    GcHandle& operator=(const GcHandle&) = delete;
    ~GcHandle() { free(); }

    void free();
    bool isAllocated() const { return heap_ != nullptr; }
    GcHandleKind kind() const { return kind_; }
    // The handle's slot as a reference; null once a weak handle was cleared.
    ObjectRef ref() const { return ObjectRef{slot_}; }
    // False once a weak handle's object was collected.
    bool isAlive() const;
    // A local in `frame` holding the target; null once cleared.
    ObjectRef target(GcFrame& frame) const;

private:
    friend class GcHeap;
    GcHandle(GcHeap* heap, std::uint32_t slot, GcHandleKind kind)
        : heap_(heap), slot_(slot), kind_(kind) {}

    GcHeap* heap_ = nullptr;
    std::uint32_t slot_ = ObjectRef::kNullSlot;
    GcHandleKind kind_ = GcHandleKind::Strong;
};

}  // namespace poolscope
