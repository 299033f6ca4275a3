#include "PageMemory.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace poolscope::preload {

void* PageMemory::map(std::size_t bytes) {
    const long result = syscall(SYS_mmap, nullptr, bytes, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (result < 0 && result > -4096) {
        return nullptr;
    }
    return reinterpret_cast<void*>(result);
}

void PageMemory::unmap(void* pages, std::size_t bytes) {
    syscall(SYS_munmap, pages, bytes);
}

}  // namespace poolscope::preload
