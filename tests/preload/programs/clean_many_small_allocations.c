// The synthetic load of scripts/bench preload: four threads, each making and freeing many small
// blocks (16 to 256 bytes), a few hundred alive at a time; everything freed at the end.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { kThreads = 4, kLive = 256 };

static long gPerThread = 250000;

static void* churn(void* argument) {
    unsigned seed = (unsigned)(size_t)argument;
    void* live[kLive] = {0};
    for (long i = 0; i < gPerThread; ++i) {
        seed = seed * 1103515245u + 12345u;
        const unsigned slot = (seed >> 8) % kLive;
        free(live[slot]);
        const size_t bytes = 16 + (seed >> 16) % 241;
        live[slot] = malloc(bytes);
        memset(live[slot], (int)i, 8);
    }
    for (int slot = 0; slot < kLive; ++slot) {
        free(live[slot]);
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc > 1) {
        gPerThread = atol(argv[1]) / kThreads;
    }
    pthread_t threads[kThreads];
    for (int t = 0; t < kThreads; ++t) {
        pthread_create(&threads[t], NULL, churn, (void*)(size_t)(t + 1));
    }
    for (int t = 0; t < kThreads; ++t) {
        pthread_join(threads[t], NULL);
    }
    return 0;
}
