#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace poolscope::preload {

// Writes whole packets to the descriptor the launcher gave (the write end of a pipe, or a
// stream socket). The descriptor sits at the top of the table (the highest free number under
// 1024), where the kernel, which hands out the lowest free number, never puts the program's. The
// descriptor is non-blocking: a packet that cannot start within its time budget is not written at
// all, so the program never waits long on a reader that fell behind. Once a packet has started it
// is finished (a half packet would tear the stream), waiting longer for a reader that still reads.
//
// A pipe has no MSG_NOSIGNAL: SIGPIPE is blocked around the write and the one a gone reader
// raised is taken back, so the program never sees a signal of ours. A socket is written with
// MSG_NOSIGNAL instead.
class PacketWriter {
public:
    enum class Outcome { Written, TimedOut, Broken };

    // Takes `fd` when it is a pipe or socket open for writing, moves it off the low numbers the
    // program will use, and makes it non-blocking and close-on-exec. False leaves it alone.
    bool adopt(int fd);

    Outcome write(const unsigned char* bytes, std::size_t size, std::int64_t budgetNanoseconds);

    bool owns(int fd) const { return fd >= 0 && fd == fd_.load(std::memory_order_relaxed); }
    int descriptor() const { return fd_.load(std::memory_order_relaxed); }

    // Moves the descriptor to another number before the program replaces this one (dup2,
    // dup3). The caller holds the channel's writer lock. False when no number was free.
    bool moveAway();

    // Moves a descriptor the interposer's own helpers opened (libunwind's pipe) to the top of
    // the table, out of the way of the program's numbers; returns its new number.
    static int moveToTop(int fd);

    // Closes the descriptor; a stopped interposer lets the reader see the end of the stream.
    void close();

private:
    std::atomic<int> fd_{-1};
    // Whether a packet of `size` fits the pipe whole now; without room for a whole packet,
    // a write would be cut short and the rest would have to wait.
    bool pipeHasRoom(int fd, std::size_t size) const;

    bool socket_ = false;
    std::size_t pipeBytes_ = 0;
};

}  // namespace poolscope::preload
