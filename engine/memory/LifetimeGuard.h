#pragma once

#include <atomic>
#include <cstdint>

#include "diagnostics/TrackedAllocation.h"
#include "memory/GuardStorage.h"

namespace poolscope {

// The reference count behind every allocation. It starts at 1, the owner's reference;
// dispose() drops that one, pins and pixel-row access add and drop their own. The memory is
// released exactly once, when the count reaches zero, and the guard then deletes itself.
//
// Release through the owner (dispose, then the last unpin) lowers the undisposed count.
// Release through finalize() stands for a finalizer that found the owner unreachable: the
// count stays up and the undisposed-allocation notification fires, as in ImageSharp.
class LifetimeGuard : public TrackedAllocation {
public:
    // Adds a reference; refused once the memory has been released.
    void addRef();
    void releaseRef();
    // Drops the owner's reference, once; later calls do nothing.
    void dispose();
    // The owner was abandoned without dispose: drop its reference on its behalf.
    void finalize();

    // Guards come and go with every rent and return: their memory is recycled per thread.
    static void* operator new(std::size_t bytes) { return GuardStorage::allocate(bytes); }
    static void operator delete(void* block, std::size_t bytes) noexcept {
        GuardStorage::free(block, bytes);
    }

    bool isDisposed() const { return disposed_.load(std::memory_order_acquire); }
    int referenceCount() const { return refCount_.load(std::memory_order_acquire); }

protected:
    LifetimeGuard(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId);
    ~LifetimeGuard() override = default;

    // Gives the memory back (to its pool, or to the OS). Runs once, on the releasing thread.
    virtual void releaseMemory() noexcept = 0;

private:
    void release();

    std::atomic<int> refCount_{1};
    std::atomic<bool> disposed_{false};
    std::atomic<bool> finalized_{false};
};

}  // namespace poolscope
