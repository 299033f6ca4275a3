#include "analysis/WhatIfReplay.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <span>

#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/FlatIdMap.h"
#include "analysis/PendingFrees.h"
#include "analysis/WhatIfBufferRuns.h"
#include "analysis/WhatIfFeed.h"
#include "base/Clock.h"
#include "memory/MemoryAllocatorOptions.h"
#include "memory/PooledMemoryAllocator.h"
#include "recording/RecordingError.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"

namespace poolscope {

namespace {

std::uint64_t chunksFor(std::uint64_t bytes, std::uint64_t chunkBytes) {
    return std::max<std::uint64_t>(1, (bytes + chunkBytes - 1) / chunkBytes);
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

// The buffers the replay holds, each in a slot that a freed buffer's next one reuses: as many
// as are live at once.
class HeldSlots {
public:
    std::uint32_t take() {
        if (free_.empty()) {
            held_.emplace_back();
            return static_cast<std::uint32_t>(held_.size() - 1);
        }
        const std::uint32_t slot = free_.back();
        free_.pop_back();
        held_[slot] = Held{};
        return slot;
    }
    void give(std::uint32_t slot) { free_.push_back(slot); }
    Held& operator[](std::uint32_t slot) { return held_[slot]; }
    // Every slot, a freed buffer's with no chunks.
    std::span<const Held> all() const { return held_; }

private:
    std::vector<Held> held_;
    std::vector<std::uint32_t> free_;
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
    try {
        if (const std::unique_ptr<WhatIfBufferRuns> resumed = WhatIfBufferRuns::resumed(reader)) {
            return resumed->all();
        }
    } catch (const RecordingError&) {
        // A point damaged further on: the whole pass, which names any damage of the events.
    }
    return everyEvent(reader);
}

WhatIfEvents WhatIfReplay::everyEvent(const RecordingReader& reader) {
    WhatIfCollector collector;
    if (reader.schemaVersion() < 3) {
        RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
            for (const RecordedEvent& recorded : page) {
                collector.add(recorded.sequence, recorded.event);
            }
        });
        return collector.finish();
    }
    // The blocks decoded on other threads, with the fields the collector reads: a version 3
    // recording numbers its events from 1 without a gap (RecordingChecks sees to it as it
    // opens), so the blocks' events are numbered on from there.
    std::int64_t sequence = 1;
    RecordingEventBlocks::forEach(
        reader,
        [&](std::span<const MemoryEvent> events) {
            for (const MemoryEvent& event : events) {
                collector.add(sequence++, event);
            }
            return true;
        },
        0, 0, std::numeric_limits<std::int64_t>::max(), EventBlockCodec::Fields::Allocations);
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

namespace {

// Gives back the chunks the replay's buffers still hold when it goes out of scope.
struct ReturnedAtExit {
    PoolModel& model;
    HeldSlots& held;
    RentedChunks& chains;

    ~ReturnedAtExit() {
        for (const Held& buffer : held.all()) {
            if (buffer.chunks > 0) {
                model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
            }
        }
    }
};

// The replay of the buffers `feed` gives, with the times and releases of `events`.
WhatIfResult replay(const WhatIfEvents& events, WhatIfFeed& feed,
                    const WhatIfReplay::Options& options) {
    WhatIfResult result;
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
    // Each chunk's sites found before its buffers are replayed, in one loop whose lookups do
    // not wait on each other: found as the replay made each buffer, they waited on memory one
    // at a time.
    std::span<const WhatIfBuffer> chunk;
    std::vector<std::size_t> chunkSites;
    std::size_t at = 0;
    bool fed = true;
    const auto refill = [&] {
        chunk = feed.next();
        at = 0;
        fed = !chunk.empty();
        chunkSites.resize(chunk.size());
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const auto [site, added] = siteIndex.tryEmplace(chunk[i].stackId, sites.size());
            if (added) {
                sites.push_back({chunk[i].stackId, 0, 0, 0});
            }
            chunkSites[i] = *site;
        }
    };
    HeldSlots held;
    PendingFrees frees;
    RentedChunks chains(model.pool().capacity());
    // The pool outlives its allocator while chunks are rented: every chunk goes back before
    // the model goes, at the end or when a damaged summary stops the replay.
    const ReturnedAtExit returned{model, held, chains};
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
    // After a change that left the pool as it was (a buffer it did not take): its figures are
    // not read again, which takes its lock, for each of millions of buffers.
    const auto samplePoolAsItWas = [&](std::int64_t nanoseconds) {
        series.add(nanoseconds, actualHeld.held(), pooledHeld());
    };
    sample(events.firstNanoseconds);

    // Each step is the next of the buffers' makings (in order), their frees (the earliest
    // pending) and the releases (in order). Sequences are unique (a step is one event); ties of
    // a damaged list go to releases, then makings.
    std::size_t release = 0;
    constexpr std::size_t kAhead = 8;
    refill();
    for (;;) {
        if (fed && at == chunk.size()) {
            refill();
        }
        const bool madeLeft = at < chunk.size();
        const bool releaseLeft = release < events.releases.size();
        const bool freedLeft = !frees.empty();
        const std::int64_t releaseAt = releaseLeft ? events.releases[release].sequence : 0;
        const std::int64_t madeAt = madeLeft ? chunk[at].madeSequence : 0;
        const std::int64_t freedAt = freedLeft ? frees.nextSequence() : 0;
        if (releaseLeft && (!madeLeft || releaseAt <= madeAt) &&
            (!freedLeft || releaseAt <= freedAt)) {
            const WhatIfRelease& step = events.releases[release++];
            model.trimUntil(step.nanoseconds, sample);
            model.pool().release();
            sample(step.nanoseconds);
            continue;
        }
        if (!madeLeft && !freedLeft) {
            break;
        }
        if (!madeLeft || (freedLeft && freedAt < madeAt)) {
            const std::uint32_t slot = frees.take();
            Held& buffer = held[slot];
            model.trimUntil(buffer.freedNanoseconds, sample);
            result.actual.unmapCalls += buffer.pieces;
            actualHeld.remove(buffer.bytes);
            if (buffer.chunks == 0) {
                unpooledUnmaps += buffer.unpooledMaps;
                unpooledHeld.remove(buffer.bytes);
                samplePoolAsItWas(buffer.freedNanoseconds);
            } else {
                model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
                buffer.chunks = 0;
                sample(buffer.freedNanoseconds);
            }
            held.give(slot);
            continue;
        }
        const WhatIfBuffer& request = chunk[at];
        if (at + kAhead < chunk.size()) {
            __builtin_prefetch(&sites[chunkSites[at + kAhead]], 1);
        }
        const std::uint32_t slot = held.take();
        Held& buffer = held[slot];
        buffer.bytes = request.bytes;
        buffer.pieces = request.pieces;
        buffer.freedNanoseconds = request.freedNanoseconds;
        if (request.freedSequence >= 0) {
            frees.add(request.freedSequence, slot);
        }
        ++result.largeRequests;
        model.trimUntil(request.madeNanoseconds, sample);
        WhatIfSite& saving = sites[chunkSites[at++]];
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
            // A rent the pool refused changed nothing in it.
            samplePoolAsItWas(request.madeNanoseconds);
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

// The runs' buffers, merged on a thread of their own as the replay takes them.
WhatIfResult replayOf(WhatIfBufferRuns& runs, const WhatIfReplay::Options& options) {
    WhatIfStreamFeed feed(
        [&runs](std::vector<WhatIfBuffer>& chunk, std::size_t most) { runs.next(chunk, most); });
    return replay(runs.header(), feed, options);
}

}  // namespace

WhatIfResult WhatIfReplay::of(const WhatIfEvents& given, const Options& options) {
    WhatIfEvents reordered;
    const WhatIfEvents& events = inRecordingOrder(given, reordered);
    WhatIfListFeed feed(events.buffers);
    return replay(events, feed, options);
}

WhatIfResult WhatIfReplay::of(const RecordingReader& reader, const Options& options) {
    if (std::optional<WhatIfResult> stored = AnalysisSummary::whatIfResultOf(reader);
        stored && isReplayWith(*stored, options)) {
        return std::move(*stored);
    }
    // The summary's buffers decoded as the replay goes: a recording of 1 GB may hold millions.
    if (const std::unique_ptr<WhatIfBufferRuns> runs = WhatIfBufferRuns::ofSummary(reader)) {
        try {
            return replayOf(*runs, options);
        } catch (const RecordingError&) {
            // Damaged further on: the pass, as for a summary damaged at its start.
        }
        return of(eventsByPass(reader), options);
    }
    // Without a summary, from the last resume point: its buffers merged as the replay goes.
    try {
        if (const std::unique_ptr<WhatIfBufferRuns> resumed = WhatIfBufferRuns::resumed(reader)) {
            return replayOf(*resumed, options);
        }
    } catch (const RecordingError&) {
        // A point damaged further on: the whole pass, which names any damage of the events.
    }
    return of(everyEvent(reader), options);
}

}  // namespace poolscope
