// Leaks a block, then dies of SIGSEGV: what it did until then is kept.
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define KEEP(pointer) __asm__ volatile("" : : "r"(pointer) : "memory")

__attribute__((noinline)) void leak_before_crash(void) {
    char* block = malloc(4321);
    memset(block, 5, 4321);
    KEEP(block);
}

int main(void) {
    leak_before_crash();
    raise(SIGSEGV);
    return 0;
}
