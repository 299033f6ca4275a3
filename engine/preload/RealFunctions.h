#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdio>

namespace poolscope::preload {

// The functions the hooks stand in for, found with dlsym(RTLD_NEXT) so that another allocator
// preloaded or linked after the interposer (jemalloc, tcmalloc) is the one called.
struct RealFunctions {
    void* (*malloc)(std::size_t);
    void* (*calloc)(std::size_t, std::size_t);
    void* (*realloc)(void*, std::size_t);
    void (*free)(void*);
    int (*posixMemalign)(void**, std::size_t, std::size_t);
    void* (*alignedAlloc)(std::size_t, std::size_t);
    void* (*memalign)(std::size_t, std::size_t);
    void* (*valloc)(std::size_t);
    void* (*pvalloc)(std::size_t);
    std::size_t (*mallocUsableSize)(void*);
    // The C++ runtime's operator new, called only when the allocator failed: it runs the
    // new-handler and throws std::bad_alloc, which the interposer (built without exceptions)
    // leaves to it.
    void* (*operatorNew)(std::size_t);
    void* (*operatorNewNothrow)(std::size_t, const void*);
    void* (*operatorNewAligned)(std::size_t, std::size_t);
    void* (*operatorNewAlignedNothrow)(std::size_t, std::size_t, const void*);

    void* (*mmap)(void*, std::size_t, int, int, int, off_t);
    int (*munmap)(void*, std::size_t);
    void* (*mremap)(void*, std::size_t, std::size_t, int, ...);

    int (*open)(const char*, int, ...);
    int (*open64)(const char*, int, ...);
    int (*openat)(int, const char*, int, ...);
    int (*openat64)(int, const char*, int, ...);
    int (*creat)(const char*, mode_t);
    int (*creat64)(const char*, mode_t);
    int (*socket)(int, int, int);
    int (*accept)(int, void*, void*);
    int (*accept4)(int, void*, void*, int);
    int (*pipe)(int*);
    int (*pipe2)(int*, int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*eventfd)(unsigned int, int);
    FILE* (*fopen)(const char*, const char*);
    FILE* (*fopen64)(const char*, const char*);
    FILE* (*fdopen)(int, const char*);
    int (*close)(int);
    int (*fclose)(FILE*);
    int (*closeRange)(unsigned int, unsigned int, int);
    void (*closefrom)(int);

    int (*libcStartMain)(int (*)(int, char**, char**), int, char**, void (*)(), void (*)(),
                         void (*)(), void*);
    pid_t (*fork)();
    pid_t (*underscoreFork)();  // glibc 2.34 and later; null before
    int (*execve)(const char*, char* const*, char* const*);
    int (*execv)(const char*, char* const*);
    int (*execvp)(const char*, char* const*);
    int (*execvpe)(const char*, char* const*, char* const*);
    int (*fexecve)(int, char* const*, char* const*);
    void (*exit)(int);
    void (*underscoreExit)(int);
    void (*underscoreCapitalExit)(int);

    // Looks every function up; the allocations dlsym makes meanwhile come from BootstrapArena.
    void resolve();
};

extern RealFunctions real;

}  // namespace poolscope::preload
