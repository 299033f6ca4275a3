#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "imaging/Bgra32.h"
#include "imaging/L16.h"
#include "imaging/L8.h"
#include "imaging/MemoryGroupView.h"
#include "imaging/PixelAccessor.h"
#include "imaging/Rgb24.h"
#include "imaging/Rgba32.h"
#include "imaging/RgbaVector.h"
#include "memory/AllocationOptions.h"
#include "memory/MemoryAllocator.h"
#include "memory/MemoryGroup.h"
#include "memory/MemoryOwner.h"
#include "memory/MemoryPin.h"

namespace poolscope {

// Width x height elements, row-major, over memory in chunks that each hold a whole number of
// rows (ImageSharp's Buffer2D<T>). The memory is one of three kinds:
//  - allocator-made: a MemoryGroup, or one MemoryOwner when a contiguous buffer was asked for.
//    Owned and swappable: a processor that changes the size swaps in a new buffer.
//  - wrapped and owned: a MemoryOwner handed over by the caller, disposed with the buffer.
//  - wrapped and not owned: caller memory; dispose only stops access.
// Wrapped buffers are never swapped (the caller holds the pointer): their content is copied,
// which needs equal total lengths. Move-only; destruction disposes.
template <class T>
class Buffer2D {
public:
    static constexpr const char* kIncompatibleBuffersMessage =
        "Trying to copy/swap incompatible buffers. This is most likely caused by applying an "
        "unsupported processor to wrapped-memory images.";

    // The rows of one chunk, as the per-chunk iterator yields them.
    struct RowChunk {
        int firstRow = 0;
        int rowCount = 0;
        int width = 0;
        std::span<T> pixels;  // rowCount * width elements

        std::span<T> row(int index) const {
            return pixels.subspan(static_cast<std::size_t>(index) * static_cast<std::size_t>(width),
                                  static_cast<std::size_t>(width));
        }
    };

    // Iterates the chunks in row order; each step is one chunk's rows.
    class ChunkIterator {
    public:
        ChunkIterator(const Buffer2D* buffer, int index) : buffer_(buffer), index_(index) {}
        RowChunk operator*() const { return buffer_->rowChunk(index_); }
        ChunkIterator& operator++() {
            ++index_;
            return *this;
        }
        bool operator==(const ChunkIterator& other) const { return index_ == other.index_; }

    private:
        const Buffer2D* buffer_;
        int index_;
    };
    struct ChunkRange {
        const Buffer2D* buffer;
        ChunkIterator begin() const { return {buffer, 0}; }
        ChunkIterator end() const { return {buffer, buffer->chunkCount()}; }
    };

    Buffer2D() = default;
    // Throws std::invalid_argument for non-positive sizes and InvalidMemoryOperation when the
    // allocator refuses. With preferContiguous the buffer is one allocation, as in ImageSharp's
    // Allocate2D (subject to the single-buffer limit, with no fallback to a group).
    static Buffer2D allocate(MemoryAllocator& allocator, int width, int height,
                             bool preferContiguous, AllocationOptions options);
    // Caller-owned memory of at least width * height elements (checked by the caller).
    static Buffer2D wrap(std::span<T> memory, int width, int height);
    // Takes the owner; its memory holds at least width * height elements (checked by the caller).
    static Buffer2D wrap(MemoryOwner owner, int width, int height);

    Buffer2D(Buffer2D&& other) noexcept;
    Buffer2D& operator=(Buffer2D&& other) noexcept;
    Buffer2D(const Buffer2D&) = delete;
    Buffer2D& operator=(const Buffer2D&) = delete;
    ~Buffer2D() { dispose(); }

    int width() const { return width_; }
    int height() const { return height_; }
    std::int64_t totalLength() const { return static_cast<std::int64_t>(width_) * height_; }
    bool isSwappable() const { return swappable_; }
    bool isOwned() const { return owned_; }
    bool isDisposed() const { return disposed_; }

    int chunkCount() const { return static_cast<int>(chunkStarts_.size()); }
    std::int64_t rowsPerChunk() const { return rowsPerChunk_; }
    RowChunk rowChunk(int index) const;
    ChunkRange chunks() const { return {this}; }

    // Throws InvalidMemoryOperation after dispose, std::out_of_range outside the image.
    std::span<T> rowSpan(int y) const;
    T& at(int x, int y) const;
    // Raw row access for processors; valid until dispose or a swap.
    PixelAccessor<T> accessor() const;

    // One memory for the whole buffer, or false when it spans more than one chunk.
    bool tryGetSingleMemory(MemoryGroupView<T>& memory) const;
    // Keeps the memory alive past dispose. Wrapped caller memory has nothing to pin.
    MemoryPin pin() const;
    void dispose();

    // Moves `source`'s content into `destination` (ImageSharp's SwapOrCopyContent): swaps the
    // memory when both are swappable, otherwise copies it, which needs equal total lengths and
    // rows that fit destination's chunks; else InvalidMemoryOperation(kIncompatibleBuffersMessage).
    // Views of memory that changed hands are invalidated. `source` holds the rest afterwards.
    static void swapOrCopyContent(Buffer2D& destination, Buffer2D& source);

    // The allocations holding the pixels: one for a contiguous buffer, one per chunk group
    // guard otherwise, none for wrapped memory.
    std::vector<AllocationId> allocationIds() const;

private:
    void throwIfDisposed() const;
    void invalidateViews();
    void adoptChunks(std::vector<T*> starts, std::vector<std::int64_t> lengths,
                     std::int64_t rowsPerChunk);

    MemoryGroup group_;
    MemoryOwner owner_;
    std::vector<T*> chunkStarts_;
    std::vector<std::int64_t> chunkLengths_;  // elements
    std::int64_t rowsPerChunk_ = 1;
    int width_ = 0;
    int height_ = 0;
    bool swappable_ = false;
    bool owned_ = false;
    bool disposed_ = true;
    std::shared_ptr<std::atomic<bool>> viewValidity_;
};

extern template class Buffer2D<Rgba32>;
extern template class Buffer2D<Bgra32>;
extern template class Buffer2D<Rgb24>;
extern template class Buffer2D<L8>;
extern template class Buffer2D<L16>;
extern template class Buffer2D<RgbaVector>;

}  // namespace poolscope
