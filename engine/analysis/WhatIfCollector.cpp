#include "analysis/WhatIfCollector.h"

#include <algorithm>
#include <tuple>

#include "diagnostics/AllocationEvents.h"
#include "memory/PooledMemoryAllocator.h"

namespace poolscope {

namespace {

// Memory that pages in from a mapping of its own; descriptors hold none and the managed heap's
// arrays come from its own segments.
bool holdsMappableMemory(MemoryTier tier) {
    return tier != MemoryTier::Descriptor && tier != MemoryTier::Managed;
}

}  // namespace

WhatIfCollector::WhatIfCollector()
    : threshold_(
          static_cast<std::uint64_t>(PooledMemoryAllocator::Settings{}.smallBufferThresholdBytes)) {
}

WhatIfCollector::WhatIfCollector(const State& state) : WhatIfCollector() {
    started_ = state.started;
    events_.firstNanoseconds = state.following.firstNanoseconds;
    events_.lastNanoseconds = state.following.lastNanoseconds;
    events_.releases = state.following.releases;
    const std::size_t count = std::min(state.liveIds.size(), state.following.buffers.size());
    for (std::size_t i = 0; i < count; ++i) {
        if (live_.tryEmplace(state.liveIds[i], pending_.size()).second) {
            pending_.push_back(state.following.buffers[i]);
        }
    }
}

WhatIfCollector::State WhatIfCollector::state() const {
    State state;
    state.started = started_;
    state.following.firstNanoseconds = events_.firstNanoseconds;
    state.following.lastNanoseconds = events_.lastNanoseconds;
    state.following.releases = events_.releases;
    std::vector<std::tuple<std::int64_t, AllocationId, std::size_t>> byMade;
    live_.forEach([&](std::uint64_t id, std::size_t index) {
        byMade.emplace_back(pending_[index].madeSequence, id, index);
    });
    std::sort(byMade.begin(), byMade.end());
    for (const auto& [made, id, index] : byMade) {
        state.following.buffers.push_back(pending_[index]);
        state.liveIds.push_back(id);
    }
    return state;
}

void WhatIfCollector::add(std::int64_t sequence, const MemoryEvent& event) {
    if (!started_) {
        started_ = true;
        events_.firstNanoseconds = event.timeNanoseconds;
    }
    events_.lastNanoseconds = event.timeNanoseconds;
    if (event.kind == MemoryEventKind::ReleaseRetained) {
        events_.releases.push_back({sequence, event.timeNanoseconds});
        return;
    }
    if (!holdsMappableMemory(event.tier)) {
        return;
    }
    if (isAllocation(event.kind)) {
        make(sequence, event);
    } else if (isFree(event.kind)) {
        free(sequence, event);
    }
}

void WhatIfCollector::make(std::int64_t sequence, const MemoryEvent& event) {
    const auto [slot, fresh] = live_.tryEmplace(event.allocationId, 0);
    if (fresh) {
        WhatIfBuffer buffer;
        buffer.stackId = event.stackId;
        buffer.tier = event.tier;
        buffer.madeSequence = sequence;
        buffer.madeNanoseconds = event.timeNanoseconds;
        if (freeSlots_.empty()) {
            *slot = pending_.size();
            pending_.push_back(buffer);
        } else {
            *slot = freeSlots_.back();
            freeSlots_.pop_back();
            pending_[*slot] = buffer;
        }
    }
    WhatIfBuffer& buffer = pending_[*slot];
    buffer.bytes += event.bytes;
    ++buffer.pieces;
    if (event.kind == MemoryEventKind::Rent) {
        ++buffer.poolChunks;
    }
}

void WhatIfCollector::free(std::int64_t sequence, const MemoryEvent& event) {
    const std::size_t* const slot = live_.find(event.allocationId);
    if (slot == nullptr) {
        return;
    }
    const std::size_t index = *slot;
    WhatIfBuffer& buffer = pending_[index];
    if (++buffer.piecesFreed < buffer.pieces) {
        return;
    }
    buffer.freedSequence = sequence;
    buffer.freedNanoseconds = event.timeNanoseconds;
    live_.erase(event.allocationId);
    keep(index);
}

// A buffer whose size is known is kept when it is large; small ones are dropped.
void WhatIfCollector::keep(std::size_t index) {
    const WhatIfBuffer& buffer = pending_[index];
    if (buffer.tier == MemoryTier::Mapped || buffer.bytes > threshold_) {
        events_.buffers.push_back(buffer);
    }
    pending_[index] = WhatIfBuffer{};
    freeSlots_.push_back(index);
}

void WhatIfCollector::keepLive() {
    std::vector<std::size_t> live;
    live_.forEach([&live](std::uint64_t, std::size_t index) { live.push_back(index); });
    for (const std::size_t index : live) {
        keep(index);
    }
    live_.clear();
}

WhatIfEvents WhatIfCollector::finish() {
    keepLive();
    // In the order they were made, as the replay makes them: it then reads them one after
    // another, and a summary stores each one's making as a small step from the one before.
    std::vector<WhatIfBuffer>& buffers = events_.buffers;
    std::sort(buffers.begin(), buffers.end(), [](const WhatIfBuffer& a, const WhatIfBuffer& b) {
        return a.madeSequence < b.madeSequence;
    });
    return std::move(events_);
}

}  // namespace poolscope
