#include "memory/MemoryAllocatorOptions.h"

#include <stdexcept>
#include <string>

namespace poolscope {

void MemoryAllocatorOptions::validate() const {
    if (maximumPoolSizeMegabytes && *maximumPoolSizeMegabytes < 0) {
        throw std::out_of_range(
            "MemoryAllocatorOptions.maximumPoolSizeMegabytes must be >= 0, got " +
            std::to_string(*maximumPoolSizeMegabytes) + ".");
    }
    if (allocationLimitMegabytes && *allocationLimitMegabytes <= 0) {
        throw std::out_of_range(
            "MemoryAllocatorOptions.allocationLimitMegabytes must be > 0, got " +
            std::to_string(*allocationLimitMegabytes) + ".");
    }
    // Megabytes are multiplied into bytes in 64 bits; refuse values that would overflow.
    constexpr std::int64_t kMaxMegabytes = INT64_MAX / (1024 * 1024);
    if (maximumPoolSizeMegabytes && *maximumPoolSizeMegabytes > kMaxMegabytes) {
        throw std::out_of_range("MemoryAllocatorOptions.maximumPoolSizeMegabytes is too large: " +
                                std::to_string(*maximumPoolSizeMegabytes) + ".");
    }
    if (allocationLimitMegabytes && *allocationLimitMegabytes > kMaxMegabytes) {
        throw std::out_of_range("MemoryAllocatorOptions.allocationLimitMegabytes is too large: " +
                                std::to_string(*allocationLimitMegabytes) + ".");
    }
}

}  // namespace poolscope
