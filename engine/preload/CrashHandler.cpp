#include "CrashHandler.h"

#include <cerrno>
#include <csignal>

#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

namespace poolscope::preload {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
struct sigaction gPrevious[NSIG];

void onFatalSignal(int signal, siginfo_t* info, void* context) {
    const int savedErrno = errno;
    if (TrackingState::active()) {
        tThread.busy = true;
        Tracker::crashed(signal);
    }
    const struct sigaction& previous = gPrevious[signal];
    if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
               previous.sa_handler != nullptr) {
        previous.sa_handler(signal);
    } else {
        // The default action, once this handler returns: the signal is blocked while it runs.
        struct sigaction fallback {};
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        sigaction(signal, &fallback, nullptr);
        raise(signal);
    }
    errno = savedErrno;
}

}  // namespace

void CrashHandler::install() {
    for (const int signal : kSignals) {
        struct sigaction handler {};
        handler.sa_sigaction = onFatalSignal;
        handler.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&handler.sa_mask);
        sigaction(signal, &handler, &gPrevious[signal]);
    }
}

}  // namespace poolscope::preload
