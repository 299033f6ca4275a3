#pragma once

#include <cstdint>

namespace poolscope {

// A managed reference as code holds it: a slot in the heap's handle table, never an address,
// so that the collector can move the object underneath. It is valid while the frame or handle
// that owns the slot lives. The heap refuses a slot that is free; one that was freed and then
// handed to a newer local cannot be told apart, as with any handle table without generations.
struct ObjectRef {
    static constexpr std::uint32_t kNullSlot = UINT32_MAX;

    std::uint32_t slot = kNullSlot;

    bool isNull() const { return slot == kNullSlot; }
    explicit operator bool() const { return !isNull(); }
};

}  // namespace poolscope
