#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

// A reserved range of address space (mmap, no swap reservation): pages become real memory
// when first touched and go back to the OS with decommit(), so a collection that frees memory
// shows in the resident set. Fixed in place for its lifetime, since objects hold raw addresses.
class GcArena {
public:
    // Throws std::bad_alloc when the address space cannot be reserved.
    explicit GcArena(std::size_t reserveBytes);
    ~GcArena();
    GcArena(const GcArena&) = delete;
    GcArena& operator=(const GcArena&) = delete;

    std::byte* begin() const { return base_; }
    std::byte* end() const { return base_ + size_; }
    std::size_t size() const { return size_; }
    bool contains(const void* address) const {
        const auto* byte = static_cast<const std::byte*>(address);
        return byte >= base_ && byte < base_ + size_;
    }

    // Gives the whole pages inside [from, to) back to the OS; they read as zero afterwards.
    void decommit(std::byte* from, std::byte* to) const;

private:
    std::byte* base_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace poolscope
