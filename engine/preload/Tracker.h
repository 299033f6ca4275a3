#pragma once

#include <cstddef>
#include <cstdint>

#include "native/PreloadWire.h"

namespace poolscope::preload {

// What the hooks report, turned into records: the stack of the call, the thread and the time,
// in the one order of the process. Every record function expects its caller to hold a
// HookScope that tracks (the thread is busy, so what the recording calls passes through).
class Tracker {
public:
    // Makes sure the real functions are known, looking them up on the first call. False on the
    // thread doing the lookup, whose allocations the bootstrap arena serves meanwhile.
    static bool ensureResolved();

    static void heapAllocated(PreloadWire::HeapCall call, const void* address, std::size_t bytes,
                              std::size_t alignment);
    static void heapReleased(PreloadWire::HeapCall call, const void* address);
    static void mapped(const void* address, std::size_t bytes, int protection, int flags, int fd);
    static void unmapped(const void* address, std::size_t bytes);
    static void remapped(const void* oldAddress, std::size_t oldBytes, const void* newAddress,
                         std::size_t newBytes);
    static void descriptorOpened(PreloadWire::DescriptorCall call, int fd, const char* path);
    static void descriptorClosed(PreloadWire::DescriptorCall call, int fd);
    static void forked(std::int64_t childPid);
    // exec: everything buffered leaves before the program image is replaced; a failed exec is
    // reported with its errno and tracking goes on.
    static void aboutToExec();
    static void execFailed(int error);
    // The program ends: the Exit record leaves and tracking stops.
    static void exiting(std::int64_t status);
    static void flush();
    // From a fatal signal's handler: only async-signal-safe calls, bounded waits for the locks.
    static void crashed(int signal);

    // Keeps the stream's descriptor out of [low, high] before the program closes or replaces a
    // number there. True when the descriptor was in the range (and moved).
    static bool protectDescriptors(int low, int high);

    // The library's constructor: starts the flusher thread once tracking.
    static void startFlusher();
    // The library's destructor: the program is ending normally.
    static void finish();
};

}  // namespace poolscope::preload
