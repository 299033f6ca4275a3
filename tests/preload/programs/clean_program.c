// Frees and closes all it makes, through the calls that make the C runtime keep memory of its
// own (stdio buffers, locale data, the time zone): none of that is the program's leak.
#define _GNU_SOURCE
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void* work(void* argument) {
    char* text = strdup((const char*)argument);
    free(text);
    return NULL;
}

int main(void) {
    setlocale(LC_ALL, "");
    time_t now = time(NULL);
    struct tm parts;
    localtime_r(&now, &parts);
    char* copy = strdup("clean");
    free(copy);
    void* mapping = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(mapping, 1 << 20);
    FILE* file = fopen("/dev/null", "w");
    fprintf(file, "%d\n", parts.tm_year);
    fclose(file);
    int fds[2];
    if (pipe(fds) == 0) {
        close(fds[0]);
        close(fds[1]);
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, work, "thread") == 0) {
        pthread_join(thread, NULL);
    }
    printf("clean\n");
    return 0;
}
