#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace poolscope::preload {

// Writes whole packets to the descriptor the launcher gave (the write end of a pipe, or a
// stream socket). The descriptor is non-blocking: a packet that cannot start within its time
// budget is not written at all, so the program never waits long on a reader that fell behind.
// Once a packet has started it is finished (a half packet would tear the stream), waiting longer
// for a reader that still reads.
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
    bool within(int low, int high) const {
        const int fd = fd_.load(std::memory_order_relaxed);
        return fd >= 0 && fd >= low && fd <= high;
    }

    // Moves the descriptor out of [low, high] before the program closes or replaces a number
    // there. The caller holds the channel's writer lock. False when no free number was found.
    bool moveOutOf(int low, int high);

    // Closes the descriptor; a stopped interposer lets the reader see the end of the stream.
    void close();

private:
    std::atomic<int> fd_{-1};
    bool socket_ = false;
};

}  // namespace poolscope::preload
