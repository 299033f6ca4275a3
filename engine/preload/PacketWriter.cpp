#include "PacketWriter.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <ctime>

namespace poolscope::preload {

namespace {

// The lowest number the descriptor moves to: above what programs usually hold, so the program
// gets the descriptor numbers it would get untracked.
constexpr int kPreferredLowest = 512;
// How long a packet already started may wait for a reader that stopped reading before the
// stream is given up as torn.
constexpr std::int64_t kTornNanoseconds = 10'000'000'000;
// A pipe of 1 MiB (the unprivileged maximum) takes a burst of packets without waiting.
constexpr int kPipeBytes = 1 << 20;

std::int64_t now() {
    timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return std::int64_t{time.tv_sec} * 1'000'000'000 + time.tv_nsec;
}

int closeDescriptor(int fd) {
    return static_cast<int>(syscall(SYS_close, fd));
}

// Blocks SIGPIPE for one write to a pipe and takes back the SIGPIPE a gone reader raises,
// unless the program had one pending itself.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigset_t pipeOnly;
        sigemptyset(&pipeOnly);
        sigaddset(&pipeOnly, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous_);
        sigset_t pending;
        sigpending(&pending);
        pendingBefore_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeBlock() {
        if (raised_ && !pendingBefore_) {
            sigset_t pipeOnly;
            sigemptyset(&pipeOnly);
            sigaddset(&pipeOnly, SIGPIPE);
            const timespec zero{0, 0};
            sigtimedwait(&pipeOnly, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    void raised() { raised_ = true; }

private:
    sigset_t previous_;
    bool pendingBefore_ = false;
    bool raised_ = false;
};

}  // namespace

bool PacketWriter::adopt(int fd) {
    struct stat status;
    if (fd < 0 || fstat(fd, &status) != 0) {
        return false;
    }
    if (!S_ISFIFO(status.st_mode) && !S_ISSOCK(status.st_mode)) {
        return false;
    }
    const int access = fcntl(fd, F_GETFL);
    if (access < 0 || (access & O_ACCMODE) == O_RDONLY) {
        return false;
    }
    socket_ = S_ISSOCK(status.st_mode);
    int ours = fd;
    rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur > rlim_t{kPreferredLowest} * 2) {
        const int moved = fcntl(fd, F_DUPFD_CLOEXEC, kPreferredLowest);
        if (moved >= 0) {
            closeDescriptor(fd);
            ours = moved;
        }
    }
    fcntl(ours, F_SETFD, FD_CLOEXEC);
    fcntl(ours, F_SETFL, access | O_NONBLOCK);
    if (!socket_) {
        fcntl(ours, F_SETPIPE_SZ, kPipeBytes);
    }
    fd_.store(ours, std::memory_order_relaxed);
    return true;
}

PacketWriter::Outcome PacketWriter::write(const unsigned char* bytes, std::size_t size,
                                          std::int64_t budgetNanoseconds) {
    const int fd = fd_.load(std::memory_order_relaxed);
    if (fd < 0) {
        return Outcome::Broken;
    }
    const std::int64_t start = now();
    std::size_t written = 0;
    SigpipeBlock sigpipe;
    while (written < size) {
        const ssize_t result =
            socket_ ? send(fd, bytes + written, size - written, MSG_NOSIGNAL | MSG_DONTWAIT)
                    : ::write(fd, bytes + written, size - written);
        if (result > 0) {
            written += static_cast<std::size_t>(result);
            continue;
        }
        if (result < 0 && errno == EINTR) {
            continue;
        }
        if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const std::int64_t waited = now() - start;
            const std::int64_t limit = written == 0 ? budgetNanoseconds : kTornNanoseconds;
            if (waited >= limit) {
                return written == 0 ? Outcome::TimedOut : Outcome::Broken;
            }
            pollfd poll{fd, POLLOUT, 0};
            const std::int64_t left = limit - waited;
            ::poll(&poll, 1, static_cast<int>(left / 1'000'000) + 1);
            continue;
        }
        if (result < 0 && errno == EPIPE) {
            sigpipe.raised();
        }
        return Outcome::Broken;
    }
    return Outcome::Written;
}

bool PacketWriter::moveOutOf(int low, int high) {
    const int fd = fd_.load(std::memory_order_relaxed);
    if (fd < low || fd > high) {
        return true;
    }
    // The lowest free number first: a loop closing every descriptor upwards has passed it
    // already, and one closing downwards meets it at most once more.
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (moved >= low && moved <= high) {
        closeDescriptor(moved);
        moved = high < 0x3fffffff ? fcntl(fd, F_DUPFD_CLOEXEC, high + 1) : -1;
    }
    if (moved < 0) {
        return false;
    }
    fd_.store(moved, std::memory_order_relaxed);
    closeDescriptor(fd);
    return true;
}

void PacketWriter::close() {
    const int fd = fd_.exchange(-1, std::memory_order_relaxed);
    if (fd >= 0) {
        closeDescriptor(fd);
    }
}

}  // namespace poolscope::preload
