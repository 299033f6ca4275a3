#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

// The sizes a GcHeap is made with (GcHeap::Settings).
struct GcHeapSettings {
    std::uint64_t gen0BudgetBytes = 256 * 1024;
    std::uint64_t gen1BudgetBytes = 2 * 1024 * 1024;
    // Generation 2 is collected when it grew by this much since its last collection.
    std::uint64_t gen2BudgetBytes = 32 * 1024 * 1024;
    std::uint64_t largeObjectBudgetBytes = 64 * 1024 * 1024;
    std::uint64_t largeObjectThresholdBytes = 85000;
    std::size_t smallObjectReserveBytes = std::size_t{1} << 30;
    std::size_t largeObjectReserveBytes = std::size_t{8} << 30;
    // One GcAllocationSample event per this many bytes allocated (.NET's AllocationTick).
    std::uint64_t allocationSampleBytes = 100 * 1024;
};

}  // namespace poolscope
