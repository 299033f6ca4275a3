#include "memory/SmallBufferPool.h"

#include <bit>
#include <new>

namespace poolscope {

namespace {

constexpr std::align_val_t kAlignment{64};

std::byte* allocateBuffer(std::size_t bytes) {
    return static_cast<std::byte*>(::operator new(bytes, kAlignment));
}

void freeBuffer(std::byte* data) noexcept {
    ::operator delete(data, kAlignment);
}

}  // namespace

SmallBufferPool::SmallBufferPool(std::size_t maxBufferBytes, int buffersPerClass)
    : maxBufferBytes_(maxBufferBytes),
      buffersPerClass_(static_cast<std::size_t>(buffersPerClass < 0 ? 0 : buffersPerClass)) {}

SmallBufferPool::~SmallBufferPool() {
    release();
}

int SmallBufferPool::classOf(std::size_t bytes) {
    const std::size_t rounded =
        std::bit_ceil(bytes < (1u << kMinClassBits) ? (1u << kMinClassBits) : bytes);
    return std::countr_zero(rounded) - kMinClassBits;
}

SmallBufferPool::Buffer SmallBufferPool::rent(std::size_t bytes) {
    const int index = classOf(bytes);
    const std::size_t capacity = std::size_t{1} << (index + kMinClassBits);
    SizeClass& sizeClass = classes_[static_cast<std::size_t>(index)];
    {
        std::lock_guard lock(sizeClass.mutex);
        if (!sizeClass.retained.empty()) {
            std::byte* data = sizeClass.retained.back();
            sizeClass.retained.pop_back();
            return {data, capacity};
        }
    }
    return {allocateBuffer(capacity), capacity};
}

void SmallBufferPool::giveBack(Buffer buffer) noexcept {
    if (buffer.data == nullptr) {
        return;
    }
    SizeClass& sizeClass = classes_[static_cast<std::size_t>(classOf(buffer.capacity))];
    {
        std::lock_guard lock(sizeClass.mutex);
        if (sizeClass.retained.size() < buffersPerClass_) {
            try {
                sizeClass.retained.push_back(buffer.data);
                return;
            } catch (const std::bad_alloc&) {
                // fall through and free it
            }
        }
    }
    freeBuffer(buffer.data);
}

std::size_t SmallBufferPool::release() {
    std::size_t freed = 0;
    for (SizeClass& sizeClass : classes_) {
        std::vector<std::byte*> retained;
        {
            std::lock_guard lock(sizeClass.mutex);
            retained.swap(sizeClass.retained);
        }
        for (std::byte* data : retained) {
            freeBuffer(data);
        }
        freed += retained.size();
    }
    return freed;
}

std::uint64_t SmallBufferPool::retainedBytes() const {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < classes_.size(); ++i) {
        const SizeClass& sizeClass = classes_[i];
        std::lock_guard lock(sizeClass.mutex);
        // The top classes are never used: their sizes (2^60 and up) do not fit a shift.
        if (!sizeClass.retained.empty()) {
            total += sizeClass.retained.size() * (std::uint64_t{1} << (i + kMinClassBits));
        }
    }
    return total;
}

}  // namespace poolscope
