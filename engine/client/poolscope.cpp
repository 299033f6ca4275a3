// The C API of poolscope/poolscope.h over the engine's client classes. Nothing may escape to
// a C caller: every entry point stops exceptions (an out-of-memory while reporting) here.
#include "client/poolscope/poolscope.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <optional>
#include <string>

#include "client/ClientAllocations.h"
#include "client/ClientPool.h"
#include "client/poolscope/LeakCheckpoint.h"
#include "diagnostics/MemoryDiagnostics.h"

struct poolscope_pool {
    poolscope::ClientPool pool;
};

struct poolscope_checkpoint {
    poolscope::LeakCheckpoint checkpoint;
};

namespace {

// The tag poolscope_set_tag gave this thread: replaced, never stacked, so that resetting it
// first restores the tag the thread had before its first call.
thread_local std::optional<poolscope::AllocationTagScope> t_tag;

}  // namespace

extern "C" {

void poolscope_report_alloc(const void* ptr, size_t size) {
    try {
        poolscope::ClientAllocations::reportAllocated(ptr, size);
    } catch (...) {
    }
}

void poolscope_report_free(const void* ptr) {
    try {
        poolscope::ClientAllocations::reportFreed(ptr);
    } catch (...) {
    }
}

void poolscope_set_tag(const char* tag) {
    try {
        t_tag.reset();
        t_tag.emplace(tag == nullptr ? "" : tag);
    } catch (...) {
    }
}

poolscope_pool* poolscope_pool_create(const char* name, size_t chunk_size, int capacity) {
    if (name == nullptr || chunk_size == 0 || capacity <= 0) {
        return nullptr;
    }
    try {
        return new poolscope_pool{poolscope::ClientPool(name, chunk_size, capacity)};
    } catch (...) {
        return nullptr;
    }
}

void poolscope_pool_rent(poolscope_pool* pool, int slot, const void* chunk) {
    if (pool == nullptr) {
        return;
    }
    try {
        pool->pool.rent(slot, chunk);
    } catch (...) {
    }
}

void poolscope_pool_return(poolscope_pool* pool, int slot) {
    if (pool != nullptr) {
        pool->pool.giveBack(slot);
    }
}

void poolscope_pool_destroy(poolscope_pool* pool) {
    delete pool;
}

poolscope_checkpoint* poolscope_checkpoint_begin(void) {
    try {
        return new poolscope_checkpoint{};
    } catch (...) {
        return nullptr;
    }
}

size_t poolscope_checkpoint_leaks(const poolscope_checkpoint* checkpoint, const char* tag,
                                  size_t min_size, char* message, size_t message_size) {
    if (message != nullptr && message_size > 0) {
        message[0] = '\0';
    }
    if (checkpoint == nullptr) {
        return 0;
    }
    try {
        const poolscope::LeakCheckResult result =
            checkpoint->checkpoint.check({tag == nullptr ? "" : tag, min_size});
        if (message != nullptr && message_size > 0) {
            const std::size_t length = std::min(result.message.size(), message_size - 1);
            std::memcpy(message, result.message.data(), length);
            message[length] = '\0';
        }
        return result.leaks.size();
    } catch (...) {
        return static_cast<size_t>(-1);
    }
}

void poolscope_checkpoint_end(poolscope_checkpoint* checkpoint) {
    delete checkpoint;
}

}  // extern "C"
