/* N malloc/free pairs on one thread, as fast as the allocator goes: the interposer's record rate
 * (2 records a pair) for tests/bench and `scripts/bench preload`.
 * Usage: preload_probe_rate PAIRS; prints "pairs <N> seconds <S>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    const long pairs = argc > 1 ? atol(argv[1]) : 1000000;
    void* volatile sink;
    const double start = now();
    for (long i = 0; i < pairs; ++i) {
        sink = malloc((size_t)(16 + (i & 255)));
        free(sink);
    }
    printf("pairs %ld seconds %.6f\n", pairs, now() - start);
    return 0;
}
