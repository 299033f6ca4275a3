#include "memory/UniformChunkPool.h"

#include <algorithm>
#include <cmath>
#include <new>

#include "diagnostics/EventStream.h"
#include "memory/OsMemory.h"
#include "memory/TrimScheduler.h"

namespace poolscope {

namespace {

void publishPoolEvent(MemoryEventKind kind, std::uint16_t sourceId, std::int32_t slot,
                      std::uint64_t bytes, std::uint64_t value = 0, std::uint64_t value2 = 0) {
    if (!EventStream::active()) {
        return;
    }
    MemoryEvent event;
    event.kind = kind;
    event.tier = MemoryTier::Pooled;
    event.sourceId = sourceId;
    event.slot = slot;
    event.bytes = bytes;
    event.value = value;
    event.value2 = value2;
    EventStream::publish(event);
}

}  // namespace

std::shared_ptr<UniformChunkPool> UniformChunkPool::create(const Settings& settings) {
    std::shared_ptr<UniformChunkPool> pool(new UniformChunkPool(settings));
    if (settings.registerForTrimming && settings.trimPolicy.enabled()) {
        TrimScheduler::instance().add(pool);
    }
    return pool;
}

UniformChunkPool::UniformChunkPool(const Settings& settings)
    : settings_(settings),
      slots_(static_cast<std::size_t>(std::max(settings.capacity, 0)), SlotState::Empty),
      lastTrimNanoseconds_(settings.clock->nowNanoseconds()) {
    settings_.capacity = std::max(settings.capacity, 0);
    retained_.reserve(slots_.size());
}

UniformChunkPool::~UniformChunkPool() {
    shutDown();
}

void UniformChunkPool::report(MemoryEventKind kind, std::int32_t slot, std::uint64_t bytes,
                              std::uint64_t value, std::uint64_t value2) const {
    if (settings_.observed) {
        publishPoolEvent(kind, settings_.sourceId, slot, bytes, value, value2);
    }
}

std::int32_t UniformChunkPool::takeFreeSlot() {
    const auto it = std::find(slots_.begin(), slots_.end(), SlotState::Empty);
    *it = SlotState::Rented;  // callers checked that rented + retained < capacity
    return static_cast<std::int32_t>(it - slots_.begin());
}

std::optional<PoolChunk> UniformChunkPool::rent() {
    {
        // The warm rent of one chunk: the top of the retained stack, all under one lock hold.
        std::lock_guard lock(mutex_);
        if (shutDown_ || rented_ >= settings_.capacity) {
            return std::nullopt;
        }
        if (!retained_.empty()) {
            const PoolChunk chunk = retained_.back();
            retained_.pop_back();
            slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Rented;
            ++rented_;
            return chunk;
        }
    }
    // A slot without memory yet: mapped outside the lock. Everything is checked again there.
    PoolChunk chunk;
    if (!rentInto({&chunk, 1})) {
        return std::nullopt;
    }
    return chunk;
}

bool UniformChunkPool::rent(int count, std::vector<PoolChunk>& out) {
    if (count <= 0) {
        return count == 0;
    }
    const std::size_t firstOut = out.size();
    out.resize(firstOut + static_cast<std::size_t>(count));
    try {
        if (rentInto(std::span(out).subspan(firstOut))) {
            return true;
        }
    } catch (...) {
        out.resize(firstOut);
        throw;
    }
    out.resize(firstOut);
    return false;
}

bool UniformChunkPool::rentInto(std::span<PoolChunk> out) {
    const int count = static_cast<int>(out.size());
    bool mapAny = false;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_ || rented_ + count > settings_.capacity) {
            return false;
        }
        rented_ += count;
        for (PoolChunk& chunk : out) {
            if (!retained_.empty()) {
                chunk = retained_.back();
                retained_.pop_back();
                slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Rented;
            } else {
                chunk = PoolChunk{nullptr, takeFreeSlot()};
                mapAny = true;
            }
        }
    }
    if (!mapAny) {
        return true;
    }
    // Mapping memory can take a while; it happens outside the lock.
    std::uint64_t created = 0;
    try {
        for (PoolChunk& chunk : out) {
            if (chunk.data == nullptr) {
                chunk.data = OsMemory::map(settings_.chunkBytes);
                ++created;
                report(MemoryEventKind::SlotCreated, chunk.slot, settings_.chunkBytes);
            }
        }
    } catch (const std::bad_alloc&) {
        std::lock_guard lock(mutex_);
        rented_ -= count;
        for (const PoolChunk& chunk : out) {
            if (chunk.data != nullptr) {
                slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Retained;
                retained_.push_back(chunk);
            } else {
                slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Empty;
            }
        }
        throw;
    }
    std::lock_guard lock(mutex_);
    slotsCreated_ += created;
    return true;
}

bool UniformChunkPool::giveBack(std::span<const PoolChunk> chunks) noexcept {
    // Declared before the lock, so that it is destroyed after the lock is released: it may hold
    // the last reference to this pool.
    std::shared_ptr<UniformChunkPool> lastReference;
    std::lock_guard lock(mutex_);
    const int count = static_cast<int>(chunks.size());
    if (count > rented_) {
        return false;
    }
    rented_ -= count;
    if (shutDown_) {
        if (rented_ == 0) {
            lastReference = std::move(keepAlive_);
        }
        return false;
    }
    for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) {
        slots_[static_cast<std::size_t>(it->slot)] = SlotState::Retained;
        retained_.push_back(*it);
    }
    return true;
}

void UniformChunkPool::freeChunk(const PoolChunk& chunk, std::size_t chunkBytes,
                                 std::uint16_t sourceId, bool observed) noexcept {
    OsMemory::unmap(chunk.data, chunkBytes);
    if (observed) {
        publishPoolEvent(MemoryEventKind::ChunkFreed, sourceId, chunk.slot, chunkBytes);
    }
}

void UniformChunkPool::freeTaken(std::vector<PoolChunk>& taken, bool reportTrim,
                                 bool reportRelease) {
    for (const PoolChunk& chunk : taken) {
        freeChunk(chunk, settings_.chunkBytes, settings_.sourceId, settings_.observed);
    }
    int retainedAfter = 0;
    {
        std::lock_guard lock(mutex_);
        chunksFreed_ += taken.size();
        retainedAfter = static_cast<int>(retained_.size());
    }
    if (reportTrim) {
        report(MemoryEventKind::Trim, -1, taken.size() * settings_.chunkBytes, taken.size(),
               static_cast<std::uint64_t>(retainedAfter));
    }
    if (reportRelease) {
        report(MemoryEventKind::ReleaseRetained, -1, taken.size() * settings_.chunkBytes,
               taken.size(), static_cast<std::uint64_t>(retainedAfter));
    }
}

std::size_t UniformChunkPool::release() {
    // Becomes the new retained stack, with room for every slot; allocated outside the lock.
    std::vector<PoolChunk> taken;
    taken.reserve(slots_.size());
    {
        std::lock_guard lock(mutex_);
        taken.swap(retained_);
        for (const PoolChunk& chunk : taken) {
            slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Empty;
        }
    }
    freeTaken(taken, false, true);
    return taken.size();
}

bool UniformChunkPool::trim() {
    const MemoryLoad load = settings_.loadSource->read();
    const std::int64_t now = settings_.clock->nowNanoseconds();
    const std::int64_t period =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.trimPolicy.period).count();
    std::vector<PoolChunk> taken;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) {
            return false;
        }
        std::size_t toFree = 0;
        if (load.isHigh(settings_.trimPolicy.highLoadFactor)) {
            toFree = retained_.size();
        } else if (now - lastTrimNanoseconds_ > period) {
            toFree = static_cast<std::size_t>(
                std::ceil(static_cast<double>(retained_.size()) * settings_.trimPolicy.rate));
            toFree = std::min(toFree, retained_.size());
            lastTrimNanoseconds_ = now;
        } else {
            return true;
        }
        // The front of the stack holds the chunks returned longest ago.
        taken.assign(retained_.begin(), retained_.begin() + static_cast<std::ptrdiff_t>(toFree));
        retained_.erase(retained_.begin(), retained_.begin() + static_cast<std::ptrdiff_t>(toFree));
        for (const PoolChunk& chunk : taken) {
            slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Empty;
        }
    }
    if (!taken.empty()) {
        freeTaken(taken, true, false);
    }
    return true;
}

void UniformChunkPool::shutDown() {
    std::vector<PoolChunk> taken;
    {
        std::lock_guard lock(mutex_);
        if (shutDown_) {
            return;
        }
        shutDown_ = true;
        // From the destructor this stays empty: only a pool somebody still holds can be kept.
        if (rented_ > 0) {
            keepAlive_ = weak_from_this().lock();
        }
        taken.swap(retained_);
        for (const PoolChunk& chunk : taken) {
            slots_[static_cast<std::size_t>(chunk.slot)] = SlotState::Empty;
        }
    }
    freeTaken(taken, false, false);
}

UniformChunkPool::Stats UniformChunkPool::stats() const {
    std::lock_guard lock(mutex_);
    return Stats{settings_.capacity, rented_, static_cast<int>(retained_.size()), slotsCreated_,
                 chunksFreed_};
}

std::vector<SlotState> UniformChunkPool::slotStates() const {
    std::lock_guard lock(mutex_);
    return slots_;
}

}  // namespace poolscope
