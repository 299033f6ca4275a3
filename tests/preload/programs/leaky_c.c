// Leaks one item of each kind a C program can make, each from a function of its own, so that a
// test can say which function leaked what and how much. Built -O2 -g: the inline helper is
// inlined and must still be named.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// Keeps the compiler from dropping an allocation whose pointer is then lost.
#define KEEP(pointer) __asm__ volatile("" : : "r"(pointer) : "memory")

__attribute__((noinline)) void leak_malloc(void) {
    char* block = malloc(1111);
    memset(block, 1, 1111);
    KEEP(block);
}

__attribute__((noinline)) void leak_realloc_chain(void) {
    char* block = malloc(16);
    KEEP(block);
    block = realloc(block, 64);
    KEEP(block);
    block = realloc(block, 4096);
    memset(block, 2, 4096);
    KEEP(block);
}

__attribute__((noinline)) void leak_posix_memalign(void) {
    void* block = NULL;
    if (posix_memalign(&block, 64, 2048) == 0) {
        memset(block, 3, 2048);
    }
    KEEP(block);
}

__attribute__((noinline)) void leak_mmap(void) {
    void* mapping = mmap(NULL, 16u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KEEP(mapping);
}

__attribute__((noinline)) void leak_descriptor(void) {
    const int fd = open("/dev/null", O_RDONLY);
    KEEP(&fd);
}

static inline __attribute__((always_inline)) char* make_buffer(size_t bytes) {
    char* buffer = malloc(bytes);
    memset(buffer, 4, bytes);
    return buffer;
}

__attribute__((noinline)) void leak_through_inline_helper(void) {
    char* buffer = make_buffer(777);
    KEEP(buffer);
}

// What it frees and closes is not a leak.
__attribute__((noinline)) void tidy(void) {
    char* block = malloc(500);
    KEEP(block);
    free(block);
    void* mapping = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(mapping, 3 * 4096);
    const int fd = open("/dev/null", O_RDONLY);
    close(fd);
}

int main(void) {
    tidy();
    leak_malloc();
    leak_realloc_chain();
    leak_posix_memalign();
    leak_mmap();
    leak_descriptor();
    leak_through_inline_helper();
    return 0;
}
