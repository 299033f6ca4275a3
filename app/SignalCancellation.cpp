#include "SignalCancellation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace poolscope {

namespace {

// The pipe the handler writes to: a handler can reach no object.
int pipeEnds[2] = {-1, -1};

// Only async-signal-safe calls here: write() and errno.
extern "C" void onCancelSignal(int number) {
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(number);
    [[maybe_unused]] const ssize_t written = write(pipeEnds[1], &byte, 1);
    errno = savedErrno;
}

}  // namespace

SignalCancellation::SignalCancellation(std::function<void()> onSignal)
    : onSignal_(std::move(onSignal)) {
    if (pipe2(pipeEnds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot make the signal pipe");
    }
    watcher_ = std::thread([this] { watch(); });
    struct sigaction action {};
    action.sa_handler = onCancelSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &action, &previousInterrupt_);
    sigaction(SIGTERM, &action, &previousTerminate_);
}

SignalCancellation::~SignalCancellation() {
    sigaction(SIGINT, &previousInterrupt_, nullptr);
    sigaction(SIGTERM, &previousTerminate_, nullptr);
    // 0 is no signal: it tells the watcher to stop.
    const unsigned char stop = 0;
    [[maybe_unused]] const ssize_t written = write(pipeEnds[1], &stop, 1);
    watcher_.join();
    close(pipeEnds[0]);
    close(pipeEnds[1]);
    pipeEnds[0] = pipeEnds[1] = -1;
}

void SignalCancellation::watch() {
    for (;;) {
        unsigned char byte = 0;
        const ssize_t got = read(pipeEnds[0], &byte, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0 || byte == 0) {
            return;
        }
        if (signal_.exchange(byte) == 0) {
            onSignal_();
        }
    }
}

}  // namespace poolscope
