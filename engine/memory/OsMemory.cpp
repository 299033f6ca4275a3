#include "memory/OsMemory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <new>
#include <thread>

namespace poolscope::OsMemory {

namespace {

constexpr std::size_t kHugePageBytes = 2u * 1024 * 1024;
// The OS may refuse a mapping while other threads are about to free memory; ImageSharp retries
// an allocation 10 times, 1 ms apart, before giving up.
constexpr int kRetries = 10;

std::atomic<std::int64_t> g_outstandingMappings{0};
std::atomic<std::int64_t> g_outstandingBytes{0};

std::size_t pageSize() {
    static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

std::size_t roundUp(std::size_t value, std::size_t to) {
    return (value + to - 1) / to * to;
}

void* mapAligned(std::size_t length) {
    if (length < kHugePageBytes) {
        void* data =
            mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return data == MAP_FAILED ? nullptr : data;
    }
    // Over-map by one huge page and cut the unaligned head and tail away.
    const std::size_t padded = length + kHugePageBytes;
    void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        return nullptr;
    }
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = roundUp(start, kHugePageBytes);
    if (aligned > start) {
        munmap(raw, aligned - start);
    }
    const std::uintptr_t end = start + padded;
    if (end > aligned + length) {
        munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
    }
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(aligned);
}

}  // namespace

std::byte* map(std::size_t bytes) {
    const std::size_t length = roundUp(bytes == 0 ? 1 : bytes, pageSize());
    for (int attempt = 0;; ++attempt) {
        if (void* data = mapAligned(length)) {
            g_outstandingMappings.fetch_add(1, std::memory_order_relaxed);
            g_outstandingBytes.fetch_add(static_cast<std::int64_t>(length),
                                         std::memory_order_relaxed);
            return static_cast<std::byte*>(data);
        }
        if (attempt + 1 >= kRetries) {
            throw std::bad_alloc();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void unmap(std::byte* data, std::size_t bytes) noexcept {
    if (data == nullptr) {
        return;
    }
    const std::size_t length = roundUp(bytes == 0 ? 1 : bytes, pageSize());
    munmap(data, length);
    g_outstandingMappings.fetch_sub(1, std::memory_order_relaxed);
    g_outstandingBytes.fetch_sub(static_cast<std::int64_t>(length), std::memory_order_relaxed);
}

std::int64_t outstandingMappings() {
    return g_outstandingMappings.load(std::memory_order_relaxed);
}
std::int64_t outstandingBytes() {
    return g_outstandingBytes.load(std::memory_order_relaxed);
}

}  // namespace poolscope::OsMemory
