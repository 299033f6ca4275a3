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
    // In the child of a fork that ran no pthread_atfork handlers (_Fork): it leaves the stream
    // as fork's child does, with no lock taken (another thread of the parent may have held
    // them, and the child has no such thread to let go of them).
    static void detachForkedChild();
    // exec: everything buffered leaves before the program image is replaced; a failed exec is
    // reported with its errno and tracking goes on. With `follow` (the new image's environment
    // names the stream) the stream stays open across the exec, with the writer held so that no
    // packet is half written when the image goes, and the new image's interposer says hello on
    // it; returns whether it holds the writer, which execFailed() lets go of.
    static bool aboutToExec(bool follow);
    static void execFailed(int error, bool held);
    // The program ends: the Exit record leaves and tracking stops.
    static void exiting(std::int64_t status);
    static void flush();
    // From a fatal signal's handler: only async-signal-safe calls, bounded waits for the locks.
    static void crashed(int signal);

    // The stream's descriptor: the program's close of it is refused quietly (the number sits at
    // the top of the table, where the program's own descriptors never land), a dup2 or dup3
    // onto it moves it first, and a close_range over it is split around it.
    static bool ownsDescriptor(int fd);
    // Whether the caller is the tracked process itself, not a vfork child running on its
    // memory (nor a fork child).
    static bool inTrackedProcess();
    static int streamDescriptor();
    static void moveDescriptorOff(int fd);

    // The C library is about to start the program: registers the handler that writes the Exit
    // record, first of all, so that exit() runs it last, after every library's destructor (a
    // library's destructor that frees what its constructor made must be seen doing so).
    static void programStarting();

    // The library's constructor: starts the flusher thread once tracking.
    static void startFlusher();
    // The library's destructor: the program is ending normally. Other libraries' destructors
    // may still run after it; the Exit record waits for them when programStarting() ran.
    static void finish();
};

}  // namespace poolscope::preload
