#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace poolscope {

// Row access to a 2-D pixel buffer whose rows live in chunks of rowsPerChunk rows each; a row
// never straddles two chunks. It holds raw pointers only: whoever hands it out keeps the memory
// alive (processPixelRows pins it; processors own the image while they run). Copyable and
// cheap to read from many threads.
template <class T>
class PixelAccessor {
public:
    PixelAccessor() = default;
    PixelAccessor(std::vector<T*> chunkStarts, std::int64_t rowsPerChunk, int width, int height)
        : chunkStarts_(std::move(chunkStarts)),
          rowsPerChunk_(rowsPerChunk),
          width_(width),
          height_(height) {}

    int width() const { return width_; }
    int height() const { return height_; }

    // Checked: y outside the image raises std::out_of_range.
    std::span<T> getRowSpan(int y) const {
        if (y < 0 || y >= height_) {
            throw std::out_of_range("Row " + std::to_string(y) + " is outside 0.." +
                                    std::to_string(height_ - 1) + ".");
        }
        return {row(y), static_cast<std::size_t>(width_)};
    }
    // Unchecked, for processors' inner loops that iterate known-valid rows.
    T* row(int y) const {
        return chunkStarts_[static_cast<std::size_t>(y / rowsPerChunk_)] +
               (y % rowsPerChunk_) * static_cast<std::int64_t>(width_);
    }

private:
    std::vector<T*> chunkStarts_;
    std::int64_t rowsPerChunk_ = 1;
    int width_ = 0;
    int height_ = 0;
};

}  // namespace poolscope
