#pragma once

#include <cstdint>

namespace poolscope {

enum class AllocationOptions : std::uint8_t {
    None = 0,
    // Zero the memory. Without it, pooled memory may hold what its previous user wrote.
    Clean = 1,
};

inline bool hasFlag(AllocationOptions options, AllocationOptions flag) {
    return (static_cast<std::uint8_t>(options) & static_cast<std::uint8_t>(flag)) != 0;
}

}  // namespace poolscope
