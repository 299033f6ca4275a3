// The calls that open and close descriptors. An open is recorded after the call (the number is
// known then), a close before it (from then on the number may be handed out again). The
// stream's own descriptor is never closed under the interposer: a close, dup2 or dup3 aimed at
// its number moves it elsewhere first, so the program's call does what it asked.
#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "HookExport.h"
#include "RealFunctions.h"
#include "ThreadState.h"
#include "Tracker.h"
#include "TrackingState.h"

using poolscope::preload::HookScope;
using poolscope::preload::real;
using poolscope::preload::Tracker;
using poolscope::preload::TrackingState;
using poolscope::PreloadWire::DescriptorCall;

namespace {

inline void ensure() {
    if (!TrackingState::resolved()) {
        Tracker::ensureResolved();
    }
}

bool isOpen(int fd) {
    return fcntl(fd, F_GETFD) >= 0;
}

int opened(HookScope& scope, DescriptorCall call, int fd, const char* path = nullptr) {
    if (scope.tracking() && fd >= 0) {
        const int saved = errno;
        Tracker::descriptorOpened(call, fd, path);
        errno = saved;
    }
    return fd;
}

mode_t modeArgument(int flags, va_list arguments) {
    const bool creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
    return creates ? static_cast<mode_t>(va_arg(arguments, int)) : 0;
}

// Records the closing of every open descriptor in [first, last], for close_range and closefrom.
void closingRange(unsigned int first, unsigned int last) {
    DIR* directory = opendir("/proc/self/fd");
    if (directory == nullptr) {
        return;
    }
    const int own = dirfd(directory);
    while (const dirent* entry = readdir(directory)) {
        char* end = nullptr;
        const long fd = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || entry->d_name[0] == '\0' || fd == own || fd < long{first} ||
            fd > long{last}) {
            continue;
        }
        Tracker::descriptorClosed(DescriptorCall::Close, static_cast<int>(fd));
    }
    closedir(directory);
}

}  // namespace

POOLSCOPE_HOOK int open(const char* path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    const mode_t mode = modeArgument(flags, arguments);
    va_end(arguments);
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.open(path, flags, mode), path);
}

POOLSCOPE_HOOK int open64(const char* path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    const mode_t mode = modeArgument(flags, arguments);
    va_end(arguments);
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.open64(path, flags, mode), path);
}

POOLSCOPE_HOOK int openat(int directory, const char* path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    const mode_t mode = modeArgument(flags, arguments);
    va_end(arguments);
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.openat(directory, path, flags, mode), path);
}

POOLSCOPE_HOOK int openat64(int directory, const char* path, int flags, ...) {
    va_list arguments;
    va_start(arguments, flags);
    const mode_t mode = modeArgument(flags, arguments);
    va_end(arguments);
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.openat64(directory, path, flags, mode), path);
}

POOLSCOPE_HOOK int creat(const char* path, mode_t mode) {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.creat(path, mode), path);
}

POOLSCOPE_HOOK int creat64(const char* path, mode_t mode) {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Open, real.creat64(path, mode), path);
}

POOLSCOPE_HOOK int socket(int domain, int type, int protocol) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Socket, real.socket(domain, type, protocol));
}

POOLSCOPE_HOOK int accept(int fd, sockaddr* address, socklen_t* length) {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Accept, real.accept(fd, address, length));
}

POOLSCOPE_HOOK int accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Accept, real.accept4(fd, address, length, flags));
}

POOLSCOPE_HOOK int pipe(int fds[2]) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    const int result = real.pipe(fds);
    if (result == 0) {
        opened(scope, DescriptorCall::Pipe, fds[0]);
        opened(scope, DescriptorCall::Pipe, fds[1]);
    }
    return result;
}

POOLSCOPE_HOOK int pipe2(int fds[2], int flags) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    const int result = real.pipe2(fds, flags);
    if (result == 0) {
        opened(scope, DescriptorCall::Pipe, fds[0]);
        opened(scope, DescriptorCall::Pipe, fds[1]);
    }
    return result;
}

POOLSCOPE_HOOK int dup(int fd) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::Dup, real.dup(fd));
}

// dup2 and dup3 close `target` first when it is open: recorded as a close and an open.
POOLSCOPE_HOOK int dup2(int fd, int target) noexcept {
    ensure();
    Tracker::protectDescriptors(target, target);
    HookScope scope(TrackingState::active());
    const bool replaces = scope.tracking() && target != fd && isOpen(target);
    if (replaces) {
        Tracker::descriptorClosed(DescriptorCall::Dup, target);
    }
    const int result = real.dup2(fd, target);
    return result == fd && fd == target ? result : opened(scope, DescriptorCall::Dup, result);
}

POOLSCOPE_HOOK int dup3(int fd, int target, int flags) noexcept {
    ensure();
    Tracker::protectDescriptors(target, target);
    HookScope scope(TrackingState::active());
    if (scope.tracking() && target != fd && isOpen(target)) {
        Tracker::descriptorClosed(DescriptorCall::Dup, target);
    }
    return opened(scope, DescriptorCall::Dup, real.dup3(fd, target, flags));
}

POOLSCOPE_HOOK int eventfd(unsigned int count, int flags) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    return opened(scope, DescriptorCall::EventFd, real.eventfd(count, flags));
}

POOLSCOPE_HOOK FILE* fopen(const char* path, const char* mode) {
    ensure();
    HookScope scope(TrackingState::active());
    FILE* file = real.fopen(path, mode);
    if (file != nullptr) {
        opened(scope, DescriptorCall::Fopen, fileno(file), path);
    }
    return file;
}

POOLSCOPE_HOOK FILE* fopen64(const char* path, const char* mode) {
    ensure();
    HookScope scope(TrackingState::active());
    FILE* file = real.fopen64(path, mode);
    if (file != nullptr) {
        opened(scope, DescriptorCall::Fopen, fileno(file), path);
    }
    return file;
}

// The descriptor was open already; it is announced again, now under a FILE.
POOLSCOPE_HOOK FILE* fdopen(int fd, const char* mode) noexcept {
    ensure();
    HookScope scope(TrackingState::active());
    FILE* file = real.fdopen(fd, mode);
    if (file != nullptr) {
        opened(scope, DescriptorCall::Fopen, fd);
    }
    return file;
}

POOLSCOPE_HOOK int close(int fd) {
    ensure();
    if (Tracker::protectDescriptors(fd, fd)) {
        // The stream's descriptor moved off this number and the number is closed: what the
        // program asked for.
        return 0;
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking() && isOpen(fd)) {
        Tracker::descriptorClosed(DescriptorCall::Close, fd);
    }
    return real.close(fd);
}

POOLSCOPE_HOOK int fclose(FILE* file) {
    ensure();
    HookScope scope(TrackingState::active());
    if (scope.tracking() && file != nullptr) {
        const int fd = fileno(file);
        if (fd >= 0) {
            Tracker::descriptorClosed(DescriptorCall::Fclose, fd);
        }
    }
    return real.fclose(file);
}

POOLSCOPE_HOOK int close_range(unsigned int first, unsigned int last, int flags) noexcept {
    ensure();
    const int high = last > 0x7fffffffu ? 0x7fffffff : static_cast<int>(last);
    if ((flags & CLOSE_RANGE_CLOEXEC) == 0 && first <= 0x7fffffffu) {
        Tracker::protectDescriptors(static_cast<int>(first), high);
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking() && (flags & CLOSE_RANGE_CLOEXEC) == 0) {
        closingRange(first, last);
    }
    return real.closeRange(first, last, flags);
}

POOLSCOPE_HOOK void closefrom(int first) noexcept {
    ensure();
    if (first >= 0) {
        Tracker::protectDescriptors(first, 0x7fffffff);
    }
    HookScope scope(TrackingState::active());
    if (scope.tracking() && first >= 0) {
        closingRange(static_cast<unsigned int>(first), ~0u);
    }
    real.closefrom(first);
}
