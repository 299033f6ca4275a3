#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace poolscope {

// An owned file descriptor of a Unix domain stream socket, closed with it.
class LinkSocket {
public:
    LinkSocket() = default;
    explicit LinkSocket(int fd) : fd_(fd) {}
    ~LinkSocket();
    LinkSocket(LinkSocket&& other) noexcept : fd_(other.release()) {}
    LinkSocket& operator=(LinkSocket&& other) noexcept;
    LinkSocket(const LinkSocket&) = delete;
    LinkSocket& operator=(const LinkSocket&) = delete;

    // Connected to the socket at `path`, checked to be of this user; throws std::runtime_error
    // naming the path and what went wrong.
    static LinkSocket connectTo(const std::string& path);
    // Listening at `path` (replacing a stale socket there), mode 0600, non-blocking.
    static LinkSocket listenAt(const std::string& path);

    int fd() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release();
    void setNonBlocking();

    // Writes everything, waiting at most `timeout` for room; false when the peer is gone or
    // too slow.
    bool writeAll(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);
    // Reads what has come, waiting at most `timeout` for something: the count read, 0 at the
    // end of the stream, -1 when nothing came in time or the connection failed.
    long readSome(std::span<std::uint8_t> into, std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
};

}  // namespace poolscope
