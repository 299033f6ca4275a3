#include "imaging/Buffer2D.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "diagnostics/EventStream.h"
#include "imaging/ImageBufferEvents.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

namespace {

void requirePositiveSize(int width, int height) {
    if (width <= 0 || height <= 0) {
        throw std::invalid_argument("Image dimensions must be positive, got " +
                                    std::to_string(width) + "x" + std::to_string(height) + ".");
    }
}

}  // namespace

template <class T>
Buffer2D<T> Buffer2D<T>::allocate(MemoryAllocator& allocator, int width, int height,
                                  bool preferContiguous, AllocationOptions options) {
    requirePositiveSize(width, height);
    const std::int64_t total = static_cast<std::int64_t>(width) * height;
    Buffer2D buffer;
    buffer.width_ = width;
    buffer.height_ = height;
    if (preferContiguous) {
        buffer.owner_ = allocator.allocate<T>(total, options);
        T* start = buffer.owner_.template span<T>().data();
        buffer.adoptChunks({start}, {total}, height);
    } else {
        buffer.group_ = allocator.allocateGroup(total, sizeof(T), width, options);
        std::vector<T*> starts;
        std::vector<std::int64_t> lengths;
        for (int i = 0; i < buffer.group_.count(); ++i) {
            const std::span<T> chunk = buffer.group_.template chunk<T>(i);
            starts.push_back(chunk.data());
            lengths.push_back(static_cast<std::int64_t>(chunk.size()));
        }
        buffer.adoptChunks(std::move(starts), std::move(lengths),
                           buffer.group_.bufferLength() / width);
    }
    buffer.swappable_ = true;
    buffer.owned_ = true;
    if (EventStream::active()) {
        publishImageBufferCreated(buffer.allocationIds(), width, height, T::kTypeId, sizeof(T),
                                  allocator.sourceId());
    }
    return buffer;
}

template <class T>
std::vector<AllocationId> Buffer2D<T>::allocationIds() const {
    if (group_.count() > 0) {
        return group_.allocationIds();
    }
    const AllocationId id = owner_.allocationId();
    return id == 0 ? std::vector<AllocationId>{} : std::vector<AllocationId>{id};
}

template <class T>
Buffer2D<T> Buffer2D<T>::wrap(std::span<T> memory, int width, int height) {
    requirePositiveSize(width, height);
    const std::int64_t total = static_cast<std::int64_t>(width) * height;
    if (static_cast<std::int64_t>(memory.size()) < total) {
        throw std::invalid_argument("Buffer2D::wrap: memory is shorter than width x height.");
    }
    Buffer2D buffer;
    buffer.width_ = width;
    buffer.height_ = height;
    buffer.adoptChunks({memory.data()}, {total}, height);
    return buffer;
}

template <class T>
Buffer2D<T> Buffer2D<T>::wrap(MemoryOwner owner, int width, int height) {
    requirePositiveSize(width, height);
    const std::int64_t total = static_cast<std::int64_t>(width) * height;
    const std::span<T> memory = owner.template span<T>();
    if (static_cast<std::int64_t>(memory.size()) < total) {
        throw std::invalid_argument("Buffer2D::wrap: memory is shorter than width x height.");
    }
    Buffer2D buffer;
    buffer.width_ = width;
    buffer.height_ = height;
    buffer.owner_ = std::move(owner);
    buffer.adoptChunks({memory.data()}, {total}, height);
    buffer.owned_ = true;
    return buffer;
}

template <class T>
void Buffer2D<T>::adoptChunks(std::vector<T*> starts, std::vector<std::int64_t> lengths,
                              std::int64_t rowsPerChunk) {
    chunkStarts_ = std::move(starts);
    chunkLengths_ = std::move(lengths);
    rowsPerChunk_ = std::max<std::int64_t>(rowsPerChunk, 1);
    disposed_ = false;
    viewValidity_ = std::make_shared<std::atomic<bool>>(true);
}

template <class T>
Buffer2D<T>::Buffer2D(Buffer2D&& other) noexcept
    : group_(std::move(other.group_)),
      owner_(std::move(other.owner_)),
      chunkStarts_(std::exchange(other.chunkStarts_, {})),
      chunkLengths_(std::exchange(other.chunkLengths_, {})),
      rowsPerChunk_(other.rowsPerChunk_),
      width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)),
      swappable_(other.swappable_),
      owned_(other.owned_),
      disposed_(std::exchange(other.disposed_, true)),
      viewValidity_(std::exchange(other.viewValidity_, nullptr)) {}

template <class T>
Buffer2D<T>& Buffer2D<T>::operator=(Buffer2D&& other) noexcept {
    if (this != &other) {
        dispose();
        group_ = std::move(other.group_);
        owner_ = std::move(other.owner_);
        chunkStarts_ = std::exchange(other.chunkStarts_, {});
        chunkLengths_ = std::exchange(other.chunkLengths_, {});
        rowsPerChunk_ = other.rowsPerChunk_;
        width_ = std::exchange(other.width_, 0);
        height_ = std::exchange(other.height_, 0);
        swappable_ = other.swappable_;
        owned_ = other.owned_;
        disposed_ = std::exchange(other.disposed_, true);
        viewValidity_ = std::exchange(other.viewValidity_, nullptr);
    }
    return *this;
}

template <class T>
void Buffer2D<T>::invalidateViews() {
    if (viewValidity_) {
        viewValidity_->store(false, std::memory_order_release);
    }
    viewValidity_ = std::make_shared<std::atomic<bool>>(!disposed_);
}

template <class T>
void Buffer2D<T>::dispose() {
    if (disposed_) {
        return;
    }
    disposed_ = true;
    invalidateViews();
    chunkStarts_.clear();
    chunkLengths_.clear();
    group_.dispose();
    owner_.dispose();
}

template <class T>
void Buffer2D<T>::throwIfDisposed() const {
    if (disposed_) {
        throw InvalidMemoryOperation("Cannot access a disposed pixel buffer.");
    }
}

template <class T>
typename Buffer2D<T>::RowChunk Buffer2D<T>::rowChunk(int index) const {
    throwIfDisposed();
    if (index < 0 || index >= chunkCount()) {
        throw std::out_of_range("Chunk " + std::to_string(index) + " is outside 0.." +
                                std::to_string(chunkCount() - 1) + ".");
    }
    const std::int64_t firstRow = index * rowsPerChunk_;
    const std::int64_t rows = std::min<std::int64_t>(rowsPerChunk_, height_ - firstRow);
    const auto length = static_cast<std::size_t>(rows * width_);
    return {static_cast<int>(firstRow),
            static_cast<int>(rows),
            width_,
            {chunkStarts_[static_cast<std::size_t>(index)], length}};
}

template <class T>
std::span<T> Buffer2D<T>::rowSpan(int y) const {
    throwIfDisposed();
    if (y < 0 || y >= height_) {
        throw std::out_of_range("Row " + std::to_string(y) + " is outside 0.." +
                                std::to_string(height_ - 1) + ".");
    }
    T* start = chunkStarts_[static_cast<std::size_t>(y / rowsPerChunk_)] +
               (y % rowsPerChunk_) * static_cast<std::int64_t>(width_);
    return {start, static_cast<std::size_t>(width_)};
}

template <class T>
T& Buffer2D<T>::at(int x, int y) const {
    const std::span<T> row = rowSpan(y);
    if (x < 0 || x >= width_) {
        throw std::out_of_range("Column " + std::to_string(x) + " is outside 0.." +
                                std::to_string(width_ - 1) + ".");
    }
    return row[static_cast<std::size_t>(x)];
}

template <class T>
PixelAccessor<T> Buffer2D<T>::accessor() const {
    throwIfDisposed();
    return PixelAccessor<T>(chunkStarts_, rowsPerChunk_, width_, height_);
}

template <class T>
bool Buffer2D<T>::tryGetSingleMemory(MemoryGroupView<T>& memory) const {
    throwIfDisposed();
    if (chunkCount() != 1) {
        memory = {};
        return false;
    }
    memory = MemoryGroupView<T>(viewValidity_,
                                {chunkStarts_[0], static_cast<std::size_t>(totalLength())});
    return true;
}

template <class T>
MemoryPin Buffer2D<T>::pin() const {
    throwIfDisposed();
    if (!owner_.isDisposed() && owner_.length() > 0) {
        return owner_.pin();
    }
    if (group_.isValid() && group_.count() > 0) {
        return group_.pin();
    }
    return MemoryPin();
}

template <class T>
void Buffer2D<T>::swapOrCopyContent(Buffer2D& destination, Buffer2D& source) {
    destination.throwIfDisposed();
    source.throwIfDisposed();
    if (destination.swappable_ && source.swappable_) {
        destination.invalidateViews();
        source.invalidateViews();
        std::swap(destination.group_, source.group_);
        std::swap(destination.owner_, source.owner_);
        std::swap(destination.chunkStarts_, source.chunkStarts_);
        std::swap(destination.chunkLengths_, source.chunkLengths_);
        std::swap(destination.rowsPerChunk_, source.rowsPerChunk_);
        std::swap(destination.width_, source.width_);
        std::swap(destination.height_, source.height_);
        return;
    }
    const bool rowsFitChunks =
        destination.chunkCount() == 1 ||
        (destination.rowsPerChunk_ * destination.width_) % source.width_ == 0;
    if (destination.totalLength() != source.totalLength() || !rowsFitChunks) {
        throw InvalidMemoryOperation(kIncompatibleBuffersMessage);
    }
    // Both are laid out as one row-major sequence of totalLength elements; copy it chunk by
    // chunk, whatever the two chunkings are.
    std::size_t destinationChunk = 0;
    std::int64_t destinationOffset = 0;
    for (std::size_t i = 0; i < source.chunkStarts_.size(); ++i) {
        const T* from = source.chunkStarts_[i];
        std::int64_t remaining = source.chunkLengths_[i];
        while (remaining > 0) {
            const std::int64_t room =
                destination.chunkLengths_[destinationChunk] - destinationOffset;
            const std::int64_t count = std::min(room, remaining);
            std::memcpy(
                static_cast<void*>(destination.chunkStarts_[destinationChunk] + destinationOffset),
                from, static_cast<std::size_t>(count) * sizeof(T));
            from += count;
            remaining -= count;
            destinationOffset += count;
            if (destinationOffset == destination.chunkLengths_[destinationChunk]) {
                ++destinationChunk;
                destinationOffset = 0;
            }
        }
    }
    const std::int64_t destinationChunkElements = destination.rowsPerChunk_ * destination.width_;
    destination.width_ = source.width_;
    destination.height_ = source.height_;
    destination.rowsPerChunk_ = destination.chunkCount() == 1
                                    ? destination.height_
                                    : destinationChunkElements / destination.width_;
}

template class Buffer2D<Rgba32>;
template class Buffer2D<Bgra32>;
template class Buffer2D<Rgb24>;
template class Buffer2D<L8>;
template class Buffer2D<L16>;
template class Buffer2D<RgbaVector>;

}  // namespace poolscope
