#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

// Page memory straight from the OS (mmap), so that freeing really returns it (munmap) and a
// trimmed pool shows in the RSS. Counts outstanding mappings, as ImageSharp's
// UnmanagedMemoryHandle.TotalOutstandingHandles does, for tests and the GUI.
namespace OsMemory {

// Maps at least `bytes` of zeroed, writable memory. Mappings of 2 MiB or more are aligned to
// 2 MiB and advised as huge pages, which halves the page faults and TLB misses of image rows.
// Throws std::bad_alloc when the OS refuses.
std::byte* map(std::size_t bytes);
void unmap(std::byte* data, std::size_t bytes) noexcept;

std::int64_t outstandingMappings();
std::int64_t outstandingBytes();

}  // namespace OsMemory

}  // namespace poolscope
