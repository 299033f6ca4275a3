#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "gc/GcHeap.h"
#include "memory/MemoryAllocator.h"
#include "memory/MemoryGroup.h"

namespace poolscope {

// The dispose pattern, made visible: a managed image object (registered as type "Image") that
// owns unmanaged pixel memory, a MemoryGroup from a MemoryAllocator, as ImageSharp's Image
// does. dispose() releases the pixels at once and suppresses finalization. An image dropped
// without dispose() keeps its pixels until a collection finds it dead and the finalizer thread
// runs its finalizer, which lets the memory go through abandonToFinalizer(): the
// undisposed-allocation notification fires with the stack that allocated the pixels.
class ManagedImageType {
public:
    ManagedImageType(GcHeap& heap, std::shared_ptr<MemoryAllocator> allocator);
    // Pixels of images still alive are disposed, as their owner would at process exit.
    ~ManagedImageType();
    ManagedImageType(const ManagedImageType&) = delete;
    ManagedImageType& operator=(const ManagedImageType&) = delete;

    GcTypeId typeId() const { return typeId_; }

    // A new image of width x height 4-byte pixels, one row per group alignment unit.
    ObjectRef create(GcFrame& frame, int width, int height);
    // Releases the pixels and suppresses finalization; later calls do nothing.
    void dispose(ObjectRef image);
    bool isDisposed(ObjectRef image);
    int width(ObjectRef image);
    int height(ObjectRef image);
    // The pixel bytes of one row; valid until the image is disposed or finalized.
    std::span<std::byte> row(ObjectRef image, int y);

    // Unmanaged pixel buffers not yet released, by dispose or by a finalizer.
    std::size_t liveNativeBuffers() const;

private:
    // The unmanaged side: what an IntPtr field of a .NET object points at. Shared with the
    // finalizer, which may run after this object is gone.
    struct NativeTable {
        mutable std::mutex mutex;
        std::unordered_map<std::uint64_t, MemoryGroup> buffers;
        std::uint64_t nextId = 1;
    };
    struct Fields {
        std::int32_t width;
        std::int32_t height;
        std::uint64_t nativeId;  // 0 once released
    };
    static Fields readFields(GcHeap& heap, ObjectRef image);

    GcHeap& heap_;
    std::shared_ptr<MemoryAllocator> allocator_;
    std::shared_ptr<NativeTable> native_;
    GcTypeId typeId_;
};

}  // namespace poolscope
