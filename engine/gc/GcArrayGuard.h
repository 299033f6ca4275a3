#pragma once

#include <cstddef>
#include <memory>

#include "gc/GcHandle.h"
#include "memory/LifetimeGuard.h"

namespace poolscope {

class GcHeap;

// The lifetime guard of a buffer that is a managed byte array: pinned while the guard holds
// it, so the pixels stay put for code that holds raw pointers. Releasing the guard only unpins:
// the array is garbage from then on, and its memory comes back when a collection finds it
// dead, never at dispose.
class GcArrayGuard final : public LifetimeGuard {
public:
    // Allocates the array (which may collect) and pins it. Throws std::bad_alloc when the heap
    // is full.
    static GcArrayGuard* create(const std::shared_ptr<GcHeap>& heap, std::size_t bytes,
                                std::uint16_t sourceId);
    std::byte* data() const { return data_; }

protected:
    void releaseMemory() noexcept override;

private:
    GcArrayGuard(std::shared_ptr<GcHeap> heap, GcHandle pin, std::byte* data, std::size_t bytes,
                 std::uint16_t sourceId);

    std::shared_ptr<GcHeap> heap_;  // the array's heap outlives the buffers made on it
    GcHandle pin_;
    std::byte* data_;
};

}  // namespace poolscope
