// The C allocation functions. Each records after the memory was made and before it is given
// back, so that no other thread can be handed the same address in between.
#include <cstddef>
#include <cstring>

#include "BootstrapArena.h"
#include "HookExport.h"
#include "RealFunctions.h"
#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

using poolscope::preload::BootstrapArena;
using poolscope::preload::HookScope;
using poolscope::preload::real;
using poolscope::preload::Tracker;
using poolscope::preload::TrackingState;
using poolscope::PreloadWire::HeapCall;

namespace {

constexpr std::size_t kBootstrapAlignment = 16;

// False on the thread looking up the real functions: the caller serves it from the arena.
inline bool ready() {
    return TrackingState::resolved() || Tracker::ensureResolved();
}

// The aligned allocators share one shape: call, then record what was asked for.
template <typename Call>
void* alignedAllocation(HeapCall call, std::size_t alignment, std::size_t bytes, Call allocate) {
    if (!ready()) {
        return BootstrapArena::allocate(bytes, alignment);
    }
    HookScope scope(TrackingState::active());
    void* address = allocate();
    if (scope.tracking() && address != nullptr) {
        Tracker::heapAllocated(call, address, bytes, alignment);
    }
    return address;
}

}  // namespace

POOLSCOPE_HOOK void* malloc(std::size_t bytes) {
    if (!ready()) {
        return BootstrapArena::allocate(bytes, kBootstrapAlignment);
    }
    HookScope scope(TrackingState::active());
    void* address = real.malloc(bytes);
    if (scope.tracking() && address != nullptr) {
        Tracker::heapAllocated(HeapCall::Malloc, address, bytes, 0);
    }
    return address;
}

POOLSCOPE_HOOK void* calloc(std::size_t count, std::size_t size) {
    std::size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        return real.calloc != nullptr ? real.calloc(count, size) : nullptr;
    }
    if (!ready()) {
        return BootstrapArena::allocate(bytes, kBootstrapAlignment);
    }
    HookScope scope(TrackingState::active());
    void* address = real.calloc(count, size);
    if (scope.tracking() && address != nullptr) {
        Tracker::heapAllocated(HeapCall::Calloc, address, bytes, 0);
    }
    return address;
}

// A realloc is the release of the old block (before the call: from then on the allocator may
// hand its address to another thread) and the allocation of the new one. realloc(p, 0) that
// frees and returns NULL leaves only the release; a failed realloc leaves the old block as it
// was, so it is announced again, with the size the allocator says it has.
POOLSCOPE_HOOK void* realloc(void* old, std::size_t bytes) {
    if (!ready() || BootstrapArena::owns(old)) {
        void* moved =
            ready() ? malloc(bytes) : BootstrapArena::allocate(bytes, kBootstrapAlignment);
        if (moved != nullptr && old != nullptr) {
            const std::size_t oldBytes = BootstrapArena::blockBytes(old);
            std::memcpy(moved, old, oldBytes < bytes ? oldBytes : bytes);
        }
        return moved;
    }
    HookScope scope(TrackingState::active());
    if (!scope.tracking()) {
        return real.realloc(old, bytes);
    }
    if (old != nullptr) {
        Tracker::heapReleased(HeapCall::Realloc, old);
    }
    void* address = real.realloc(old, bytes);
    if (address != nullptr) {
        Tracker::heapAllocated(HeapCall::Realloc, address, bytes, 0);
    } else if (old != nullptr && bytes != 0) {
        const std::size_t kept = real.mallocUsableSize != nullptr ? real.mallocUsableSize(old) : 0;
        Tracker::heapAllocated(HeapCall::Realloc, old, kept, 0);
    }
    return address;
}

POOLSCOPE_HOOK void free(void* address) {
    if (address == nullptr || BootstrapArena::owns(address)) {
        return;
    }
    if (!ready()) {
        // The resolving thread frees memory it did not get from the arena before the real free
        // is known: keeping the block is the only safe thing.
        return;
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking()) {
        Tracker::heapReleased(HeapCall::Free, address);
    }
    real.free(address);
}

POOLSCOPE_HOOK int posix_memalign(void** out, std::size_t alignment, std::size_t bytes) {
    int result = 0;
    void* address = alignedAllocation(HeapCall::PosixMemalign, alignment, bytes, [&]() -> void* {
        result = real.posixMemalign(out, alignment, bytes);
        return result == 0 ? *out : nullptr;
    });
    if (!TrackingState::resolved() && address != nullptr) {
        *out = address;
    }
    return result;
}

POOLSCOPE_HOOK void* aligned_alloc(std::size_t alignment, std::size_t bytes) {
    return alignedAllocation(HeapCall::AlignedAlloc, alignment, bytes,
                             [&] { return real.alignedAlloc(alignment, bytes); });
}

POOLSCOPE_HOOK void* memalign(std::size_t alignment, std::size_t bytes) {
    return alignedAllocation(HeapCall::Memalign, alignment, bytes,
                             [&] { return real.memalign(alignment, bytes); });
}

POOLSCOPE_HOOK void* valloc(std::size_t bytes) {
    return alignedAllocation(HeapCall::Valloc, 0, bytes, [&] { return real.valloc(bytes); });
}

POOLSCOPE_HOOK void* pvalloc(std::size_t bytes) {
    return alignedAllocation(HeapCall::Pvalloc, 0, bytes, [&] { return real.pvalloc(bytes); });
}
