#include "link/LinkSocket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "link/LinkPeer.h"

namespace poolscope {

namespace {

sockaddr_un addressOf(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        throw std::runtime_error("the socket path " + path + " is too long");
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

int waitFor(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd entry{fd, events, 0};
    int ready = 0;
    do {
        ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    return ready;
}

}  // namespace

LinkSocket::~LinkSocket() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

LinkSocket& LinkSocket::operator=(LinkSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = other.release();
    }
    return *this;
}

int LinkSocket::release() {
    return std::exchange(fd_, -1);
}

void LinkSocket::setNonBlocking() {
    const int flags = ::fcntl(fd_, F_GETFL);
    ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

LinkSocket LinkSocket::connectTo(const std::string& path) {
    const sockaddr_un address = addressOf(path);
    LinkSocket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        throw std::runtime_error("cannot make a socket: " + std::string(std::strerror(errno)));
    }
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
    }
    if (const auto refused = LinkPeer::refusal(LinkPeer::credentials(socket.fd()), ::geteuid())) {
        throw std::runtime_error("refused " + path + ": " + *refused);
    }
    return socket;
}

LinkSocket LinkSocket::listenAt(const std::string& path) {
    const sockaddr_un address = addressOf(path);
    LinkSocket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket.valid()) {
        throw std::runtime_error("cannot make a socket: " + std::string(std::strerror(errno)));
    }
    // A socket left by an earlier process of the same pid is stale: it died without cleaning.
    ::unlink(path.c_str());
    // Made 0600 from the start: nobody else can connect between bind and chmod.
    const mode_t previous = ::umask(0177);
    const int bound =
        ::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    const int bindError = errno;
    ::umask(previous);
    if (bound != 0) {
        throw std::runtime_error("cannot listen at " + path + ": " + std::strerror(bindError));
    }
    ::chmod(path.c_str(), 0600);
    if (::listen(socket.fd(), 8) != 0) {
        throw std::runtime_error("cannot listen at " + path + ": " + std::strerror(errno));
    }
    return socket;
}

bool LinkSocket::writeAll(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t count = ::send(fd_, bytes.data() + written, bytes.size() - written,
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
        if (count > 0) {
            written += static_cast<std::size_t>(count);
            continue;
        }
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            waitFor(fd_, POLLOUT, timeout) > 0) {
            continue;
        }
        return false;
    }
    return true;
}

long LinkSocket::readSome(std::span<std::uint8_t> into, std::chrono::milliseconds timeout) {
    for (;;) {
        const ssize_t count = ::recv(fd_, into.data(), into.size(), MSG_DONTWAIT);
        if (count >= 0) {
            return static_cast<long>(count);
        }
        if (errno == EINTR) {
            continue;
        }
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && waitFor(fd_, POLLIN, timeout) > 0) {
            continue;
        }
        return -1;
    }
}

}  // namespace poolscope
