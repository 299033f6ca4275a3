#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace poolscope {

// While one lives, SIGINT and SIGTERM ask for a cancel instead of ending the process: the
// handler only writes the signal's number to a pipe, and a thread of this object reads it and
// calls onSignal, where any work is allowed. The handler is one-shot (SA_RESETHAND): a second
// Ctrl+C ends the process the default way, so a run that does not stop can still be stopped.
// One at a time per process.
class SignalCancellation {
public:
    explicit SignalCancellation(std::function<void()> onSignal);
    // Puts the handlers back as they were.
    ~SignalCancellation();
    SignalCancellation(const SignalCancellation&) = delete;
    SignalCancellation& operator=(const SignalCancellation&) = delete;

    // The signal that asked for the cancel, 0 while none did.
    int signalNumber() const { return signal_.load(); }

private:
    void watch();

    std::function<void()> onSignal_;
    std::atomic<int> signal_{0};
    struct sigaction previousInterrupt_ {};
    struct sigaction previousTerminate_ {};
    std::thread watcher_;
};

}  // namespace poolscope
