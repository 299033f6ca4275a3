#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace poolscope {

// Buffers of up to maxBufferBytes, in power-of-two size classes from 16 bytes, each class
// retaining at most buffersPerClass returned buffers (the role .NET's shared ArrayPool plays for
// ImageSharp). Thread-safe.
class SmallBufferPool {
public:
    struct Buffer {
        std::byte* data = nullptr;
        std::size_t capacity = 0;
    };

    SmallBufferPool(std::size_t maxBufferBytes, int buffersPerClass);
    ~SmallBufferPool();
    SmallBufferPool(const SmallBufferPool&) = delete;
    SmallBufferPool& operator=(const SmallBufferPool&) = delete;

    // A buffer of at least `bytes` (<= maxBufferBytes); its contents are whatever they were.
    Buffer rent(std::size_t bytes);
    void giveBack(Buffer buffer) noexcept;
    // Frees every retained buffer; returns how many.
    std::size_t release();

    std::size_t maxBufferBytes() const { return maxBufferBytes_; }
    std::uint64_t retainedBytes() const;

private:
    static constexpr int kMinClassBits = 4;
    static constexpr int kClassCount = 64;
    struct SizeClass {
        mutable std::mutex mutex;
        std::vector<std::byte*> retained;
    };
    static int classOf(std::size_t bytes);

    std::size_t maxBufferBytes_;
    std::size_t buffersPerClass_;
    std::array<SizeClass, kClassCount> classes_;
};

}  // namespace poolscope
