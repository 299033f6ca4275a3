#include "gc/ManagedImageType.h"

#include <cstring>
#include <stdexcept>
#include <utility>

namespace poolscope {

namespace {
constexpr std::size_t kBytesPerPixel = 4;
}

ManagedImageType::Fields ManagedImageType::readFields(GcHeap& heap, ObjectRef image) {
    Fields fields{};
    heap.readBytes(image, 0, std::as_writable_bytes(std::span(&fields, 1)));
    return fields;
}

ManagedImageType::ManagedImageType(GcHeap& heap, std::shared_ptr<MemoryAllocator> allocator)
    : heap_(heap), allocator_(std::move(allocator)), native_(std::make_shared<NativeTable>()) {
    std::weak_ptr<NativeTable> table = native_;
    GcType type;
    type.name = "Image";
    type.payloadBytes = sizeof(Fields);
    type.finalizer = [table](GcHeap& heap, ObjectRef self) {
        Fields fields = readFields(heap, self);
        const std::shared_ptr<NativeTable> native = table.lock();
        if (fields.nativeId == 0 || !native) {
            return;
        }
        MemoryGroup pixels;
        {
            std::lock_guard lock(native->mutex);
            const auto found = native->buffers.find(fields.nativeId);
            if (found == native->buffers.end()) {
                return;
            }
            pixels = std::move(found->second);
            native->buffers.erase(found);
        }
        fields.nativeId = 0;
        heap.writeBytes(self, 0, std::as_bytes(std::span(&fields, 1)));
        pixels.abandonToFinalizer();
    };
    typeId_ = heap_.registerType(std::move(type));
}

ManagedImageType::~ManagedImageType() {
    std::lock_guard lock(native_->mutex);
    native_->buffers.clear();
}

ObjectRef ManagedImageType::create(GcFrame& frame, int width, int height) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("ManagedImageType::create: width and height must be > 0.");
    }
    MemoryGroup pixels =
        allocator_->allocateGroup(static_cast<std::int64_t>(width) * height, kBytesPerPixel, width);
    const ObjectRef image = heap_.allocate(frame, typeId_);
    Fields fields{width, height, 0};
    {
        std::lock_guard lock(native_->mutex);
        fields.nativeId = native_->nextId++;
        native_->buffers.emplace(fields.nativeId, std::move(pixels));
    }
    heap_.writeBytes(image, 0, std::as_bytes(std::span(&fields, 1)));
    return image;
}

void ManagedImageType::dispose(ObjectRef image) {
    Fields fields = readFields(heap_, image);
    if (fields.nativeId == 0) {
        return;
    }
    MemoryGroup pixels;
    {
        std::lock_guard lock(native_->mutex);
        const auto found = native_->buffers.find(fields.nativeId);
        if (found != native_->buffers.end()) {
            pixels = std::move(found->second);
            native_->buffers.erase(found);
        }
    }
    fields.nativeId = 0;
    heap_.writeBytes(image, 0, std::as_bytes(std::span(&fields, 1)));
    pixels.dispose();
    heap_.suppressFinalize(image);
}

bool ManagedImageType::isDisposed(ObjectRef image) {
    return readFields(heap_, image).nativeId == 0;
}

int ManagedImageType::width(ObjectRef image) {
    return readFields(heap_, image).width;
}

int ManagedImageType::height(ObjectRef image) {
    return readFields(heap_, image).height;
}

std::span<std::byte> ManagedImageType::row(ObjectRef image, int y) {
    const Fields fields = readFields(heap_, image);
    if (y < 0 || y >= fields.height) {
        throw std::out_of_range("ManagedImageType::row: row " + std::to_string(y) +
                                " is outside an image of height " + std::to_string(fields.height) +
                                ".");
    }
    std::lock_guard lock(native_->mutex);
    const auto found = native_->buffers.find(fields.nativeId);
    if (found == native_->buffers.end()) {
        throw std::logic_error("ManagedImageType::row: the image was disposed or finalized.");
    }
    const MemoryGroup& pixels = found->second;
    const std::int64_t element = static_cast<std::int64_t>(y) * fields.width;
    const int chunk = static_cast<int>(element / pixels.bufferLength());
    const std::int64_t inChunk = element % pixels.bufferLength();
    return pixels.chunkBytes(chunk).subspan(
        static_cast<std::size_t>(inChunk) * kBytesPerPixel,
        static_cast<std::size_t>(fields.width) * kBytesPerPixel);
}

std::size_t ManagedImageType::liveNativeBuffers() const {
    std::lock_guard lock(native_->mutex);
    return native_->buffers.size();
}

}  // namespace poolscope
