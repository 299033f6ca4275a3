/* The PoolScope C API: what a program tells PoolScope about its own allocators, and the leak
 * check of its tests. Callable from C and C++; linking the engine library (PoolScope::engine,
 * or pkg-config poolscope) is the only setup. Every call is thread-safe and never fails the
 * program: a call PoolScope cannot make sense of (a null pointer, an unknown pointer or slot,
 * a zero size) is ignored.
 *
 * What is reported becomes the engine's own allocation events: it shows in the leak table and
 * the timeline with the caller's stack, and goes into a POOLSCOPE_RECORD recording, a report
 * and a live link like the engine's allocations. */
#ifndef POOLSCOPE_POOLSCOPE_H
#define POOLSCOPE_POOLSCOPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An allocation of the program's own allocator or arena, live from report_alloc until
 * report_free of the same pointer. Reporting a pointer again before freeing it replaces the
 * first report. */
void poolscope_report_alloc(const void* ptr, size_t size);
void poolscope_report_free(const void* ptr);

/* Names what the allocations this thread makes from now on are for ("decode"); NULL or "" for
 * none. The leak check can be limited to one tag. */
void poolscope_set_tag(const char* tag);

/* A chunk pool of the program's own: `capacity` slots of `chunk_size` bytes each, drawn by the
 * pool map slot by slot. A rented chunk is a live allocation (with the renter's stack) until it
 * is returned; a slot returned is retained by the pool. Chunks still rented when the pool is
 * destroyed count as released without being returned. */
typedef struct poolscope_pool poolscope_pool;

/* NULL when name is NULL, chunk_size is 0 or capacity is not positive. */
poolscope_pool* poolscope_pool_create(const char* name, size_t chunk_size, int capacity);
/* slot is from 0 to capacity - 1; chunk is where its memory starts (may be NULL). */
void poolscope_pool_rent(poolscope_pool* pool, int slot, const void* chunk);
void poolscope_pool_return(poolscope_pool* pool, int slot);
void poolscope_pool_destroy(poolscope_pool* pool);

/* The leak check of a test: begin a checkpoint, run the code under test, then ask which of the
 * allocations made since are still live (pooled, unpooled, small and reported ones alike).
 * Stacks are captured while a checkpoint exists. */
typedef struct poolscope_checkpoint poolscope_checkpoint;

poolscope_checkpoint* poolscope_checkpoint_begin(void);
/* Returns how many allocations made since `checkpoint` are still live, counting only those
 * tagged `tag` (NULL: any tag) of at least `min_size` bytes. When message is not NULL, writes
 * into it (at most message_size bytes, always terminated) a text that lists each of them with
 * its stack, or an empty string when there are none. (size_t)-1 when the check itself could
 * not be made (out of memory): a test must not take that for a pass. */
size_t poolscope_checkpoint_leaks(const poolscope_checkpoint* checkpoint, const char* tag,
                                  size_t min_size, char* message, size_t message_size);
void poolscope_checkpoint_end(poolscope_checkpoint* checkpoint);

#ifdef __cplusplus
}
#endif

#endif
