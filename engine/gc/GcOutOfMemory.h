#pragma once

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

namespace poolscope {

// A managed allocation the heap cannot place: still a std::bad_alloc, as callers expect, but
// one whose message names the size asked for and the limit that refused it, as
// InvalidMemoryOperation does for the pools.
class GcOutOfMemory : public std::bad_alloc {
public:
    // An object that does not fit the named heap's reservation even after a full collection.
    static GcOutOfMemory heapFull(const char* heapName, std::uint64_t sizeBytes,
                                  std::uint64_t limitBytes, std::uint64_t inUseBytes);
    // An array whose length is past what the heap's size arithmetic allows.
    static GcOutOfMemory arrayTooLong(const char* elementName, std::uint64_t length,
                                      std::uint64_t limit);

    explicit GcOutOfMemory(const std::string& message) : message_(message) {}
    const char* what() const noexcept override { return message_.what(); }

private:
    // A runtime_error copies without throwing, which an exception's own copy must not do.
    std::runtime_error message_;
};

}  // namespace poolscope
