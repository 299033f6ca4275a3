#pragma once

#include <cstdint>

namespace poolscope {

// What one slot of the uniform chunk pool holds. The pool keeps these, and anything that
// rebuilds the pool's picture from its events (PoolOccupancy, the window's pool map) speaks the
// same words without depending on the pool itself.
enum class SlotState : std::uint8_t { Empty, Rented, Retained };

}  // namespace poolscope
