#pragma once

#include <cstddef>

namespace poolscope {

// Zeroed memory straight from the kernel, for tables that are made large in case they are
// needed and mostly are not: a page costs nothing until it is first touched, where an array
// constructed element by element (new T[n]) faults in and clears every page at once, on the
// thread that makes it. A recording's event queue and stack table are such tables: made as a
// recorded program starts or first allocates, they cost it hundreds of page faults it would
// mostly never have needed.
class ZeroedPages {
public:
    ZeroedPages() = default;
    // Throws std::bad_alloc when the kernel refuses.
    explicit ZeroedPages(std::size_t bytes);
    ~ZeroedPages();
    ZeroedPages(ZeroedPages&& other) noexcept;
    ZeroedPages& operator=(ZeroedPages&& other) noexcept;
    ZeroedPages(const ZeroedPages&) = delete;
    ZeroedPages& operator=(const ZeroedPages&) = delete;

    void* data() const { return data_; }
    std::size_t size() const { return bytes_; }

private:
    void* data_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace poolscope
