#include "analysis/WhatIfReplay.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "diagnostics/AllocationEvents.h"
#include "base/Clock.h"
#include "memory/PooledMemoryAllocator.h"
#include "recording/RecordingEventPages.h"

namespace poolscope {

namespace {

// Memory that pages in from a mapping of its own; descriptors hold none and the managed heap's
// arrays come from its own segments.
bool holdsMappableMemory(MemoryTier tier) {
    return tier != MemoryTier::Descriptor && tier != MemoryTier::Managed;
}

std::uint64_t chunksFor(std::uint64_t bytes, std::uint64_t chunkBytes) {
    return std::max<std::uint64_t>(1, (bytes + chunkBytes - 1) / chunkBytes);
}

// One buffer as the recording shows it: an allocation id's pieces (a group has one event per
// chunk), made at its first piece and gone with its last.
struct Request {
    StackId stackId = 0;
    MemoryTier tier = MemoryTier::Unpooled;
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::uint64_t piecesFreed = 0;
    std::uint64_t poolChunks = 0;  // pieces the recorded pool served
    std::int64_t madeSequence = 0;
    std::int64_t madeNanoseconds = 0;
    std::int64_t freedSequence = -1;
    std::int64_t freedNanoseconds = 0;
};

struct Step {
    std::int64_t sequence = 0;
    std::int64_t nanoseconds = 0;
    enum class Kind { Make, Free, Release } kind = Kind::Make;
    std::size_t request = 0;
};

class Collector {
public:
    explicit Collector(std::uint64_t threshold) : threshold_(threshold) {}

    void add(const RecordedEvent& recorded) {
        const MemoryEvent& event = recorded.event;
        if (!started_) {
            started_ = true;
            firstNanoseconds = event.timeNanoseconds;
        }
        lastNanoseconds = event.timeNanoseconds;
        if (event.kind == MemoryEventKind::ReleaseRetained) {
            steps.push_back({recorded.sequence, event.timeNanoseconds, Step::Kind::Release, 0});
            return;
        }
        if (!holdsMappableMemory(event.tier)) {
            return;
        }
        if (isAllocation(event.kind)) {
            make(recorded);
        } else if (isFree(event.kind)) {
            free(recorded);
        }
    }

    std::vector<Request> requests;
    std::vector<Step> steps;
    std::int64_t firstNanoseconds = 0;
    std::int64_t lastNanoseconds = 0;

    // The buffers still live at the end: made, never freed.
    void finish() {
        for (const auto& [id, index] : live_) {
            keep(index);
        }
        live_.clear();
    }

private:
    void make(const RecordedEvent& recorded) {
        const MemoryEvent& event = recorded.event;
        auto [it, fresh] = live_.try_emplace(event.allocationId, 0);
        if (fresh) {
            Request request;
            request.stackId = event.stackId;
            request.tier = event.tier;
            request.madeSequence = recorded.sequence;
            request.madeNanoseconds = event.timeNanoseconds;
            if (freeSlots_.empty()) {
                it->second = pending_.size();
                pending_.push_back(request);
            } else {
                it->second = freeSlots_.back();
                freeSlots_.pop_back();
                pending_[it->second] = request;
            }
        }
        Request& request = pending_[it->second];
        request.bytes += event.bytes;
        ++request.pieces;
        if (event.kind == MemoryEventKind::Rent) {
            ++request.poolChunks;
        }
    }

    void free(const RecordedEvent& recorded) {
        const auto it = live_.find(recorded.event.allocationId);
        if (it == live_.end()) {
            return;
        }
        Request& request = pending_[it->second];
        if (++request.piecesFreed < request.pieces) {
            return;
        }
        request.freedSequence = recorded.sequence;
        request.freedNanoseconds = recorded.event.timeNanoseconds;
        keep(it->second);
        live_.erase(it);
    }

    // A buffer whose size is known keeps its steps when it is large; small ones are dropped.
    void keep(std::size_t index) {
        const Request& request = pending_[index];
        if (request.tier == MemoryTier::Mapped || request.bytes > threshold_) {
            const std::size_t kept = requests.size();
            requests.push_back(request);
            steps.push_back(
                {request.madeSequence, request.madeNanoseconds, Step::Kind::Make, kept});
            if (request.freedSequence >= 0) {
                steps.push_back(
                    {request.freedSequence, request.freedNanoseconds, Step::Kind::Free, kept});
            }
        }
        pending_[index] = Request{};
        freeSlots_.push_back(index);
    }

    std::uint64_t threshold_;
    bool started_ = false;
    // Requests being made or still live, by allocation id; their slots are reused.
    std::unordered_map<AllocationId, std::size_t> live_;
    std::vector<Request> pending_;
    std::vector<std::size_t> freeSlots_;
};

class HeldBytes {
public:
    void add(std::uint64_t bytes) {
        held_ += bytes;
        peak_ = std::max(peak_, held_);
    }
    void remove(std::uint64_t bytes) { held_ -= std::min(held_, bytes); }
    std::uint64_t held() const { return held_; }
    std::uint64_t peak() const { return peak_; }

private:
    std::uint64_t held_ = 0;
    std::uint64_t peak_ = 0;
};

}  // namespace

namespace {

// The replay's pool: the default allocator's, on a clock that follows the recording, trimmed
// as often as the trim thread would trim it.
class PoolModel {
public:
    PoolModel(const WhatIfReplay::Options& options, std::int64_t startNanoseconds)
        : load_(MemoryLoad{}), allocator_(settingsFor(options, startNanoseconds)) {
        trimInterval_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::max(std::chrono::milliseconds(1), options.trimPeriod / 4))
                            .count();
        nextTrim_ = startNanoseconds + trimInterval_;
    }

    UniformChunkPool& pool() { return allocator_.pool(); }
    const PooledMemoryAllocator::Settings& settings() const { return allocator_.settings(); }

    // Every trim pass the trim thread makes up to `nanoseconds`; `trimmed` is told the time of
    // each.
    template <typename Trimmed>
    void trimUntil(std::int64_t nanoseconds, Trimmed&& trimmed) {
        while (nextTrim_ <= nanoseconds) {
            clock_.setNanoseconds(nextTrim_);
            pool().trim();
            trimmed(nextTrim_);
            nextTrim_ += trimInterval_;
        }
        clock_.setNanoseconds(std::max(clock_.nowNanoseconds(), nanoseconds));
    }

private:
    // The pool's trim period counts from its creation, at the recording's first event.
    PooledMemoryAllocator::Settings settingsFor(const WhatIfReplay::Options& options,
                                                std::int64_t startNanoseconds) {
        clock_.setNanoseconds(startNanoseconds);
        PooledMemoryAllocator::Settings settings;
        if (options.poolSizeMegabytes >= 0) {
            settings.maximumPoolSizeBytes = options.poolSizeMegabytes * 1024 * 1024;
        }
        settings.trimPolicy.period = options.trimPeriod;
        settings.clock = &clock_;
        settings.loadSource = &load_;
        settings.registerForTrimming = false;
        return settings;
    }

    ManualClock clock_;
    FixedLoadSource load_;
    PooledMemoryAllocator allocator_;
    std::int64_t trimInterval_ = 0;
    std::int64_t nextTrim_ = 0;
};

// A buffer as the pool model served it: its chunks, or unpooled mappings.
struct Served {
    std::vector<PoolChunk> chunks;
    std::uint64_t unpooledMaps = 0;
};

}  // namespace

WhatIfResult WhatIfReplay::of(const RecordingReader& reader, const Options& options) {
    const PooledMemoryAllocator::Settings defaults;
    Collector collector(static_cast<std::uint64_t>(defaults.smallBufferThresholdBytes));
    RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            collector.add(recorded);
        }
    });
    collector.finish();
    std::vector<Step>& steps = collector.steps;
    std::sort(steps.begin(), steps.end(),
              [](const Step& a, const Step& b) { return a.sequence < b.sequence; });

    WhatIfResult result;
    result.largeRequests = collector.requests.size();
    PoolModel model(options, collector.firstNanoseconds);
    const auto chunkBytes = static_cast<std::uint64_t>(model.settings().poolChunkBytes);
    const auto unpooledChunkBytes = static_cast<std::uint64_t>(model.settings().unpooledChunkBytes);
    result.chunkBytes = chunkBytes;
    result.poolCapacityChunks = model.pool().capacity();

    std::map<StackId, WhatIfSite> sites;
    std::vector<Served> served(collector.requests.size());
    HeldBytes actualHeld;
    HeldBytes unpooledHeld;
    std::uint64_t pooledPeak = 0;
    std::uint64_t unpooledMaps = 0;
    std::uint64_t unpooledUnmaps = 0;
    std::uint64_t unpooledFaulted = 0;
    const auto pooledHeld = [&] {
        const UniformChunkPool::Stats stats = model.pool().stats();
        return static_cast<std::uint64_t>(stats.rented + stats.retained) * chunkBytes +
               unpooledHeld.held();
    };
    // Every change is kept, several at one moment too: a buffer made and freed within one
    // timestamp still shows as a spike, so the series' highest is the peak.
    std::vector<WhatIfHeldSample>& series = result.heldOverTime;
    const auto sample = [&](std::int64_t nanoseconds) {
        const WhatIfHeldSample now{nanoseconds - collector.firstNanoseconds, actualHeld.held(),
                                   pooledHeld()};
        if (series.empty() || series.back().actualBytes != now.actualBytes ||
            series.back().pooledBytes != now.pooledBytes) {
            series.push_back(now);
        }
    };
    sample(collector.firstNanoseconds);

    for (const Step& step : steps) {
        model.trimUntil(step.nanoseconds, sample);
        if (step.kind == Step::Kind::Release) {
            model.pool().release();
            sample(step.nanoseconds);
            continue;
        }
        const Request& request = collector.requests[step.request];
        Served& buffer = served[step.request];
        WhatIfSite& site = sites[request.stackId];
        site.stackId = request.stackId;
        if (step.kind == Step::Kind::Free) {
            result.actual.unmapCalls += request.pieces;
            actualHeld.remove(request.bytes);
            if (buffer.chunks.empty()) {
                unpooledUnmaps += buffer.unpooledMaps;
                unpooledHeld.remove(request.bytes);
            } else {
                model.pool().giveBack(buffer.chunks);
                buffer.chunks.clear();
            }
            sample(step.nanoseconds);
            continue;
        }
        ++site.requests;
        result.actual.mapCalls += request.pieces;
        result.actual.bytesFaultedIn += request.bytes;
        actualHeld.add(request.bytes);
        site.mapCallsSaved += static_cast<std::int64_t>(request.pieces);
        site.bytesFaultedInSaved += static_cast<std::int64_t>(request.bytes);

        // A group takes as many chunks as the recorded pool gave it, or as its bytes fill.
        const std::uint64_t chunks =
            request.poolChunks > 0 ? request.poolChunks : chunksFor(request.bytes, chunkBytes);
        const std::uint64_t createdBefore = model.pool().stats().slotsCreated;
        if (model.pool().rent(static_cast<int>(std::min<std::uint64_t>(chunks, INT32_MAX)),
                              buffer.chunks)) {
            const std::uint64_t created = model.pool().stats().slotsCreated - createdBefore;
            site.mapCallsSaved -= static_cast<std::int64_t>(created);
            site.bytesFaultedInSaved -= static_cast<std::int64_t>(created * chunkBytes);
        } else {
            // As the allocator does when the pool cannot take it: exact size, in group chunks.
            buffer.unpooledMaps = chunksFor(request.bytes, unpooledChunkBytes);
            unpooledMaps += buffer.unpooledMaps;
            unpooledHeld.add(request.bytes);
            unpooledFaulted += request.bytes;
            site.mapCallsSaved -= static_cast<std::int64_t>(buffer.unpooledMaps);
            site.bytesFaultedInSaved -= static_cast<std::int64_t>(request.bytes);
        }
        pooledPeak = std::max(pooledPeak, pooledHeld());
        sample(step.nanoseconds);
    }
    model.trimUntil(collector.lastNanoseconds, sample);
    // The last event's moment, whatever changed before it: where the idle figures are read.
    if (series.back().nanoseconds != collector.lastNanoseconds - collector.firstNanoseconds) {
        series.push_back({collector.lastNanoseconds - collector.firstNanoseconds, actualHeld.held(),
                          pooledHeld()});
    }

    const UniformChunkPool::Stats stats = model.pool().stats();
    result.actual.peakHeldBytes = actualHeld.peak();
    result.actual.idleHeldBytes = actualHeld.held();
    result.pooled.mapCalls = stats.slotsCreated + unpooledMaps;
    result.pooled.unmapCalls = stats.chunksFreed + unpooledUnmaps;
    result.pooled.bytesFaultedIn = stats.slotsCreated * chunkBytes + unpooledFaulted;
    result.pooled.peakHeldBytes = pooledPeak;
    result.pooled.idleHeldBytes = pooledHeld();
    // The pool outlives its allocator while chunks are rented: every chunk goes back first.
    for (Served& buffer : served) {
        if (!buffer.chunks.empty()) {
            model.pool().giveBack(buffer.chunks);
        }
    }

    for (const auto& [stackId, site] : sites) {
        result.sites.push_back(site);
    }
    std::stable_sort(result.sites.begin(), result.sites.end(),
                     [](const WhatIfSite& a, const WhatIfSite& b) {
                         if (a.mapCallsSaved != b.mapCallsSaved) {
                             return a.mapCallsSaved > b.mapCallsSaved;
                         }
                         return a.bytesFaultedInSaved > b.bytesFaultedInSaved;
                     });
    return result;
}

}  // namespace poolscope
