#include "memory/LifetimeGuard.h"

#include <string>

#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

LifetimeGuard::LifetimeGuard(std::uint64_t bytes, MemoryTier tier, std::uint16_t sourceId)
    : TrackedAllocation(bytes, tier, sourceId) {
    // Not listed in the registry here: other threads (the live link, the window's session)
    // read listed guards, and this one is only half made. Each final guard lists itself at
    // the end of its constructor, once its members are set and before it publishes anything.
}

void LifetimeGuard::addRef() {
    int count = refCount_.load(std::memory_order_relaxed);
    do {
        if (count <= 0) {
            throw InvalidMemoryOperation("Cannot reference allocation #" + std::to_string(id()) +
                                         ": its memory was already released.");
        }
    } while (!refCount_.compare_exchange_weak(count, count + 1, std::memory_order_acq_rel));
}

void LifetimeGuard::releaseRef() {
    if (refCount_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        release();
    }
}

void LifetimeGuard::dispose() {
    if (!disposed_.exchange(true, std::memory_order_acq_rel)) {
        releaseRef();
    }
}

void LifetimeGuard::finalize() {
    if (!disposed_.exchange(true, std::memory_order_acq_rel)) {
        finalized_.store(true, std::memory_order_release);
        releaseRef();
    }
}

void LifetimeGuard::release() {
    const bool finalized = finalized_.load(std::memory_order_acquire);
    AllocationRegistry::instance().remove(this, !finalized);
    if (finalized) {
        publish(MemoryEventKind::Undisposed, bytes());
        MemoryDiagnostics::noteReleasedUndisposed(*this);
    }
    releaseMemory();
    delete this;
}

}  // namespace poolscope
