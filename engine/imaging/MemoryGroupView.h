#pragma once

#include <atomic>
#include <memory>
#include <span>

#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

// A handle on pixel memory that knows when that memory stopped belonging to its image
// (ImageSharp's MemoryGroupView): the image was disposed, or a size-changing processor swapped
// its buffer away. Access after that raises InvalidMemoryOperation instead of reading freed or
// reused memory. It does not keep the memory alive; pin() or processPixelRows do that.
template <class T>
class MemoryGroupView {
public:
    static constexpr const char* kInvalidatedMessage =
        "Can not access an invalidated MemoryGroupView!";

    MemoryGroupView() = default;
    MemoryGroupView(std::shared_ptr<const std::atomic<bool>> validity, std::span<T> memory)
        : validity_(std::move(validity)), memory_(memory) {}

    bool isValid() const { return validity_ && validity_->load(std::memory_order_acquire); }
    std::span<T> span() const {
        if (!isValid()) {
            throw InvalidMemoryOperation(kInvalidatedMessage);
        }
        return memory_;
    }
    std::size_t length() const { return span().size(); }

private:
    std::shared_ptr<const std::atomic<bool>> validity_;
    std::span<T> memory_;
};

}  // namespace poolscope
