#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gc/GcObjectHeader.h"

namespace poolscope {

// A copy of the managed heap at one moment, for the GUI and the tests: every object with its
// generation, address, size and outgoing references, and the LOH's free blocks, whose pattern
// is its fragmentation.
struct GcHeapSnapshot {
    static constexpr int kLargeObjectHeap = 3;  // the generation reported for LOH objects

    struct Object {
        std::uintptr_t address = 0;
        std::uint64_t sizeBytes = 0;
        GcTypeId typeId = 0;
        std::string typeName;
        int generation = 0;
        bool finalizerRegistered = false;
        std::vector<std::uintptr_t> references;  // non-null reference fields, in field order
    };
    struct FreeBlock {
        std::uintptr_t address = 0;
        std::uint64_t sizeBytes = 0;
    };

    std::vector<Object> objects;  // in address order, small object heap first
    std::vector<FreeBlock> largeObjectFreeBlocks;
    std::uint64_t generationBytes[4] = {0, 0, 0, 0};  // gen 0, 1, 2, LOH (objects and gaps)
    std::uint64_t largeObjectFreeBytes = 0;
};

}  // namespace poolscope
