#include "BootstrapArena.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace poolscope::preload {

namespace {

// dlsym needs a few hundred bytes; the rest is room for other libraries' constructors that
// allocate on the resolving thread.
constexpr std::size_t kArenaBytes = 64 * 1024;
constexpr std::size_t kHeaderBytes = 16;

alignas(64) unsigned char gArena[kArenaBytes];
std::atomic<std::size_t> gUsed{0};

}  // namespace

void* BootstrapArena::allocate(std::size_t bytes, std::size_t alignment) {
    if (alignment < kHeaderBytes) {
        alignment = kHeaderBytes;
    }
    std::size_t used = gUsed.load(std::memory_order_relaxed);
    for (;;) {
        const std::size_t start = (used + kHeaderBytes + alignment - 1) & ~(alignment - 1);
        const std::size_t end = start + bytes;
        if (end > kArenaBytes || end < start) {
            // Nothing can be allocated yet and nothing allocated can be given back: a program
            // that needs more before its allocator is reachable cannot run under the interposer.
            std::abort();
        }
        if (gUsed.compare_exchange_weak(used, end, std::memory_order_relaxed)) {
            const std::uint64_t size = bytes;
            std::memcpy(gArena + start - kHeaderBytes, &size, sizeof size);
            return gArena + start;
        }
    }
}

bool BootstrapArena::owns(const void* pointer) {
    const auto* bytes = static_cast<const unsigned char*>(pointer);
    return bytes >= gArena && bytes < gArena + kArenaBytes;
}

std::size_t BootstrapArena::blockBytes(const void* pointer) {
    std::uint64_t size;
    std::memcpy(&size, static_cast<const unsigned char*>(pointer) - kHeaderBytes, sizeof size);
    return size;
}

}  // namespace poolscope::preload
