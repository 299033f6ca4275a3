#include "base/ZeroedPages.h"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace poolscope {

ZeroedPages::ZeroedPages(std::size_t bytes) : bytes_(bytes) {
    if (bytes == 0) {
        return;
    }
    void* pages = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) {
        throw std::bad_alloc();
    }
    data_ = pages;
}

ZeroedPages::~ZeroedPages() {
    if (data_ != nullptr) {
        munmap(data_, bytes_);
    }
}

ZeroedPages::ZeroedPages(ZeroedPages&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

ZeroedPages& ZeroedPages::operator=(ZeroedPages&& other) noexcept {
    if (this != &other) {
        ZeroedPages old(std::move(*this));
        data_ = std::exchange(other.data_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

}  // namespace poolscope
