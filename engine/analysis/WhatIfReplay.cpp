#include "analysis/WhatIfReplay.h"

#include <algorithm>
#include <optional>

#include "analysis/AnalysisSummary.h"
#include "analysis/FlatIdMap.h"
#include "diagnostics/AllocationEvents.h"
#include "base/Clock.h"
#include "memory/PooledMemoryAllocator.h"
#include "recording/RecordingEventPages.h"

namespace poolscope {

namespace {

std::uint64_t chunksFor(std::uint64_t bytes, std::uint64_t chunkBytes) {
    return std::max<std::uint64_t>(1, (bytes + chunkBytes - 1) / chunkBytes);
}

struct Step {
    std::int64_t sequence = 0;
    std::int64_t nanoseconds = 0;
    enum class Kind { Make, Free, Release } kind = Kind::Make;
    std::size_t request = 0;
};

// Steps sorted by sequence, a radix sort on the sequences' offsets from the lowest: the frees
// of a recording with millions of large buffers took a comparison sort a tenth of a replay.
void sortBySequence(std::vector<Step>& steps) {
    if (steps.size() < 2) {
        return;
    }
    const auto [lowest, highest] =
        std::minmax_element(steps.begin(), steps.end(),
                            [](const Step& a, const Step& b) { return a.sequence < b.sequence; });
    const auto base = static_cast<std::uint64_t>(lowest->sequence);
    const std::uint64_t span = static_cast<std::uint64_t>(highest->sequence) - base;
    constexpr int kBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    std::vector<Step> sorted(steps.size());
    for (int shift = 0; shift < 64 && (span >> shift) != 0; shift += kBits) {
        std::vector<std::size_t> start(kBuckets + 1, 0);
        const auto digit = [&](const Step& step) {
            return static_cast<std::size_t>(
                ((static_cast<std::uint64_t>(step.sequence) - base) >> shift) & (kBuckets - 1));
        };
        for (const Step& step : steps) {
            ++start[digit(step) + 1];
        }
        for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
            start[bucket + 1] += start[bucket];
        }
        for (const Step& step : steps) {
            sorted[start[digit(step)]++] = step;
        }
        steps.swap(sorted);
    }
}

// Every buffer's making and freeing and every release, in the recording's order. The buffers
// come in the order they were made (WhatIfCollector) and the releases in order: only the frees
// are sorted, and the three merged, as sorting all the steps took a third of a replay.
// Sequences are unique (a step is one event), so any correct sort gives the same order.
std::vector<Step> stepsOf(const WhatIfEvents& events) {
    const auto bySequence = [](const Step& a, const Step& b) { return a.sequence < b.sequence; };
    const std::vector<WhatIfBuffer>& buffers = events.buffers;
    std::vector<Step> frees;
    for (std::size_t index = 0; index < buffers.size(); ++index) {
        if (buffers[index].freedSequence >= 0) {
            frees.push_back({buffers[index].freedSequence, buffers[index].freedNanoseconds,
                             Step::Kind::Free, index});
        }
    }
    sortBySequence(frees);
    std::vector<Step> steps;
    const std::size_t total = events.releases.size() + buffers.size() + frees.size();
    steps.reserve(total);
    std::size_t release = 0;
    std::size_t made = 0;
    std::size_t freed = 0;
    while (steps.size() < total) {
        // The earliest of the three next steps; one whose list is done is never taken.
        const bool releaseLeft = release < events.releases.size();
        const bool madeLeft = made < buffers.size();
        const bool freedLeft = freed < frees.size();
        const std::int64_t releaseAt = releaseLeft ? events.releases[release].sequence : 0;
        const std::int64_t madeAt = madeLeft ? buffers[made].madeSequence : 0;
        const std::int64_t freedAt = freedLeft ? frees[freed].sequence : 0;
        if (releaseLeft && (!madeLeft || releaseAt <= madeAt) &&
            (!freedLeft || releaseAt <= freedAt)) {
            const WhatIfRelease& next = events.releases[release++];
            steps.push_back({next.sequence, next.nanoseconds, Step::Kind::Release, 0});
        } else if (madeLeft && (!freedLeft || madeAt <= freedAt)) {
            steps.push_back({madeAt, buffers[made].madeNanoseconds, Step::Kind::Make, made});
            ++made;
        } else {
            steps.push_back(frees[freed++]);
        }
    }
    // A damaged summary's buffers or releases may come in any order (a pass's never do).
    if (!std::is_sorted(steps.begin(), steps.end(), bySequence)) {
        sortBySequence(steps);
    }
    return steps;
}

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
// A buffer as the pool model served it: its chunks (`count` of them from `first` in the
// replay's list of rented chunks, one list rather than a vector a buffer: the replay of a
// recording with millions of large buffers spent its time allocating them), or unpooled
// mappings.
struct Served {
    std::size_t first = 0;
    std::size_t count = 0;
    std::uint64_t unpooledMaps = 0;
};

}  // namespace

WhatIfEvents WhatIfReplay::eventsOf(const RecordingReader& reader) {
    if (std::optional<WhatIfEvents> summary = AnalysisSummary::whatIfOf(reader)) {
        return std::move(*summary);
    }
    return eventsByPass(reader);
}

WhatIfEvents WhatIfReplay::eventsByPass(const RecordingReader& reader) {
    WhatIfCollector collector;
    RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            collector.add(recorded.sequence, recorded.event);
        }
    });
    return collector.finish();
}

WhatIfResult WhatIfReplay::of(const RecordingReader& reader, const Options& options) {
    return of(eventsOf(reader), options);
}

WhatIfResult WhatIfReplay::of(const WhatIfEvents& events, const Options& options) {
    const std::vector<Step> steps = stepsOf(events);
    WhatIfResult result;
    result.largeRequests = events.buffers.size();
    PoolModel model(options, events.firstNanoseconds);
    const auto chunkBytes = static_cast<std::uint64_t>(model.settings().poolChunkBytes);
    const auto unpooledChunkBytes = static_cast<std::uint64_t>(model.settings().unpooledChunkBytes);
    result.chunkBytes = chunkBytes;
    result.poolCapacityChunks = model.pool().capacity();

    // The sites by stack id, in an array that stays in cache: a tree's nodes cost a cache miss
    // each for every buffer of a recording with many large ones.
    FlatIdMap<std::size_t> siteIndex;
    std::vector<WhatIfSite> sites;
    std::vector<Served> served(events.buffers.size());
    std::vector<PoolChunk> rented;
    HeldBytes actualHeld;
    HeldBytes unpooledHeld;
    std::uint64_t pooledPeak = 0;
    std::uint64_t unpooledMaps = 0;
    std::uint64_t unpooledUnmaps = 0;
    std::uint64_t unpooledFaulted = 0;
    const auto pooledHeldOf = [&](const UniformChunkPool::Stats& stats) {
        return static_cast<std::uint64_t>(stats.rented + stats.retained) * chunkBytes +
               unpooledHeld.held();
    };
    const auto pooledHeld = [&] { return pooledHeldOf(model.pool().stats()); };
    // Every change is kept, several at one moment too: a buffer made and freed within one
    // timestamp still shows as a spike, so the series' highest is the peak.
    std::vector<WhatIfHeldSample>& series = result.heldOverTime;
    const auto sampleWith = [&](std::int64_t nanoseconds, std::uint64_t pooledBytes) {
        const WhatIfHeldSample now{nanoseconds - events.firstNanoseconds, actualHeld.held(),
                                   pooledBytes};
        if (series.empty() || series.back().actualBytes != now.actualBytes ||
            series.back().pooledBytes != now.pooledBytes) {
            series.push_back(now);
        }
    };
    const auto sample = [&](std::int64_t nanoseconds) { sampleWith(nanoseconds, pooledHeld()); };
    sample(events.firstNanoseconds);

    for (const Step& step : steps) {
        model.trimUntil(step.nanoseconds, sample);
        if (step.kind == Step::Kind::Release) {
            model.pool().release();
            sample(step.nanoseconds);
            continue;
        }
        const WhatIfBuffer& request = events.buffers[step.request];
        Served& buffer = served[step.request];
        if (step.kind == Step::Kind::Free) {
            result.actual.unmapCalls += request.pieces;
            actualHeld.remove(request.bytes);
            if (buffer.count == 0) {
                unpooledUnmaps += buffer.unpooledMaps;
                unpooledHeld.remove(request.bytes);
            } else {
                model.pool().giveBack(std::span(rented).subspan(buffer.first, buffer.count));
                buffer.count = 0;
            }
            sample(step.nanoseconds);
            continue;
        }
        const auto [index, added] = siteIndex.tryEmplace(request.stackId, sites.size());
        if (added) {
            sites.push_back({request.stackId, 0, 0, 0});
        }
        WhatIfSite& site = sites[*index];
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
        const std::size_t first = rented.size();
        std::uint64_t held = 0;
        if (model.pool().rent(static_cast<int>(std::min<std::uint64_t>(chunks, INT32_MAX)),
                              rented)) {
            buffer.first = first;
            buffer.count = rented.size() - first;
            const UniformChunkPool::Stats stats = model.pool().stats();
            const std::uint64_t created = stats.slotsCreated - createdBefore;
            site.mapCallsSaved -= static_cast<std::int64_t>(created);
            site.bytesFaultedInSaved -= static_cast<std::int64_t>(created * chunkBytes);
            held = pooledHeldOf(stats);
        } else {
            rented.resize(first);
            // As the allocator does when the pool cannot take it: exact size, in group chunks.
            buffer.unpooledMaps = chunksFor(request.bytes, unpooledChunkBytes);
            unpooledMaps += buffer.unpooledMaps;
            unpooledHeld.add(request.bytes);
            unpooledFaulted += request.bytes;
            site.mapCallsSaved -= static_cast<std::int64_t>(buffer.unpooledMaps);
            site.bytesFaultedInSaved -= static_cast<std::int64_t>(request.bytes);
            held = pooledHeld();
        }
        pooledPeak = std::max(pooledPeak, held);
        sampleWith(step.nanoseconds, held);
    }
    model.trimUntil(events.lastNanoseconds, sample);
    // The last event's moment, whatever changed before it: where the idle figures are read.
    if (series.back().nanoseconds != events.lastNanoseconds - events.firstNanoseconds) {
        series.push_back(
            {events.lastNanoseconds - events.firstNanoseconds, actualHeld.held(), pooledHeld()});
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
    for (const Served& buffer : served) {
        if (buffer.count > 0) {
            model.pool().giveBack(std::span(rented).subspan(buffer.first, buffer.count));
        }
    }

    // By stack id, then by saving: sites that save as much stay in stack order.
    result.sites = std::move(sites);
    std::sort(result.sites.begin(), result.sites.end(),
              [](const WhatIfSite& a, const WhatIfSite& b) { return a.stackId < b.stackId; });
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
