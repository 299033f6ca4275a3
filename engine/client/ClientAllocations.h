#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

// The allocations a program reports by pointer (poolscope_report_alloc/free), as one source of
// unpooled memory: to PoolScope a program's own allocator hands out memory at exact size, as
// the engine's unpooled tier does. Process-wide and thread-safe; the table lives past static
// destruction, since a program frees its memory until its very end.
class ClientAllocations {
public:
    static void reportAllocated(const void* address, std::size_t bytes);
    static void reportFreed(const void* address);
    static std::uint16_t sourceId();
};

}  // namespace poolscope
