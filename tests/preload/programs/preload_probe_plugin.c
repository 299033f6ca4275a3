/* Loaded by preload_probe with dlopen after start: its allocation's stack lies in a module the
 * interposer had not announced. */
#include <stdlib.h>

__attribute__((noinline)) void* preload_probe_plugin_allocate(void) {
    return malloc(555);
}
