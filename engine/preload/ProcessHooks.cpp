// The process's life: fork (the parent records the child, the child stops tracking in the
// pthread_atfork handler), exec (everything buffered leaves first; the new image is followed on
// the same stream when its environment still names the stream: the descriptor is kept open
// across that exec and the variable set to the number it has now, since the interposer moved it
// off the one the launcher gave; otherwise the descriptor is close-on-exec and the new image
// finds no stream), _exit, and the library's constructor and destructor, which start the
// flusher and write the Exit record.
//
// vfork is not hooked: its child shares the parent's memory and stack until it execs or exits,
// so it must not touch the interposer's state; it runs untracked (and only async-signal-safe
// calls are allowed there anyway). posix_spawn and system() create their child that way too,
// and exec it from inside the C library, past these hooks: the program they start inherits the
// stream's variables but not the stream, so its interposer stays inert (kStreamVariable).
// Children made by a raw clone system call, past fork and _Fork, are not detached.
#include <unistd.h>
#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "HookExport.h"
#include "HookScope.h"
#include "RealFunctions.h"
#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

namespace wire = poolscope::PreloadWire;

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

// Exec environments longer than this are passed on as they are (the new image is not
// followed): the copy lives on the stack of a thread that may have little of it.
constexpr std::size_t kMaxFollowedEnvironment = 4096;

// `exec(environment)` replaces the image. The copy of the environment that follows the new
// image, when there is one, lives in this frame: exec reads it before the frame goes.
template <typename Exec>
int execute(char* const* environment, Exec exec) {
    ensure();
    // A vfork child shares the program's thread memory: a HookScope there marks the program's
    // thread busy, and an exec that works never gets to unmark it.
    if (!TrackingState::active() || !Tracker::inTrackedProcess()) {
        return exec(environment);
    }
    HookScope scope(true);
    if (!scope.tracking()) {
        return exec(environment);
    }
    const std::size_t nameBytes = std::strlen(wire::kFdVariable);
    std::size_t count = 0;
    std::size_t at = kMaxFollowedEnvironment;
    for (; environment != nullptr && environment[count] != nullptr; ++count) {
        const char* entry = environment[count];
        if (at == kMaxFollowedEnvironment &&
            std::strncmp(entry, wire::kFdVariable, nameBytes) == 0 && entry[nameBytes] == '=') {
            at = count;
        }
    }
    const int stream = Tracker::streamDescriptor();
    char variable[64];
    char* const* passed = environment;
    if (stream >= 0 && at < kMaxFollowedEnvironment && count < kMaxFollowedEnvironment) {
        auto** copy = static_cast<char**>(__builtin_alloca((count + 1) * sizeof(char*)));
        std::memcpy(copy, environment, count * sizeof(char*));
        copy[count] = nullptr;
        // By hand: printf's family may allocate.
        char digits[16];
        std::size_t length = 0;
        for (unsigned value = static_cast<unsigned>(stream); length == 0 || value != 0;
             value /= 10) {
            digits[length++] = static_cast<char>('0' + value % 10);
        }
        std::memcpy(variable, wire::kFdVariable, nameBytes);
        variable[nameBytes] = '=';
        for (std::size_t i = 0; i < length; ++i) {
            variable[nameBytes + 1 + i] = digits[length - 1 - i];
        }
        variable[nameBytes + 1 + length] = '\0';
        copy[at] = variable;
        passed = copy;
    }
    const bool held = Tracker::aboutToExec(passed != environment);
    const int result = exec(passed);
    const int error = errno;
    Tracker::execFailed(error, held);
    errno = error;
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

// _Fork forks without the pthread_atfork handlers, which is where fork's child leaves the
// stream: its child leaves it here instead, before it runs anything of the program's.
POOLSCOPE_HOOK pid_t _Fork() noexcept {
    ensure();
    if (real.underscoreFork == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    HookScope scope(TrackingState::active());
    const pid_t child = real.underscoreFork();
    if (child == 0) {
        Tracker::detachForkedChild();
    } else if (scope.tracking() && child > 0) {
        Tracker::forked(child);
    }
    return child;
}

POOLSCOPE_HOOK int execve(const char* path, char* const* arguments,
                          char* const* environment) noexcept {
    return execute(environment,
                   [&](char* const* passed) { return real.execve(path, arguments, passed); });
}

POOLSCOPE_HOOK int execv(const char* path, char* const* arguments) noexcept {
    return execute(environ,
                   [&](char* const* passed) { return real.execve(path, arguments, passed); });
}

POOLSCOPE_HOOK int execvp(const char* file, char* const* arguments) noexcept {
    return execute(environ,
                   [&](char* const* passed) { return real.execvpe(file, arguments, passed); });
}

POOLSCOPE_HOOK int execvpe(const char* file, char* const* arguments,
                           char* const* environment) noexcept {
    return execute(environment,
                   [&](char* const* passed) { return real.execvpe(file, arguments, passed); });
}

POOLSCOPE_HOOK int fexecve(int fd, char* const* arguments, char* const* environment) noexcept {
    return execute(environment,
                   [&](char* const* passed) { return real.fexecve(fd, arguments, passed); });
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
    return execute(environ, [&](char* const* passed) { return real.execve(path, list, passed); });
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
    return execute(environ, [&](char* const* passed) { return real.execvpe(file, list, passed); });
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
    return execute(environment,
                   [&](char* const* passed) { return real.execve(path, list, passed); });
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

using MainFunction = int (*)(int, char**, char**);

// The C library's entry into the program, wrapped to register the Exit record's handler before
// the C library registers the loader's finalization (see Tracker::programStarting).
POOLSCOPE_HOOK int __libc_start_main(MainFunction main, int argc, char** argv, void (*init)(),
                                     void (*fini)(), void (*loaderFini)(), void* stackEnd) {
    ensure();
    if (TrackingState::active()) {
        HookScope scope(true);
        Tracker::programStarting();
    }
    return real.libcStartMain(main, argc, argv, init, fini, loaderFini, stackEnd);
}

__attribute__((constructor)) static void poolscopePreloadLoaded() {
    Tracker::startFlusher();
}

__attribute__((destructor)) static void poolscopePreloadUnloading() {
    Tracker::finish();
}
