// The process's life: fork (the parent records the child, the child stops tracking in the
// pthread_atfork handler), exec (everything buffered leaves first; the stream's descriptor is
// close-on-exec, so the new image finds no stream), _exit, and the library's constructor and
// destructor, which start the flusher and write the Exit record.
//
// vfork is not hooked: its child shares the parent's memory and stack until it execs or exits,
// so it must not touch the interposer's state; it runs untracked (and only async-signal-safe
// calls are allowed there anyway). posix_spawn and system() create their child that way too.
#include <unistd.h>
#include <cerrno>
#include <cstdarg>

#include "HookExport.h"
#include "RealFunctions.h"
#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

using poolscope::preload::HookScope;
using poolscope::preload::real;
using poolscope::preload::Tracker;
using poolscope::preload::TrackingState;

namespace {

inline void ensure() {
    if (!TrackingState::resolved()) {
        Tracker::ensureResolved();
    }
}

template <typename Exec>
int execute(Exec exec) {
    ensure();
    HookScope scope(TrackingState::active());
    if (scope.tracking()) {
        Tracker::aboutToExec();
    }
    const int result = exec();
    if (scope.tracking()) {
        const int error = errno;
        Tracker::execFailed(error);
        errno = error;
    }
    return result;
}

// The arguments of execl, execlp and execle after `first`, up to and with the terminating null,
// into `into` (which holds `count` + 1); countArguments() says how many there are.
std::size_t countArguments(va_list arguments) {
    std::size_t count = 1;
    while (va_arg(arguments, const char*) != nullptr) {
        ++count;
    }
    return count;
}

void collectArguments(const char* first, va_list arguments, char** into, std::size_t count) {
    into[0] = const_cast<char*>(first);
    for (std::size_t i = 1; i <= count; ++i) {
        into[i] = va_arg(arguments, char*);
    }
}

}  // namespace

POOLSCOPE_HOOK pid_t fork() noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    const pid_t child = real.fork();
    if (scope.tracking() && child > 0) {
        Tracker::forked(child);
    }
    return child;
}

POOLSCOPE_HOOK int execve(const char* path, char* const* arguments,
                          char* const* environment) noexcept {
    return execute([&] { return real.execve(path, arguments, environment); });
}

POOLSCOPE_HOOK int execv(const char* path, char* const* arguments) noexcept {
    return execute([&] { return real.execv(path, arguments); });
}

POOLSCOPE_HOOK int execvp(const char* file, char* const* arguments) noexcept {
    return execute([&] { return real.execvp(file, arguments); });
}

POOLSCOPE_HOOK int execvpe(const char* file, char* const* arguments,
                           char* const* environment) noexcept {
    return execute([&] { return real.execvpe(file, arguments, environment); });
}

POOLSCOPE_HOOK int fexecve(int fd, char* const* arguments, char* const* environment) noexcept {
    return execute([&] { return real.fexecve(fd, arguments, environment); });
}

POOLSCOPE_HOOK int execl(const char* path, const char* first, ...) noexcept {
    va_list arguments;
    va_start(arguments, first);
    va_list counting;
    va_copy(counting, arguments);
    const std::size_t count = countArguments(counting);
    va_end(counting);
    auto** list = static_cast<char**>(__builtin_alloca((count + 1) * sizeof(char*)));
    collectArguments(first, arguments, list, count);
    va_end(arguments);
    return execute([&] { return real.execv(path, list); });
}

POOLSCOPE_HOOK int execlp(const char* file, const char* first, ...) noexcept {
    va_list arguments;
    va_start(arguments, first);
    va_list counting;
    va_copy(counting, arguments);
    const std::size_t count = countArguments(counting);
    va_end(counting);
    auto** list = static_cast<char**>(__builtin_alloca((count + 1) * sizeof(char*)));
    collectArguments(first, arguments, list, count);
    va_end(arguments);
    return execute([&] { return real.execvp(file, list); });
}

POOLSCOPE_HOOK int execle(const char* path, const char* first, ...) noexcept {
    va_list arguments;
    va_start(arguments, first);
    va_list counting;
    va_copy(counting, arguments);
    const std::size_t count = countArguments(counting);
    va_end(counting);
    auto** list = static_cast<char**>(__builtin_alloca((count + 1) * sizeof(char*)));
    collectArguments(first, arguments, list, count);
    char* const* environment = va_arg(arguments, char* const*);
    va_end(arguments);
    return execute([&] { return real.execve(path, list, environment); });
}

POOLSCOPE_HOOK void _exit(int status) {
    ensure();
    {
        HookScope scope(TrackingState::active());
        if (scope.tracking()) {
            Tracker::exiting(status);
        }
    }
    real.underscoreExit(status);
    __builtin_unreachable();
}

POOLSCOPE_HOOK void _Exit(int status) noexcept {
    ensure();
    {
        HookScope scope(TrackingState::active());
        if (scope.tracking()) {
            Tracker::exiting(status);
        }
    }
    real.underscoreCapitalExit(status);
    __builtin_unreachable();
}

__attribute__((constructor)) static void poolscopePreloadLoaded() {
    Tracker::startFlusher();
}

__attribute__((destructor)) static void poolscopePreloadUnloading() {
    Tracker::finish();
}
