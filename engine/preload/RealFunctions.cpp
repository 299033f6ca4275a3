#include "RealFunctions.h"

#include <dlfcn.h>

namespace poolscope::preload {

RealFunctions real;

namespace {

template <typename Function>
void find(Function& function, const char* name) {
    function = reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

}  // namespace

void RealFunctions::resolve() {
    find(malloc, "malloc");
    find(calloc, "calloc");
    find(realloc, "realloc");
    find(free, "free");
    find(posixMemalign, "posix_memalign");
    find(alignedAlloc, "aligned_alloc");
    find(memalign, "memalign");
    find(valloc, "valloc");
    find(pvalloc, "pvalloc");
    find(mallocUsableSize, "malloc_usable_size");
    find(operatorNew, "_Znwm");
    find(operatorNewNothrow, "_ZnwmRKSt9nothrow_t");
    find(operatorNewAligned, "_ZnwmSt11align_val_t");
    find(operatorNewAlignedNothrow, "_ZnwmSt11align_val_tRKSt9nothrow_t");

    find(mmap, "mmap");
    find(munmap, "munmap");
    find(mremap, "mremap");

    find(open, "open");
    find(open64, "open64");
    find(openat, "openat");
    find(openat64, "openat64");
    find(creat, "creat");
    find(creat64, "creat64");
    find(socket, "socket");
    find(accept, "accept");
    find(accept4, "accept4");
    find(pipe, "pipe");
    find(pipe2, "pipe2");
    find(dup, "dup");
    find(dup2, "dup2");
    find(dup3, "dup3");
    find(eventfd, "eventfd");
    find(fopen, "fopen");
    find(fopen64, "fopen64");
    find(fdopen, "fdopen");
    find(close, "close");
    find(fclose, "fclose");
    find(closeRange, "close_range");
    find(closefrom, "closefrom");

    find(libcStartMain, "__libc_start_main");
    find(fork, "fork");
    find(underscoreFork, "_Fork");
    find(execve, "execve");
    find(execv, "execv");
    find(execvp, "execvp");
    find(execvpe, "execvpe");
    find(fexecve, "fexecve");
    find(exit, "exit");
    find(underscoreExit, "_exit");
    find(underscoreCapitalExit, "_Exit");
}

}  // namespace poolscope::preload
