// Every replaceable operator new and delete (plain, array, nothrow, aligned, sized): a C++
// program's allocations are reported as new or new[] with their own stacks, and a report can
// tell memory freed with the wrong call. They allocate from the C allocator directly, as the
// C++ runtime's own operators do.
#include <cstddef>
#include <cstdlib>
#include <new>

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
using poolscope::preload::tThread;
using poolscope::PreloadWire::HeapCall;

namespace {

constexpr std::nothrow_t kNothrow{};

// The allocator had no memory. The C++ runtime's operator does what the standard asks (the
// new-handler, then std::bad_alloc or nullptr); its exception unwinds through this frame, which
// was built without exceptions, so the thread is unmarked first and the runtime's allocation,
// should it succeed, is recorded by the malloc hook instead of here.
void* runtimeNew(HookScope& scope, std::size_t bytes, std::size_t alignment, bool nothrow,
                 bool& recorded) {
    if (scope.tracking()) {
        tThread.busy = false;
        recorded = true;
    }
    if (alignment == 0) {
        if (nothrow) {
            return real.operatorNewNothrow != nullptr ? real.operatorNewNothrow(bytes, &kNothrow)
                                                      : nullptr;
        }
        if (real.operatorNew == nullptr) {
            std::abort();
        }
        return real.operatorNew(bytes);
    }
    if (nothrow) {
        return real.operatorNewAlignedNothrow != nullptr
                   ? real.operatorNewAlignedNothrow(bytes, alignment, &kNothrow)
                   : nullptr;
    }
    if (real.operatorNewAligned == nullptr) {
        std::abort();
    }
    return real.operatorNewAligned(bytes, alignment);
}

void* allocate(HeapCall call, std::size_t bytes, std::size_t alignment, bool nothrow) {
    if (!TrackingState::resolved() && !Tracker::ensureResolved()) {
        return BootstrapArena::allocate(bytes, alignment);
    }
    HookScope scope(TrackingState::active());
    void* address = nullptr;
    if (alignment == 0) {
        address = real.malloc(bytes);
    } else if (real.posixMemalign(&address, alignment < sizeof(void*) ? sizeof(void*) : alignment,
                                  bytes) != 0) {
        address = nullptr;
    }
    bool recorded = false;
    if (address == nullptr) {
        address = runtimeNew(scope, bytes, alignment, nothrow, recorded);
    }
    if (scope.tracking() && !recorded && address != nullptr) {
        Tracker::heapAllocated(call, address, bytes, alignment);
    }
    return address;
}

void release(HeapCall call, void* address) {
    if (address == nullptr || BootstrapArena::owns(address)) {
        return;
    }
    if (!TrackingState::resolved() && !Tracker::ensureResolved()) {
        return;
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking()) {
        Tracker::heapReleased(call, address);
    }
    real.free(address);
}

std::size_t alignmentOf(std::align_val_t alignment) {
    return static_cast<std::size_t>(alignment);
}

}  // namespace

POOLSCOPE_OPERATOR void* operator new(std::size_t bytes) {
    return allocate(HeapCall::New, bytes, 0, false);
}
POOLSCOPE_OPERATOR void* operator new[](std::size_t bytes) {
    return allocate(HeapCall::NewArray, bytes, 0, false);
}
POOLSCOPE_OPERATOR void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
    return allocate(HeapCall::New, bytes, 0, true);
}
POOLSCOPE_OPERATOR void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
    return allocate(HeapCall::NewArray, bytes, 0, true);
}
POOLSCOPE_OPERATOR void* operator new(std::size_t bytes, std::align_val_t alignment) {
    return allocate(HeapCall::New, bytes, alignmentOf(alignment), false);
}
POOLSCOPE_OPERATOR void* operator new[](std::size_t bytes, std::align_val_t alignment) {
    return allocate(HeapCall::NewArray, bytes, alignmentOf(alignment), false);
}
POOLSCOPE_OPERATOR void* operator new(std::size_t bytes, std::align_val_t alignment,
                                      const std::nothrow_t&) noexcept {
    return allocate(HeapCall::New, bytes, alignmentOf(alignment), true);
}
POOLSCOPE_OPERATOR void* operator new[](std::size_t bytes, std::align_val_t alignment,
                                        const std::nothrow_t&) noexcept {
    return allocate(HeapCall::NewArray, bytes, alignmentOf(alignment), true);
}

POOLSCOPE_OPERATOR void operator delete(void* address) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address) noexcept {
    release(HeapCall::DeleteArray, address);
}
POOLSCOPE_OPERATOR void operator delete(void* address, std::size_t) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address, std::size_t) noexcept {
    release(HeapCall::DeleteArray, address);
}
POOLSCOPE_OPERATOR void operator delete(void* address, std::align_val_t) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address, std::align_val_t) noexcept {
    release(HeapCall::DeleteArray, address);
}
POOLSCOPE_OPERATOR void operator delete(void* address, std::size_t, std::align_val_t) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address, std::size_t, std::align_val_t) noexcept {
    release(HeapCall::DeleteArray, address);
}
POOLSCOPE_OPERATOR void operator delete(void* address, const std::nothrow_t&) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address, const std::nothrow_t&) noexcept {
    release(HeapCall::DeleteArray, address);
}
POOLSCOPE_OPERATOR void operator delete(void* address, std::align_val_t,
                                        const std::nothrow_t&) noexcept {
    release(HeapCall::Delete, address);
}
POOLSCOPE_OPERATOR void operator delete[](void* address, std::align_val_t,
                                          const std::nothrow_t&) noexcept {
    release(HeapCall::DeleteArray, address);
}
