#include "analysis/WhatIfReplay.h"

#include <algorithm>
#include <array>
#include <bit>
#include <optional>
#include <span>

#include "analysis/AnalysisSummary.h"
#include "analysis/FlatIdMap.h"
#include "base/Clock.h"
#include "memory/MemoryAllocatorOptions.h"
#include "memory/PooledMemoryAllocator.h"
#include "recording/RecordingEventPages.h"

namespace poolscope {

namespace {

std::uint64_t chunksFor(std::uint64_t bytes, std::uint64_t chunkBytes) {
    return std::max<std::uint64_t>(1, (bytes + chunkBytes - 1) / chunkBytes);
}

// A buffer's last piece freed: when, and which buffer.
struct Freed {
    std::int64_t sequence = 0;
    std::size_t buffer = 0;
};

// Frees sorted by sequence, a radix sort on the sequences' offsets from the lowest: the frees
// of a recording with millions of large buffers took a comparison sort a tenth of a replay. As
// few passes as digits of at most kMostBits allow (two for a recording of 1 GB), each digit's
// counts still in cache.
constexpr int kMostBits = 14;

void sortBySequence(std::vector<Freed>& frees) {
    if (frees.size() < 2) {
        return;
    }
    const auto [lowest, highest] =
        std::minmax_element(frees.begin(), frees.end(),
                            [](const Freed& a, const Freed& b) { return a.sequence < b.sequence; });
    const auto base = static_cast<std::uint64_t>(lowest->sequence);
    const std::uint64_t span = static_cast<std::uint64_t>(highest->sequence) - base;
    const int spanBits = static_cast<int>(std::bit_width(span));
    const int passes = std::max(1, (spanBits + kMostBits - 1) / kMostBits);
    const int bits = (spanBits + passes - 1) / passes;
    const std::size_t buckets = std::size_t{1} << bits;
    std::vector<Freed> sorted(frees.size());
    std::vector<std::size_t> start(buckets + 1);
    for (int shift = 0; shift < 64 && (span >> shift) != 0; shift += bits) {
        std::fill(start.begin(), start.end(), 0);
        const auto digit = [&](const Freed& freed) {
            return static_cast<std::size_t>(
                ((static_cast<std::uint64_t>(freed.sequence) - base) >> shift) & (buckets - 1));
        };
        for (const Freed& freed : frees) {
            ++start[digit(freed) + 1];
        }
        for (std::size_t bucket = 0; bucket < buckets; ++bucket) {
            start[bucket + 1] += start[bucket];
        }
        for (const Freed& freed : frees) {
            sorted[start[digit(freed)]++] = freed;
        }
        frees.swap(sorted);
    }
}

// The events with their buffers in the order they were made and their releases in order, as
// a pass and a summary give them; a damaged summary's come in any order and are sorted into
// `copy`.
const WhatIfEvents& inRecordingOrder(const WhatIfEvents& events, WhatIfEvents& copy) {
    const auto byMade = [](const WhatIfBuffer& a, const WhatIfBuffer& b) {
        return a.madeSequence < b.madeSequence;
    };
    const auto byRelease = [](const WhatIfRelease& a, const WhatIfRelease& b) {
        return a.sequence < b.sequence;
    };
    if (std::is_sorted(events.buffers.begin(), events.buffers.end(), byMade) &&
        std::is_sorted(events.releases.begin(), events.releases.end(), byRelease)) {
        return events;
    }
    copy = events;
    std::stable_sort(copy.buffers.begin(), copy.buffers.end(), byMade);
    std::stable_sort(copy.releases.begin(), copy.releases.end(), byRelease);
    return copy;
}

// Every buffer's making and freeing and every release, in the recording's order, one at a
// time. The buffers come in the order they were made and the releases in order: only the
// frees are sorted, and the three merged as the replay goes, as a list of every step cost a
// replay of millions of buffers a third of its time in memory traffic alone.
class Steps {
public:
    enum class Kind { Make, Free, Release };

    explicit Steps(const WhatIfEvents& events) : events_(events) {
        const std::vector<WhatIfBuffer>& buffers = events.buffers;
        for (std::size_t index = 0; index < buffers.size(); ++index) {
            if (buffers[index].freedSequence >= 0) {
                frees_.push_back({buffers[index].freedSequence, index});
            }
        }
        sortBySequence(frees_);
    }

    // The buffer freed `ahead` frees from now, or none: the replay reads it early, as frees
    // come in an order of their own and reading each buffer as it is freed waited on memory.
    std::optional<std::size_t> freedAhead(std::size_t ahead) const {
        if (freed_ + ahead >= frees_.size()) {
            return std::nullopt;
        }
        return frees_[freed_ + ahead].buffer;
    }

    // The next step's kind and its buffer or release, or false after the last. Sequences are
    // unique (a step is one event); ties of a damaged summary go to releases, then makings.
    bool next(Kind& kind, std::size_t& index) {
        const bool releaseLeft = release_ < events_.releases.size();
        const bool madeLeft = made_ < events_.buffers.size();
        const bool freedLeft = freed_ < frees_.size();
        const std::int64_t releaseAt = releaseLeft ? events_.releases[release_].sequence : 0;
        const std::int64_t madeAt = madeLeft ? events_.buffers[made_].madeSequence : 0;
        const std::int64_t freedAt = freedLeft ? frees_[freed_].sequence : 0;
        if (releaseLeft && (!madeLeft || releaseAt <= madeAt) &&
            (!freedLeft || releaseAt <= freedAt)) {
            kind = Kind::Release;
            index = release_++;
        } else if (madeLeft && (!freedLeft || madeAt <= freedAt)) {
            kind = Kind::Make;
            index = made_++;
        } else if (freedLeft) {
            kind = Kind::Free;
            index = frees_[freed_++].buffer;
        } else {
            return false;
        }
        return true;
    }

private:
    const WhatIfEvents& events_;
    std::vector<Freed> frees_;
    std::size_t release_ = 0;
    std::size_t made_ = 0;
    std::size_t freed_ = 0;
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
        settings.observed = false;
        return settings;
    }

    ManualClock clock_;
    FixedLoadSource load_;
    PooledMemoryAllocator allocator_;
    std::int64_t trimInterval_ = 0;
    std::int64_t nextTrim_ = 0;
};

// A buffer as the replay holds it: what its free reads, in one place, and how the pool model
// served it: `chunks` chunks chained from `firstSlot` (RentedChunks), or unpooled mappings.
struct Held {
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::int64_t freedNanoseconds = 0;
    std::uint64_t unpooledMaps = 0;
    std::int32_t firstSlot = -1;
    std::uint32_t chunks = 0;
    std::size_t site = 0;  // in the replay's list of sites
};

// The chunks each buffer holds, as chains through the pool's slots: a buffer keeps its first
// slot, each slot the next. A slot is rented to one buffer at a time, so the chains take the
// pool's size however many buffers a recording has; a list of every chunk ever rented took a
// gigabyte for a recording with millions of large buffers.
class RentedChunks {
public:
    explicit RentedChunks(int capacity)
        : chunks_(static_cast<std::size_t>(capacity)), next_(static_cast<std::size_t>(capacity)) {}

    // Chains `rented` in order; its first slot (-1 for none).
    std::int32_t hold(std::span<const PoolChunk> rented) {
        if (rented.empty()) {
            return -1;
        }
        for (std::size_t i = 0; i < rented.size(); ++i) {
            const auto slot = static_cast<std::size_t>(rented[i].slot);
            chunks_[slot] = rented[i];
            next_[slot] = i + 1 < rented.size() ? rented[i + 1].slot : -1;
        }
        return rented.front().slot;
    }

    // The `count` chunks chained from `first`, in the order they were rented (the pool puts
    // them back on its stack so that the next rent gets that order again).
    std::span<const PoolChunk> chain(std::int32_t first, std::uint32_t count) {
        walked_.clear();
        for (std::int32_t slot = first; walked_.size() < count && slot >= 0;
             slot = next_[static_cast<std::size_t>(slot)]) {
            walked_.push_back(chunks_[static_cast<std::size_t>(slot)]);
        }
        return walked_;
    }

private:
    std::vector<PoolChunk> chunks_;
    std::vector<std::int32_t> next_;
    std::vector<PoolChunk> walked_;
};

// Memory held over time as a plot draws it: every change while a column of the recording's
// time (one of kColumns) holds few, and where one holds more than a plot could show, only the
// column's first and last samples and its highest and lowest both ways. No peak is lost, and a
// recording with millions of large buffers gives a series of thousands of samples, not of
// millions (a sample each took more memory than the buffers themselves).
class HeldSeries {
public:
    HeldSeries(std::int64_t firstNanoseconds, std::int64_t lastNanoseconds,
               std::vector<WhatIfHeldSample>& out)
        : first_(firstNanoseconds),
          width_(std::max<std::int64_t>(1, (lastNanoseconds - firstNanoseconds) / kColumns + 1)),
          out_(out) {}

    // A sample at `nanoseconds` on the recording's clock; one equal to the sample before adds
    // nothing.
    void add(std::int64_t nanoseconds, std::uint64_t actualBytes, std::uint64_t pooledBytes) {
        const WhatIfHeldSample sample{nanoseconds - first_, actualBytes, pooledBytes};
        if (seen_ > 0 && last_.sample.actualBytes == actualBytes &&
            last_.sample.pooledBytes == pooledBytes) {
            return;
        }
        const std::int64_t column = sample.nanoseconds / width_;
        if (inColumn_ > 0 && column != column_) {
            flush();
        }
        column_ = column;
        const Candidate candidate{seen_++, sample};
        if (inColumn_ < kKept) {
            kept_[inColumn_] = sample;
            firstOf_ = inColumn_ == 0 ? candidate : firstOf_;
            highestActual_ = inColumn_ == 0 ? candidate : highestActual_;
            lowestActual_ = inColumn_ == 0 ? candidate : lowestActual_;
            highestPooled_ = inColumn_ == 0 ? candidate : highestPooled_;
            lowestPooled_ = inColumn_ == 0 ? candidate : lowestPooled_;
        }
        ++inColumn_;
        last_ = candidate;
        if (actualBytes > highestActual_.sample.actualBytes) {
            highestActual_ = candidate;
        }
        if (actualBytes < lowestActual_.sample.actualBytes) {
            lowestActual_ = candidate;
        }
        if (pooledBytes > highestPooled_.sample.pooledBytes) {
            highestPooled_ = candidate;
        }
        if (pooledBytes < lowestPooled_.sample.pooledBytes) {
            lowestPooled_ = candidate;
        }
    }

    // The last column, then a sample at `nanoseconds` (the recording's last event) unless the
    // series already ends there: where the idle figures are read.
    void finish(std::int64_t nanoseconds, std::uint64_t actualBytes, std::uint64_t pooledBytes) {
        if (inColumn_ > 0) {
            flush();
        }
        if (out_.empty() || out_.back().nanoseconds != nanoseconds - first_) {
            out_.push_back({nanoseconds - first_, actualBytes, pooledBytes});
        }
    }

private:
    static constexpr std::int64_t kColumns = 4096;
    static constexpr std::size_t kKept = 6;

    struct Candidate {
        std::uint64_t order = 0;
        WhatIfHeldSample sample;
    };

    void flush() {
        if (inColumn_ <= kKept) {
            out_.insert(out_.end(), kept_.begin(),
                        kept_.begin() + static_cast<std::ptrdiff_t>(inColumn_));
        } else {
            std::array<Candidate, kKept> picked{firstOf_,       highestActual_, lowestActual_,
                                                highestPooled_, lowestPooled_,  last_};
            std::sort(picked.begin(), picked.end(),
                      [](const Candidate& a, const Candidate& b) { return a.order < b.order; });
            for (std::size_t i = 0; i < picked.size(); ++i) {
                if (i == 0 || picked[i].order != picked[i - 1].order) {
                    out_.push_back(picked[i].sample);
                }
            }
        }
        inColumn_ = 0;
    }

    std::int64_t first_;
    std::int64_t width_;
    std::vector<WhatIfHeldSample>& out_;
    std::uint64_t seen_ = 0;
    Candidate last_;
    std::int64_t column_ = 0;
    std::size_t inColumn_ = 0;
    std::array<WhatIfHeldSample, kKept> kept_{};
    Candidate firstOf_;
    Candidate highestActual_;
    Candidate lowestActual_;
    Candidate highestPooled_;
    Candidate lowestPooled_;
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

WhatIfReplay::Options WhatIfReplay::summaryOptions() {
    Options options;
    options.poolSizeMegabytes = MemoryAllocatorOptions::kInspectorPoolSizeMegabytes;
    return options;
}

bool WhatIfReplay::isReplayWith(const WhatIfResult& result, const Options& options) {
    PoolModel model(options, 0);
    return result.poolCapacityChunks == model.pool().capacity() &&
           result.chunkBytes == static_cast<std::uint64_t>(model.settings().poolChunkBytes) &&
           result.trimPeriodMilliseconds == options.trimPeriod.count();
}

WhatIfResult WhatIfReplay::of(const RecordingReader& reader, const Options& options) {
    if (std::optional<WhatIfResult> stored = AnalysisSummary::whatIfResultOf(reader);
        stored && isReplayWith(*stored, options)) {
        return std::move(*stored);
    }
    return of(eventsOf(reader), options);
}

WhatIfResult WhatIfReplay::of(const WhatIfEvents& given, const Options& options) {
    WhatIfEvents reordered;
    const WhatIfEvents& events = inRecordingOrder(given, reordered);
    WhatIfResult result;
    result.largeRequests = events.buffers.size();
    PoolModel model(options, events.firstNanoseconds);
    const auto chunkBytes = static_cast<std::uint64_t>(model.settings().poolChunkBytes);
    const auto unpooledChunkBytes = static_cast<std::uint64_t>(model.settings().unpooledChunkBytes);
    result.chunkBytes = chunkBytes;
    result.poolCapacityChunks = model.pool().capacity();
    result.trimPeriodMilliseconds = options.trimPeriod.count();

    // The sites by stack id, in an array that stays in cache: a tree's nodes cost a cache miss
    // each for every buffer of a recording with many large ones.
    FlatIdMap<std::size_t> siteIndex;
    std::vector<WhatIfSite> sites;
    // Each buffer's site found before the replay, in one pass whose lookups do not wait on
    // each other: found as the replay made each buffer, they waited on memory one at a time.
    std::vector<Held> held(events.buffers.size());
    for (std::size_t index = 0; index < held.size(); ++index) {
        const WhatIfBuffer& buffer = events.buffers[index];
        held[index].bytes = buffer.bytes;
        held[index].pieces = buffer.pieces;
        held[index].freedNanoseconds = buffer.freedNanoseconds;
        const auto [site, added] = siteIndex.tryEmplace(buffer.stackId, sites.size());
        if (added) {
            sites.push_back({buffer.stackId, 0, 0, 0});
        }
        held[index].site = *site;
    }
    RentedChunks chains(model.pool().capacity());
    std::vector<PoolChunk> rented;
    HeldBytes actualHeld;
    HeldBytes unpooledHeld;
    std::uint64_t pooledPeak = 0;
    std::uint64_t unpooledMaps = 0;
    std::uint64_t unpooledUnmaps = 0;
    std::uint64_t unpooledFaulted = 0;
    // The pool's figures as of the last change to it: every change is followed by a sample,
    // which reads them once.
    UniformChunkPool::Stats stats = model.pool().stats();
    const auto pooledHeld = [&] {
        return static_cast<std::uint64_t>(stats.rented + stats.retained) * chunkBytes +
               unpooledHeld.held();
    };
    // Every change is sampled, several at one moment too: a buffer made and freed within one
    // timestamp still shows as a spike, so the series' highest is the peak.
    HeldSeries series(events.firstNanoseconds, events.lastNanoseconds, result.heldOverTime);
    const auto sample = [&](std::int64_t nanoseconds) {
        stats = model.pool().stats();
        series.add(nanoseconds, actualHeld.held(), pooledHeld());
    };
    sample(events.firstNanoseconds);

    Steps steps(events);
    Steps::Kind kind = Steps::Kind::Make;
    std::size_t index = 0;
    constexpr std::size_t kAhead = 8;
    while (steps.next(kind, index)) {
        if (kind == Steps::Kind::Release) {
            const WhatIfRelease& release = events.releases[index];
            model.trimUntil(release.nanoseconds, sample);
            model.pool().release();
            sample(release.nanoseconds);
            continue;
        }
        Held& buffer = held[index];
        if (kind == Steps::Kind::Free) {
            if (const std::optional<std::size_t> ahead = steps.freedAhead(kAhead)) {
                __builtin_prefetch(&held[*ahead], 1);
            }
            model.trimUntil(buffer.freedNanoseconds, sample);
            result.actual.unmapCalls += buffer.pieces;
            actualHeld.remove(buffer.bytes);
            if (buffer.chunks == 0) {
                unpooledUnmaps += buffer.unpooledMaps;
                unpooledHeld.remove(buffer.bytes);
            } else {
                model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
                buffer.chunks = 0;
            }
            sample(buffer.freedNanoseconds);
            continue;
        }
        const WhatIfBuffer& request = events.buffers[index];
        model.trimUntil(request.madeNanoseconds, sample);
        if (index + kAhead < held.size()) {
            __builtin_prefetch(&sites[held[index + kAhead].site], 1);
        }
        WhatIfSite& saving = sites[buffer.site];
        ++saving.requests;
        result.actual.mapCalls += request.pieces;
        result.actual.bytesFaultedIn += request.bytes;
        actualHeld.add(request.bytes);
        saving.mapCallsSaved += static_cast<std::int64_t>(request.pieces);
        saving.bytesFaultedInSaved += static_cast<std::int64_t>(request.bytes);

        // A group takes as many chunks as the recorded pool gave it, or as its bytes fill; one
        // of more chunks than the pool has is never offered to it (nor its list allocated).
        const std::uint64_t chunks =
            request.poolChunks > 0 ? request.poolChunks : chunksFor(request.bytes, chunkBytes);
        const std::uint64_t createdBefore = stats.slotsCreated;
        rented.clear();
        if (chunks <= static_cast<std::uint64_t>(model.pool().capacity()) &&
            model.pool().rent(static_cast<int>(chunks), rented)) {
            buffer.firstSlot = chains.hold(rented);
            buffer.chunks = static_cast<std::uint32_t>(rented.size());
            sample(request.madeNanoseconds);
            const std::uint64_t created = stats.slotsCreated - createdBefore;
            saving.mapCallsSaved -= static_cast<std::int64_t>(created);
            saving.bytesFaultedInSaved -= static_cast<std::int64_t>(created * chunkBytes);
        } else {
            // As the allocator does when the pool cannot take it: exact size, in group chunks.
            buffer.unpooledMaps = chunksFor(request.bytes, unpooledChunkBytes);
            unpooledMaps += buffer.unpooledMaps;
            unpooledHeld.add(request.bytes);
            unpooledFaulted += request.bytes;
            saving.mapCallsSaved -= static_cast<std::int64_t>(buffer.unpooledMaps);
            saving.bytesFaultedInSaved -= static_cast<std::int64_t>(request.bytes);
            sample(request.madeNanoseconds);
        }
        pooledPeak = std::max(pooledPeak, pooledHeld());
    }
    model.trimUntil(events.lastNanoseconds, sample);
    series.finish(events.lastNanoseconds, actualHeld.held(), pooledHeld());

    result.actual.peakHeldBytes = actualHeld.peak();
    result.actual.idleHeldBytes = actualHeld.held();
    result.pooled.mapCalls = stats.slotsCreated + unpooledMaps;
    result.pooled.unmapCalls = stats.chunksFreed + unpooledUnmaps;
    result.pooled.bytesFaultedIn = stats.slotsCreated * chunkBytes + unpooledFaulted;
    result.pooled.peakHeldBytes = pooledPeak;
    result.pooled.idleHeldBytes = pooledHeld();
    // The pool outlives its allocator while chunks are rented: every chunk goes back first.
    for (const Held& buffer : held) {
        if (buffer.chunks > 0) {
            model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
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
