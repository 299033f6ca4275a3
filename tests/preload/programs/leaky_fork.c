// A program that forks: the parent leaks one block of its own; its child, which is not followed,
// allocates, leaks a block and a descriptor and exits through exit(); then the parent starts a
// shell through system(), which is not followed either. `poolscope launch` reports the parent's
// one leak alone, and the parent's events whole.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEEP(pointer) __asm__ volatile("" : : "r"(pointer) : "memory")

__attribute__((noinline)) void leak_in_parent(void) {
    char* block = malloc(1212);
    memset(block, 1, 1212);
    KEEP(block);
}

__attribute__((noinline)) void leak_in_child(void) {
    char* block = malloc(3434);
    memset(block, 2, 3434);
    KEEP(block);
    const int fd = open("/dev/null", O_RDONLY);
    KEEP(&fd);
}

__attribute__((noinline)) static void churn(int pairs, size_t bytes) {
    for (int i = 0; i < pairs; ++i) {
        char* block = malloc(bytes);
        KEEP(block);
        free(block);
    }
}

int main(void) {
    churn(1000, 48);
    const pid_t child = fork();
    if (child == 0) {
        churn(5000, 80);
        leak_in_child();
        exit(0);
    }
    churn(5000, 96);
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return 1;
    }
    if (system("exit 0") != 0) {
        return 2;
    }
    leak_in_parent();
    return 0;
}
