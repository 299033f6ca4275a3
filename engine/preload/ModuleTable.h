#pragma once

#include <pthread.h>
#include <atomic>
#include <cstddef>
#include <cstdint>

struct dl_phdr_info;

namespace poolscope::preload {

// The loaded objects, as dl_iterate_phdr lists them, each with an index the stream names it by.
// The loader's list is read outside the channel's append lock (dl_iterate_phdr takes the
// loader's lock, whose holder may be in a hook waiting for ours) into a scratch list, which is
// then merged into the table under the append lock.
class ModuleTable {
public:
    struct Module {
        std::uint64_t loadAddress;
        std::uint64_t startAddress;
        std::uint64_t endAddress;
        const char* path;
        std::uint32_t pathBytes;
        std::uint32_t index;
        bool loaded;
        bool sent;
    };

    bool initialize();

    // Reads the loader's list when it changed since the last read (the loader counts loads and
    // unloads). Call with no lock of the interposer held. True when merge() has news.
    bool collectIfChanged();
    // Under the append lock, after collectIfChanged() said true: the new objects get indexes,
    // the gone ones are marked unloaded (and the epoch moves on).
    void merge();
    // collectIfChanged() takes this lock and keeps it until merge() or release().
    void release();

    // Under the append lock: the loaded object holding `address`, or nullptr.
    Module* find(std::uint64_t address);

    std::uint32_t epoch() const { return epoch_.load(std::memory_order_relaxed); }

    // The range of the object holding `address` (the interposer itself), from the loader.
    static bool rangeOf(const void* address, std::uint64_t& start, std::uint64_t& end);

private:
    static int collectOne(::dl_phdr_info* info, std::size_t, void* context);
    const char* keepPath(const char* path, std::size_t bytes);

    pthread_mutex_t collectLock_ = PTHREAD_MUTEX_INITIALIZER;
    Module* modules_ = nullptr;
    std::uint32_t count_ = 0;
    Module* scratch_ = nullptr;
    std::uint32_t scratchCount_ = 0;
    char* paths_ = nullptr;
    std::size_t pathsUsed_ = 0;
    std::uint64_t seenAdds_ = ~0ull;
    std::uint64_t seenSubs_ = ~0ull;
    bool changed_ = false;
    std::atomic<std::uint32_t> epoch_{0};
    char executable_[1024] = {};
    std::uint32_t executableBytes_ = 0;
};

}  // namespace poolscope::preload
