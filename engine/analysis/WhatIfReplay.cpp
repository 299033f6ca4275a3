#include "analysis/WhatIfReplay.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <span>

#include "analysis/AnalysisSummary.h"
#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/ChunkFeed.h"
#include "analysis/WhatIfBufferRuns.h"
#include "analysis/WhatIfSteps.h"
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

// A buffer as the replay holds it, by its step's slot: what its free reads, and how the pool
// model served it: `chunks` chunks chained from `firstSlot` (RentedChunks), or unpooled
// mappings.
struct Held {
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::uint64_t unpooledMaps = 0;
    std::int32_t firstSlot = -1;
    std::uint32_t chunks = 0;
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
    std::vector<Held>& held;
    RentedChunks& chains;

    ~ReturnedAtExit() {
        for (const Held& buffer : held) {
            if (buffer.chunks > 0) {
                model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
            }
        }
    }
};

// The replay of the buffers `buffers` gives in the order they were made, with the times and
// releases of `events`: put in order with what really happened (WhatIfSteps) on a thread of its
// own, through the pool model on this one.
WhatIfResult replay(const WhatIfEvents& events, WhatIfSteps::Buffers buffers,
                    const WhatIfReplay::Options& options) {
    WhatIfResult result;
    PoolModel model(options, events.firstNanoseconds);
    const auto chunkBytes = static_cast<std::uint64_t>(model.settings().poolChunkBytes);
    const auto unpooledChunkBytes = static_cast<std::uint64_t>(model.settings().unpooledChunkBytes);
    result.chunkBytes = chunkBytes;
    result.poolCapacityChunks = model.pool().capacity();
    result.trimPeriodMilliseconds = options.trimPeriod.count();

    // By the steps' index of each site; their stacks are the steps' at the end.
    std::vector<WhatIfSite> sites;
    std::vector<Held> held;
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

    constexpr std::size_t kAhead = 8;
    // Three stages, each on a thread of its own: the buffers decoded, put in order as steps,
    // replayed here. Each is declared before the feed whose thread uses it until the feed goes.
    ChunkFeed<WhatIfBuffer> decoded(std::move(buffers));
    WhatIfSteps steps(
        [&decoded](std::vector<WhatIfBuffer>& chunk, std::size_t) { decoded.next(chunk); },
        events.releases, chunkBytes);
    ChunkFeed<WhatIfStep> feed(
        [&steps](std::vector<WhatIfStep>& chunk, std::size_t most) { steps.next(chunk, most); });
    std::vector<WhatIfStep> chunk;
    for (feed.next(chunk); !chunk.empty(); feed.next(chunk)) {
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            // A site's figures and a buffer's fetched a few steps ahead: a program's sites
            // spread over more memory than the cache holds.
            if (i + kAhead < chunk.size()) {
                const WhatIfStep& ahead = chunk[i + kAhead];
                if (ahead.site < sites.size()) {
                    __builtin_prefetch(&sites[ahead.site], 1);
                }
                if (ahead.slot < held.size()) {
                    __builtin_prefetch(&held[ahead.slot], 1);
                }
            }
            const WhatIfStep& step = chunk[i];
            // The trims up to the step see what was held before it.
            model.trimUntil(step.nanoseconds, sample);
            if (step.kind == WhatIfStep::Kind::Release) {
                model.pool().release();
                sample(step.nanoseconds);
                continue;
            }
            if (step.slot >= held.size()) {
                held.resize(step.slot + 1);
            }
            Held& buffer = held[step.slot];
            if (step.kind == WhatIfStep::Kind::Free) {
                result.actual.unmapCalls += buffer.pieces;
                actualHeld.remove(buffer.bytes);
                if (buffer.chunks == 0) {
                    unpooledUnmaps += buffer.unpooledMaps;
                    unpooledHeld.remove(buffer.bytes);
                    samplePoolAsItWas(step.nanoseconds);
                } else {
                    model.pool().giveBack(chains.chain(buffer.firstSlot, buffer.chunks));
                    buffer.chunks = 0;
                    sample(step.nanoseconds);
                }
                continue;
            }
            buffer = Held{};
            buffer.bytes = step.bytes;
            buffer.pieces = step.pieces;
            ++result.largeRequests;
            if (step.site >= sites.size()) {
                sites.resize(step.site + 1);
            }
            WhatIfSite& saving = sites[step.site];
            ++saving.requests;
            result.actual.mapCalls += step.pieces;
            result.actual.bytesFaultedIn += step.bytes;
            actualHeld.add(step.bytes);
            saving.mapCallsSaved += static_cast<std::int64_t>(step.pieces);
            saving.bytesFaultedInSaved += static_cast<std::int64_t>(step.bytes);
            // A group of more chunks than the pool has is never offered to it (nor its list
            // allocated).
            const std::uint64_t createdBefore = stats.slotsCreated;
            rented.clear();
            if (step.chunks <= static_cast<std::uint64_t>(model.pool().capacity()) &&
                model.pool().rent(static_cast<int>(step.chunks), rented)) {
                buffer.firstSlot = chains.hold(rented);
                buffer.chunks = static_cast<std::uint32_t>(rented.size());
                sample(step.nanoseconds);
                const std::uint64_t created = stats.slotsCreated - createdBefore;
                saving.mapCallsSaved -= static_cast<std::int64_t>(created);
                saving.bytesFaultedInSaved -= static_cast<std::int64_t>(created * chunkBytes);
            } else {
                // As the allocator does when the pool cannot take it: exact size, in group
                // chunks.
                buffer.unpooledMaps = chunksFor(step.bytes, unpooledChunkBytes);
                unpooledMaps += buffer.unpooledMaps;
                unpooledHeld.add(step.bytes);
                unpooledFaulted += step.bytes;
                saving.mapCallsSaved -= static_cast<std::int64_t>(buffer.unpooledMaps);
                saving.bytesFaultedInSaved -= static_cast<std::int64_t>(step.bytes);
                // A rent the pool refused changed nothing in it.
                samplePoolAsItWas(step.nanoseconds);
            }
            pooledPeak = std::max(pooledPeak, pooledHeld());
        }
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
    // The feed has made its last step, and with it numbered every site.
    const std::vector<StackId>& stacks = steps.siteStacks();
    for (std::size_t site = 0; site < sites.size(); ++site) {
        sites[site].stackId = stacks[site];
    }
    result.sites = std::move(sites);
    // By stack id, then by saving: sites that save as much stay in stack order.
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

// The runs' buffers, merged on the steps' thread as the replay takes them.
WhatIfResult replayOf(WhatIfBufferRuns& runs, const WhatIfReplay::Options& options) {
    return replay(
        runs.header(),
        [&runs](std::vector<WhatIfBuffer>& chunk, std::size_t most) { runs.next(chunk, most); },
        options);
}

}  // namespace

WhatIfResult WhatIfReplay::of(const WhatIfEvents& given, const Options& options) {
    WhatIfEvents reordered;
    const WhatIfEvents& events = inRecordingOrder(given, reordered);
    const std::span<const WhatIfBuffer> buffers = events.buffers;
    std::size_t at = 0;
    return replay(
        events,
        [buffers, &at](std::vector<WhatIfBuffer>& chunk, std::size_t most) {
            const std::size_t count = std::min(most, buffers.size() - at);
            chunk.assign(buffers.begin() + static_cast<std::ptrdiff_t>(at),
                         buffers.begin() + static_cast<std::ptrdiff_t>(at + count));
            at += count;
        },
        options);
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
