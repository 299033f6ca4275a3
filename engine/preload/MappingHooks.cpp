// mmap, munmap and mremap called by the program. The C library's own mappings (the allocator's
// large blocks, thread stacks, loaded objects) go through its internal entry points and are not
// seen here, so a large malloc counts once, as heap.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cstdarg>

#include "HookExport.h"
#include "RealFunctions.h"
#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

using poolscope::preload::HookScope;
using poolscope::preload::real;
using poolscope::preload::Tracker;
using poolscope::preload::TrackingState;

namespace {

void* map(void* address, std::size_t bytes, int protection, int flags, int fd, off_t offset) {
    if (!TrackingState::resolved() && !Tracker::ensureResolved()) {
        return reinterpret_cast<void*>(
            syscall(SYS_mmap, address, bytes, protection, flags, fd, offset));
    }
    HookScope scope(TrackingState::active());
    void* mapped = real.mmap(address, bytes, protection, flags, fd, offset);
    if (scope.tracking() && mapped != MAP_FAILED) {
        Tracker::mapped(mapped, bytes, protection, flags, fd);
    }
    return mapped;
}

}  // namespace

POOLSCOPE_HOOK void* mmap(void* address, std::size_t bytes, int protection, int flags, int fd,
                          off_t offset) {
    return map(address, bytes, protection, flags, fd, offset);
}

POOLSCOPE_HOOK void* mmap64(void* address, std::size_t bytes, int protection, int flags, int fd,
                            off_t offset) {
    return map(address, bytes, protection, flags, fd, offset);
}

// Recorded before the call, as a free: once unmapped, another thread may map the same range.
POOLSCOPE_HOOK int munmap(void* address, std::size_t bytes) {
    if (!TrackingState::resolved() && !Tracker::ensureResolved()) {
        return static_cast<int>(syscall(SYS_munmap, address, bytes));
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking()) {
        Tracker::unmapped(address, bytes);
    }
    return real.munmap(address, bytes);
}

// Recorded after the call: the new address is known only then. A mapping moved away from its
// old range leaves that range free for the kernel to hand out again between the call and the
// record; the reader takes the record's new range as the one that counts.
POOLSCOPE_HOOK void* mremap(void* oldAddress, std::size_t oldBytes, std::size_t newBytes, int flags,
                            ...) {
    void* requested = nullptr;
    if ((flags & MREMAP_FIXED) != 0) {
        va_list arguments;
        va_start(arguments, flags);
        requested = va_arg(arguments, void*);
        va_end(arguments);
    }
    if (!TrackingState::resolved() && !Tracker::ensureResolved()) {
        return reinterpret_cast<void*>(
            syscall(SYS_mremap, oldAddress, oldBytes, newBytes, flags, requested));
    }
    HookScope scope(TrackingState::active());
    void* moved = real.mremap(oldAddress, oldBytes, newBytes, flags, requested);
    if (scope.tracking() && moved != MAP_FAILED) {
        Tracker::remapped(oldAddress, oldBytes, moved, newBytes);
    }
    return moved;
}
