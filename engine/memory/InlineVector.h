#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

namespace poolscope {

// A vector whose first N elements live inside it. Most buffers are one chunk with one guard,
// and renting one must not cost heap allocations for the lists that describe it: on a warm
// pool those allocations were the largest cost of a rent and return after the locks.
// Holds trivially copyable elements only (chunk descriptions, guard pointers), so that growing
// and moving copy bytes. Move-only; a moved-from vector is empty.
template <class T, std::size_t N>
class InlineVector {
    static_assert(std::is_trivially_copyable_v<T>);
    static_assert(N > 0);

public:
    InlineVector() = default;
    InlineVector(std::initializer_list<T> items) { append(items.begin(), items.size()); }
    // The common case, one chunk or one guard, without the growth checks of append().
    explicit InlineVector(const T& item) : size_(1) { inline_[0] = item; }
    explicit InlineVector(std::span<const T> items) { append(items.data(), items.size()); }
    InlineVector(InlineVector&& other) noexcept { take(other); }
    InlineVector& operator=(InlineVector&& other) noexcept {
        if (this != &other) {
            heap_.reset();
            take(other);
        }
        return *this;
    }
    InlineVector(const InlineVector&) = delete;
    InlineVector& operator=(const InlineVector&) = delete;

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T* data() { return heap_ ? heap_.get() : inline_.data(); }
    const T* data() const { return heap_ ? heap_.get() : inline_.data(); }
    T* begin() { return data(); }
    T* end() { return data() + size_; }
    const T* begin() const { return data(); }
    const T* end() const { return data() + size_; }
    T& operator[](std::size_t index) { return data()[index]; }
    const T& operator[](std::size_t index) const { return data()[index]; }
    operator std::span<const T>() const { return {data(), size_}; }

    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) {
            return;
        }
        auto grown = std::make_unique<T[]>(capacity);
        std::copy_n(data(), size_, grown.get());
        heap_ = std::move(grown);
        capacity_ = capacity;
    }
    void push_back(const T& item) {
        if (size_ == capacity_) {
            reserve(capacity_ * 2);
        }
        data()[size_++] = item;
    }
    // Keeps the capacity, as std::vector::clear does.
    void clear() { size_ = 0; }

private:
    void append(const T* items, std::size_t count) {
        reserve(size_ + count);
        std::copy_n(items, count, data() + size_);
        size_ += count;
    }
    void take(InlineVector& other) noexcept {
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, N);
        heap_ = std::move(other.heap_);
        // The whole inline array, whatever is in use: a fixed-size copy the compiler inlines.
        inline_ = other.inline_;
    }

    std::size_t size_ = 0;
    std::size_t capacity_ = N;
    std::unique_ptr<T[]> heap_;  // null while the elements fit inline_
    std::array<T, N> inline_{};
};

}  // namespace poolscope
