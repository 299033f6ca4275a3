#pragma once

#include <cstdint>

namespace poolscope {

// The kernel's id of the calling thread (what top and gdb show), cached per thread.
std::uint32_t currentThreadId();

}  // namespace poolscope
