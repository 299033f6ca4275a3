/* The C API from the installed header, compiled as C: a reported allocation is a leak until
 * it is freed. Exits 0 when it is. */
#include <poolscope/poolscope.h>

#include <stdio.h>

int main(void) {
    static int block;
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    poolscope_report_alloc(&block, sizeof block);
    const size_t leaked = poolscope_checkpoint_leaks(checkpoint, NULL, 0, NULL, 0);
    poolscope_report_free(&block);
    const size_t left = poolscope_checkpoint_leaks(checkpoint, NULL, 0, NULL, 0);
    poolscope_checkpoint_end(checkpoint);
    if (leaked != 1 || left != 0) {
        fprintf(stderr, "c consumer: %zu leaked, %zu left\n", leaked, left);
        return 1;
    }
    printf("c consumer: the installed C API works\n");
    return 0;
}
