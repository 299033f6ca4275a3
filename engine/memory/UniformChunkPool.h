#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "base/Clock.h"
#include "base/SlotState.h"
#include "base/SpinLock.h"
#include "diagnostics/MemoryEvent.h"
#include "memory/SystemMemory.h"
#include "memory/TrimPolicy.h"

namespace poolscope {

// One chunk of pool memory and the slot it occupies in the pool map.
struct PoolChunk {
    std::byte* data = nullptr;
    std::int32_t slot = -1;
};

// A LIFO pool of equal-size chunks (ImageSharp's UniformUnmanagedMemoryPool). Capacity counts
// rented plus retained chunks. Slots get memory lazily, on first rent, outside the lock. A group
// rents all of its chunks or none. Retained chunks are trimmed least recently returned first.
// Thread-safe.
//
// A pool shut down while chunks are rented keeps itself alive until the last of them comes
// back, so that whoever holds a rented chunk may hold a plain pointer to the pool: the warm
// rent and return then touch no reference count.
class UniformChunkPool : public std::enable_shared_from_this<UniformChunkPool> {
public:
    struct Settings {
        std::size_t chunkBytes = 4u * 1024 * 1024;
        int capacity = 0;
        TrimPolicy trimPolicy;
        Clock* clock = &SteadyClock::instance();
        MemoryLoadSource* loadSource = &ProcMeminfoLoadSource::instance();
        std::uint16_t sourceId = 0;
        // Serve this pool from the shared trim thread while it lives.
        bool registerForTrimming = true;
        // Publish its events (EventStream). A model of a pool (the what-if replay) publishes
        // none, so that it never shows as a pool of the process it runs in.
        bool observed = true;
    };

    struct Stats {
        int capacity = 0;
        int rented = 0;
        int retained = 0;
        std::uint64_t slotsCreated = 0;  // mappings made over the pool's life
        std::uint64_t chunksFreed = 0;   // mappings given back to the OS
    };

    static std::shared_ptr<UniformChunkPool> create(const Settings& settings);
    ~UniformChunkPool();
    UniformChunkPool(const UniformChunkPool&) = delete;
    UniformChunkPool& operator=(const UniformChunkPool&) = delete;

    // A chunk, or none when every slot is rented or the pool is shut down.
    // Throws std::bad_alloc when the OS refuses memory for a new slot.
    std::optional<PoolChunk> rent();
    // `count` chunks appended to `out`, or false and nothing rented.
    bool rent(int count, std::vector<PoolChunk>& out);
    // Puts chunks back (the first ends on top, so the next rent(n) gets the same order).
    // False when the pool is shut down or more chunks come back than are rented; the caller
    // then frees them with freeChunk(). A shut-down pool may be destroyed during this call, when
    // these were the last rented chunks: read nothing of it afterwards.
    bool giveBack(std::span<const PoolChunk> chunks) noexcept;

    // Frees every retained chunk now; returns how many.
    std::size_t release();
    // One trim pass, as the shared trim thread makes it. False once the pool is shut down.
    bool trim();
    // The pool's owner is gone: free what is retained and refuse every later return. Rented
    // chunks keep the pool alive until they are returned.
    void shutDown();

    Stats stats() const;
    std::vector<SlotState> slotStates() const;
    std::size_t chunkBytes() const { return settings_.chunkBytes; }
    int capacity() const { return settings_.capacity; }
    const TrimPolicy& trimPolicy() const { return settings_.trimPolicy; }

    // Gives one chunk's memory back to the OS and reports it, when `observed`.
    static void freeChunk(const PoolChunk& chunk, std::size_t chunkBytes, std::uint16_t sourceId,
                          bool observed = true) noexcept;

private:
    explicit UniformChunkPool(const Settings& settings);
    std::int32_t takeFreeSlot();
    // Publishes one of this pool's events, when it is observed.
    void report(MemoryEventKind kind, std::int32_t slot, std::uint64_t bytes,
                std::uint64_t value = 0, std::uint64_t value2 = 0) const;
    // Fills `out` with chunks, all or none; chunks[i].data == nullptr until mapped.
    bool rentInto(std::span<PoolChunk> out);
    // Frees chunks taken out of the pool under the lock; reports the pass as `kind`.
    void freeTaken(std::vector<PoolChunk>& taken, bool reportTrim, bool reportRelease);

    Settings settings_;
    mutable SpinLock mutex_;
    std::vector<PoolChunk> retained_;  // back = most recently returned
    std::vector<SlotState> slots_;
    int rented_ = 0;
    bool shutDown_ = false;
    std::int64_t lastTrimNanoseconds_ = 0;
    std::uint64_t slotsCreated_ = 0;
    std::uint64_t chunksFreed_ = 0;
    // Set by shutDown() while chunks are rented; dropped when the last one comes back.
    std::shared_ptr<UniformChunkPool> keepAlive_;
};

}  // namespace poolscope
