#include "gc/GcArena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace poolscope {

namespace {
std::uintptr_t pageSize() {
    static const auto size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    return size;
}
}  // namespace

GcArena::GcArena(std::size_t reserveBytes) {
    const std::uintptr_t page = pageSize();
    size_ = (reserveBytes + page - 1) / page * page;
    void* data = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (data == MAP_FAILED) {
        throw std::bad_alloc();
    }
    base_ = static_cast<std::byte*>(data);
}

GcArena::~GcArena() {
    munmap(base_, size_);
}

void GcArena::decommit(std::byte* from, std::byte* to) const {
    const std::uintptr_t page = pageSize();
    const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(from) + page - 1) & ~(page - 1);
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(to) & ~(page - 1);
    if (last > first) {
        madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
    }
}

}  // namespace poolscope
