#include "gc/GcOutOfMemory.h"

namespace poolscope {

GcOutOfMemory GcOutOfMemory::heapFull(const char* heapName, std::uint64_t sizeBytes,
                                      std::uint64_t limitBytes, std::uint64_t inUseBytes) {
    return GcOutOfMemory("Attempted to allocate a managed object of " + std::to_string(sizeBytes) +
                         " bytes that does not fit the " + heapName + "'s limit of " +
                         std::to_string(limitBytes) + " bytes (" + std::to_string(inUseBytes) +
                         " in use) even after a full collection.");
}

GcOutOfMemory GcOutOfMemory::arrayTooLong(const char* elementName, std::uint64_t length,
                                          std::uint64_t limit) {
    return GcOutOfMemory("Attempted to allocate a " + std::string(elementName) +
                         " array of length=" + std::to_string(length) +
                         " that exceeded the limit " + std::to_string(limit) + ".");
}

}  // namespace poolscope
