/* The C API from a C program: reported allocations and pool chunks are leaks with the caller's
 * stack until freed or returned, the checkpoint filters by tag and size, and calls that make
 * no sense are ignored. Compiled as C, so the header must be valid C. */
#include <poolscope/poolscope.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition)                                                                          \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            fprintf(stderr, "%s:%d: %s: failed: %s\n", __FILE__, __LINE__, __func__, #condition); \
            ++failures;                                                                           \
        }                                                                                         \
    } while (0)

static char message[16384];

/* What the arena handed out; counted after each report, so that the report is no tail call
 * and the arena's frame stays on the stack. */
static size_t handedOut = 0;

__attribute__((noinline)) static void arenaHandsOut(void* block, size_t size) {
    poolscope_report_alloc(block, size);
    handedOut += size;
}

__attribute__((noinline)) static void rentFromArenaPool(poolscope_pool* pool, int slot,
                                                        void* chunk) {
    poolscope_pool_rent(pool, slot, chunk);
    ++handedOut;
}

static void reportAlloc_isLeakWithCallersStackUntilFreed(void) {
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    char* block = malloc(100);
    arenaHandsOut(block, 100);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, message, sizeof message) == 1);
    CHECK(strstr(message, "100 bytes") != NULL);
    CHECK(strstr(message, "arenaHandsOut") != NULL);
    CHECK(strstr(message, "reportAlloc_isLeakWithCallersStackUntilFreed") != NULL);
    poolscope_report_free(block);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, message, sizeof message) == 0);
    CHECK(message[0] == '\0');
    free(block);
    poolscope_checkpoint_end(checkpoint);
}

static void poolRent_isPooledLeakUntilReturned(void) {
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    poolscope_pool* pool = poolscope_pool_create("arena", 4096, 8);
    CHECK(pool != NULL);
    char chunk[64];
    rentFromArenaPool(pool, 2, chunk);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, message, sizeof message) == 1);
    CHECK(strstr(message, "4096 bytes, pooled") != NULL);
    CHECK(strstr(message, "rentFromArenaPool") != NULL);
    poolscope_pool_return(pool, 2);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, NULL, 0) == 0);
    poolscope_pool_destroy(pool);
    poolscope_checkpoint_end(checkpoint);
}

static void checkpointLeaks_filterByTagAndSize(void) {
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    int small = 0;
    int large = 0;
    poolscope_set_tag("decode");
    arenaHandsOut(&small, 10);
    poolscope_set_tag(NULL);
    arenaHandsOut(&large, 1000);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, NULL, 0) == 2);
    CHECK(poolscope_checkpoint_leaks(checkpoint, "decode", 0, message, sizeof message) == 1);
    CHECK(strstr(message, "tag decode") != NULL);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 500, NULL, 0) == 1);
    CHECK(poolscope_checkpoint_leaks(checkpoint, "decode", 500, NULL, 0) == 0);
    poolscope_report_free(&small);
    poolscope_report_free(&large);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, NULL, 0) == 0);
    poolscope_checkpoint_end(checkpoint);
}

static void checkpointLeaks_messageIsCutToItsBuffer(void) {
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    int block = 0;
    arenaHandsOut(&block, 24);
    char small[8];
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, small, sizeof small) == 1);
    CHECK(strlen(small) == sizeof small - 1);
    poolscope_report_free(&block);
    poolscope_checkpoint_end(checkpoint);
}

static void senselessCalls_areIgnored(void) {
    poolscope_checkpoint* checkpoint = poolscope_checkpoint_begin();
    int block = 0;
    poolscope_report_free(&block);
    poolscope_report_alloc(NULL, 10);
    poolscope_report_alloc(&block, 0);
    CHECK(poolscope_pool_create(NULL, 4096, 4) == NULL);
    CHECK(poolscope_pool_create("arena", 0, 4) == NULL);
    CHECK(poolscope_pool_create("arena", 4096, 0) == NULL);
    poolscope_pool* pool = poolscope_pool_create("arena", 4096, 4);
    poolscope_pool_rent(pool, 4, &block);
    poolscope_pool_rent(pool, -1, &block);
    poolscope_pool_return(pool, 3);
    poolscope_pool_rent(NULL, 0, &block);
    poolscope_pool_return(NULL, 0);
    CHECK(poolscope_checkpoint_leaks(checkpoint, NULL, 0, message, sizeof message) == 0);
    CHECK(poolscope_checkpoint_leaks(NULL, NULL, 0, message, sizeof message) == 0);
    poolscope_pool_destroy(pool);
    poolscope_pool_destroy(NULL);
    poolscope_checkpoint_end(checkpoint);
    poolscope_checkpoint_end(NULL);
}

int main(void) {
    reportAlloc_isLeakWithCallersStackUntilFreed();
    poolRent_isPooledLeakUntilReturned();
    checkpointLeaks_filterByTagAndSize();
    checkpointLeaks_messageIsCutToItsBuffer();
    senselessCalls_areIgnored();
    if (failures != 0) {
        fprintf(stderr, "%d checks failed (%zu handed out)\n", failures, handedOut);
        return 1;
    }
    printf("all C API checks passed\n");
    return 0;
}
