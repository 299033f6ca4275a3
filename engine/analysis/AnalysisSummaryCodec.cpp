#include "analysis/AnalysisSummaryCodec.h"

#include <cstdint>
#include <limits>
#include <memory>

#include "analysis/SummaryBytes.h"
#include "recording/RecordingError.h"

namespace poolscope {

namespace {

// The fewest bytes each record takes, so that a count is checked against what is left.
constexpr std::size_t kSiteBytes = 9;
constexpr std::size_t kBucketBytes = 3;
constexpr std::size_t kReleaseBytes = 2;
constexpr std::size_t kBufferBytes = 10;
constexpr std::size_t kSampleBytes = 3;
constexpr std::size_t kSavingBytes = 4;
constexpr std::size_t kThreadEndBytes = 2;
constexpr std::size_t kLeftLiveBytes = 3;

using Writer = SummaryBytes::Writer;
using Reader = SummaryBytes::Reader;

constexpr const char* kSummary = SummaryBytes::kSummary;

void encodeAllocationsFigures(Writer& out, const AllocationAnalysis& analysis) {
    out.signedValue(analysis.firstEventNanoseconds);
    out.unsignedValue(analysis.events);
    out.unsignedValue(analysis.peakBytes);
    out.signedValue(analysis.peakNanoseconds);
    out.unsignedValue(analysis.sites.size());
    StackId previous = 0;
    for (const CallSiteCost& site : analysis.sites) {
        // Sorted by stack id: each is a small step from the one before.
        out.unsignedValue(site.stackId - previous);
        previous = site.stackId;
        for (const std::uint64_t figure :
             {site.allocations, site.bytes, site.temporaryAllocations, site.temporaryBytes,
              site.leakedAllocations, site.leakedBytes, site.peakAllocations, site.peakBytes}) {
            out.unsignedValue(figure);
        }
    }
    std::size_t used = 0;
    for (int bucket = 0; bucket < SizeHistogram::kBuckets; ++bucket) {
        used += analysis.sizes.requestsIn(bucket) > 0 ? 1 : 0;
    }
    out.unsignedValue(used);
    for (int bucket = 0; bucket < SizeHistogram::kBuckets; ++bucket) {
        if (analysis.sizes.requestsIn(bucket) > 0) {
            out.unsignedValue(static_cast<std::uint64_t>(bucket));
            out.unsignedValue(analysis.sizes.requestsIn(bucket));
            out.unsignedValue(analysis.sizes.bytesIn(bucket));
        }
    }
}

void decodeAllocationsFigures(Reader& in, AllocationAnalysis& analysis) {
    analysis.firstEventNanoseconds = in.signedValue();
    analysis.events = in.unsignedValue();
    analysis.peakBytes = in.unsignedValue();
    analysis.peakNanoseconds = in.signedValue();
    const std::size_t sites = in.count(kSiteBytes, "call sites");
    analysis.sites.resize(sites);
    std::uint64_t stackId = 0;
    for (CallSiteCost& site : analysis.sites) {
        stackId += in.unsignedValue();
        site.stackId = in.stackId(stackId, "a call site's");
        for (std::uint64_t* figure :
             {&site.allocations, &site.bytes, &site.temporaryAllocations, &site.temporaryBytes,
              &site.leakedAllocations, &site.leakedBytes, &site.peakAllocations, &site.peakBytes}) {
            *figure = in.unsignedValue();
        }
    }
    const std::size_t buckets = in.count(kBucketBytes, "size buckets");
    int previous = -1;
    for (std::size_t i = 0; i < buckets; ++i) {
        const std::uint64_t bucket = in.unsignedValue();
        if (bucket >= SizeHistogram::kBuckets || static_cast<int>(bucket) <= previous) {
            in.fail("a size bucket is out of range or out of order");
        }
        previous = static_cast<int>(bucket);
        const std::uint64_t requests = in.unsignedValue();
        const std::uint64_t bytes = in.unsignedValue();
        analysis.sizes.addToBucket(previous, requests, bytes);
    }
}

// `value` as a step from `from`, wrapping as unsigned numbers do, so that any two values have
// a step and damaged steps cannot overflow.
std::int64_t stepBetween(std::int64_t from, std::int64_t value) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(value) -
                                     static_cast<std::uint64_t>(from));
}

std::int64_t steppedFrom(std::int64_t from, std::int64_t step) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(from) +
                                     static_cast<std::uint64_t>(step));
}

// The buffers a column at a time, times and sequences as steps from the buffer before (made)
// or from the buffer's making (freed): a recording with many large buffers stores them in a few
// bytes each.
void encodeWhatIfFigures(Writer& out, const WhatIfEvents& events) {
    out.signedValue(events.firstNanoseconds);
    out.signedValue(events.lastNanoseconds);
    out.unsignedValue(events.releases.size());
    WhatIfRelease previousRelease;
    for (const WhatIfRelease& release : events.releases) {
        out.signedValue(stepBetween(previousRelease.sequence, release.sequence));
        out.signedValue(stepBetween(previousRelease.nanoseconds, release.nanoseconds));
        previousRelease = release;
    }
    const std::vector<WhatIfBuffer>& buffers = events.buffers;
    out.unsignedValue(buffers.size());
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(buffer.stackId);
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(static_cast<std::uint64_t>(buffer.tier));
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(buffer.bytes);
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(buffer.pieces);
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(buffer.pieces - buffer.piecesFreed);
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.unsignedValue(buffer.poolChunks);
    }
    WhatIfBuffer previous;
    for (const WhatIfBuffer& buffer : buffers) {
        out.signedValue(stepBetween(previous.madeSequence, buffer.madeSequence));
        previous = buffer;
    }
    previous = WhatIfBuffer{};
    for (const WhatIfBuffer& buffer : buffers) {
        out.signedValue(stepBetween(previous.madeNanoseconds, buffer.madeNanoseconds));
        previous = buffer;
    }
    // 0: never freed (a freed buffer's last piece is an event after its first).
    for (const WhatIfBuffer& buffer : buffers) {
        out.signedValue(
            buffer.freedSequence < 0 ? 0 : stepBetween(buffer.madeSequence, buffer.freedSequence));
    }
    for (const WhatIfBuffer& buffer : buffers) {
        out.signedValue(stepBetween(buffer.madeNanoseconds, buffer.freedNanoseconds));
    }
}

void encodeReplayFigures(Writer& out, const WhatIfResult& result) {
    for (const WhatIfFigures* figures : {&result.actual, &result.pooled}) {
        for (const std::uint64_t figure :
             {figures->mapCalls, figures->unmapCalls, figures->bytesFaultedIn,
              figures->peakHeldBytes, figures->idleHeldBytes}) {
            out.unsignedValue(figure);
        }
    }
    out.unsignedValue(result.largeRequests);
    out.unsignedValue(static_cast<std::uint64_t>(result.poolCapacityChunks));
    out.unsignedValue(result.chunkBytes);
    out.signedValue(result.trimPeriodMilliseconds);
    out.unsignedValue(result.heldOverTime.size());
    std::int64_t previous = 0;
    for (const WhatIfHeldSample& sample : result.heldOverTime) {
        out.signedValue(stepBetween(previous, sample.nanoseconds));
        previous = sample.nanoseconds;
        out.unsignedValue(sample.actualBytes);
        out.unsignedValue(sample.pooledBytes);
    }
    out.unsignedValue(result.sites.size());
    for (const WhatIfSite& site : result.sites) {
        out.unsignedValue(site.stackId);
        out.unsignedValue(site.requests);
        out.signedValue(site.mapCallsSaved);
        out.signedValue(site.bytesFaultedInSaved);
    }
}

void decodeReplayFigures(Reader& in, WhatIfResult& result) {
    for (WhatIfFigures* figures : {&result.actual, &result.pooled}) {
        for (std::uint64_t* figure :
             {&figures->mapCalls, &figures->unmapCalls, &figures->bytesFaultedIn,
              &figures->peakHeldBytes, &figures->idleHeldBytes}) {
            *figure = in.unsignedValue();
        }
    }
    result.largeRequests = in.unsignedValue();
    const std::uint64_t capacity = in.unsignedValue();
    if (capacity > INT32_MAX) {
        in.fail("the replayed pool's capacity is out of range");
    }
    result.poolCapacityChunks = static_cast<int>(capacity);
    result.chunkBytes = in.unsignedValue();
    result.trimPeriodMilliseconds = in.signedValue();
    result.heldOverTime.resize(in.count(kSampleBytes, "samples of memory held"));
    std::int64_t previous = 0;
    for (WhatIfHeldSample& sample : result.heldOverTime) {
        sample.nanoseconds = previous = steppedFrom(previous, in.signedValue());
        sample.actualBytes = in.unsignedValue();
        sample.pooledBytes = in.unsignedValue();
    }
    result.sites.resize(in.count(kSavingBytes, "call sites of the replay"));
    for (WhatIfSite& site : result.sites) {
        site.stackId = in.stackId(in.unsignedValue(), "a replayed call site's");
        site.requests = in.unsignedValue();
        site.mapCallsSaved = in.signedValue();
        site.bytesFaultedInSaved = in.signedValue();
    }
}

// What the allocations come to at the end: the late rents, each thread's last allocation or
// free, and the allocations live at the end with what they hold then.
void encodeEndsFigures(Writer& out, const AllocationEnds& ends) {
    out.unsignedValue(ends.lateRents);
    out.unsignedValue(ends.threads.size());
    std::uint32_t previousThread = 0;
    for (const AllocationEnds::ThreadEnd& thread : ends.threads) {
        // Sorted by thread id and by allocation id: each a step up from the one before.
        out.unsignedValue(thread.threadId - previousThread);
        previousThread = thread.threadId;
        out.unsignedValue(static_cast<std::uint64_t>(thread.lastSequence));
    }
    out.unsignedValue(ends.leftLive.size());
    AllocationId previousId = 0;
    for (const AllocationEnds::LeftLive& live : ends.leftLive) {
        out.unsignedValue(live.allocationId - previousId);
        previousId = live.allocationId;
        out.unsignedValue(static_cast<std::uint64_t>(live.firstSequence));
        out.unsignedValue(live.heldBytes);
    }
    // Last, so that a summary stored before it was kept still reads, as not knowing it.
    if (ends.heldMostSinceLastPoint) {
        out.unsignedValue(*ends.heldMostSinceLastPoint);
    }
}

void decodeEndsFigures(Reader& in, AllocationEnds& ends) {
    // A sequence past int64's range, or an id that does not rise, is damage: the lookups
    // need the order.
    const auto sequence = [&in](const char* whose) {
        const std::uint64_t value = in.unsignedValue();
        if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            in.fail(std::string(whose) + " event number is out of range");
        }
        return static_cast<std::int64_t>(value);
    };
    ends.lateRents = in.unsignedValue();
    ends.threads.resize(in.count(kThreadEndBytes, "threads"));
    std::uint64_t thread = 0;
    for (std::size_t i = 0; i < ends.threads.size(); ++i) {
        const std::uint64_t step = in.unsignedValue();
        thread += step;
        if ((i > 0 && step == 0) || thread > UINT32_MAX) {
            in.fail("its threads are out of order or out of range");
        }
        ends.threads[i] = {static_cast<std::uint32_t>(thread), sequence("a thread's last")};
    }
    ends.leftLive.resize(in.count(kLeftLiveBytes, "allocations live at the end"));
    AllocationId id = 0;
    for (std::size_t i = 0; i < ends.leftLive.size(); ++i) {
        const std::uint64_t step = in.unsignedValue();
        if ((i > 0 && step == 0) || step > std::numeric_limits<AllocationId>::max() - id) {
            in.fail("its allocations live at the end are out of order or out of range");
        }
        id += step;
        AllocationEnds::LeftLive& live = ends.leftLive[i];
        live.allocationId = id;
        live.firstSequence = sequence("an allocation's first");
        live.heldBytes = in.unsignedValue();
    }
    if (!in.atEnd()) {
        ends.heldMostSinceLastPoint = in.unsignedValue();
        std::uint64_t heldAtTheEnd = 0;
        for (const AllocationEnds::LeftLive& live : ends.leftLive) {
            heldAtTheEnd += live.heldBytes;
        }
        if (*ends.heldMostSinceLastPoint < heldAtTheEnd) {
            in.fail("the most held since the last resume point is less than it holds at the end");
        }
    }
}

std::vector<unsigned char> decompressed(std::span<const unsigned char> data,
                                        const std::string& path) {
    return SummaryBytes::decompressed(data, path, kSummary);
}

// A part's figures written by `encode`, compressed.
template <typename Figures, typename Encode>
std::vector<unsigned char> encodedFigures(const Figures& figures, Encode encode) {
    Writer raw;
    encode(raw, figures);
    return SummaryBytes::compressed(raw);
}

// A part's figures read by `decode`, which must take every byte.
template <typename Figures, typename Decode>
Figures decodedFigures(std::span<const unsigned char> data, const std::string& path,
                       Decode decode) {
    const std::vector<unsigned char> raw = decompressed(data, path);
    Reader in(raw, path, kSummary);
    Figures figures;
    decode(in, figures);
    if (!in.atEnd()) {
        in.fail("bytes follow its last figure");
    }
    return figures;
}

}  // namespace

// The buffers are stored a column at a time and decoded a column at a time over a few thousand
// buffers, which stay in cache while their ten columns are read: a column at a time over every
// buffer went over a recording's millions of buffers, which do not, ten times.
struct AnalysisSummaryCodec::WhatIfStream::State {
    enum Column { Stack, Tier, Bytes, Pieces, Live, PoolChunks, Made, MadeAt, Freed, FreedAt };

    State(std::span<const unsigned char> data, const std::string& file)
        : path(file), raw(decompressed(data, path)), in(raw, path, kSummary) {
        header.firstNanoseconds = in.signedValue();
        header.lastNanoseconds = in.signedValue();
        header.releases.resize(in.count(kReleaseBytes, "pool releases"));
        WhatIfRelease previousRelease;
        for (WhatIfRelease& release : header.releases) {
            release.sequence = steppedFrom(previousRelease.sequence, in.signedValue());
            release.nanoseconds = steppedFrom(previousRelease.nanoseconds, in.signedValue());
            previousRelease = release;
        }
        size = in.count(kBufferBytes, "large buffers");
        for (int column = Stack; column <= FreedAt; ++column) {
            columns.push_back(in.column(size));
        }
        if (!in.atEnd()) {
            in.fail("bytes follow its last figure");
        }
    }

    // The buffers a column at a time, each column's reader in a local: a column's loop is
    // then a few instructions a number, where a buffer at a time read every reader back from
    // memory after each store into a buffer, which might have overwritten it.
    void decode(std::span<WhatIfBuffer> buffers) {
        eachOf(Stack, buffers, [this](WhatIfBuffer& buffer, Reader& column) {
            buffer.stackId = in.stackId(column.unsignedValue(), "a large buffer's");
        });
        eachOf(Tier, buffers, [this](WhatIfBuffer& buffer, Reader& column) {
            const std::uint64_t tier = column.unsignedValue();
            if (tier > static_cast<std::uint64_t>(kLastMemoryTier)) {
                in.fail("a large buffer's tier is out of range");
            }
            buffer.tier = static_cast<MemoryTier>(tier);
        });
        eachOf(Bytes, buffers,
               [](WhatIfBuffer& buffer, Reader& column) { buffer.bytes = column.unsignedValue(); });
        eachOf(Pieces, buffers, [](WhatIfBuffer& buffer, Reader& column) {
            buffer.pieces = column.unsignedValue();
        });
        eachOf(Live, buffers, [this](WhatIfBuffer& buffer, Reader& column) {
            const std::uint64_t live = column.unsignedValue();
            if (live > buffer.pieces) {
                in.fail("a large buffer has more pieces live than it has");
            }
            buffer.piecesFreed = buffer.pieces - live;
        });
        eachOf(PoolChunks, buffers, [](WhatIfBuffer& buffer, Reader& column) {
            buffer.poolChunks = column.unsignedValue();
        });
        // Each buffer's making is an event after the one before's, its last piece freed an
        // event after its making: the replay takes them in that order.
        std::int64_t sequence = madeSequence;
        eachOf(Made, buffers, [this, &sequence](WhatIfBuffer& buffer, Reader& column) {
            const std::int64_t made = steppedFrom(sequence, column.signedValue());
            if (made <= sequence) {
                in.fail("its large buffers are out of the order they were made in");
            }
            buffer.madeSequence = sequence = made;
        });
        madeSequence = sequence;
        std::int64_t nanoseconds = madeNanoseconds;
        eachOf(MadeAt, buffers, [&nanoseconds](WhatIfBuffer& buffer, Reader& column) {
            buffer.madeNanoseconds = nanoseconds = steppedFrom(nanoseconds, column.signedValue());
        });
        madeNanoseconds = nanoseconds;
        eachOf(Freed, buffers, [this](WhatIfBuffer& buffer, Reader& column) {
            const std::int64_t step = column.signedValue();
            buffer.freedSequence = step == 0 ? -1 : steppedFrom(buffer.madeSequence, step);
            if (step != 0 && buffer.freedSequence <= buffer.madeSequence) {
                in.fail("a large buffer is freed before it was made");
            }
        });
        eachOf(FreedAt, buffers, [](WhatIfBuffer& buffer, Reader& column) {
            buffer.freedNanoseconds = steppedFrom(buffer.madeNanoseconds, column.signedValue());
        });
    }

    template <typename Read>
    void eachOf(Column column, std::span<WhatIfBuffer> buffers, Read&& read) {
        Reader local = columns[column];
        for (WhatIfBuffer& buffer : buffers) {
            read(buffer, local);
        }
        columns[column] = local;
    }

    std::string path;
    std::vector<unsigned char> raw;
    Reader in;
    WhatIfEvents header;
    std::vector<Reader> columns;
    std::size_t size = 0;
    std::size_t decoded = 0;
    std::int64_t madeSequence = 0;
    std::int64_t madeNanoseconds = 0;
};

AnalysisSummaryCodec::WhatIfStream::WhatIfStream(std::span<const unsigned char> data,
                                                 const std::string& path)
    : state_(std::make_unique<State>(data, path)) {}

AnalysisSummaryCodec::WhatIfStream::~WhatIfStream() = default;

const WhatIfEvents& AnalysisSummaryCodec::WhatIfStream::header() const {
    return state_->header;
}

std::size_t AnalysisSummaryCodec::WhatIfStream::size() const {
    return state_->size;
}

void AnalysisSummaryCodec::WhatIfStream::next(std::vector<WhatIfBuffer>& chunk, std::size_t most) {
    chunk.resize(std::min(most, state_->size - state_->decoded));
    constexpr std::size_t kInCache = 2048;
    for (std::size_t from = 0; from < chunk.size(); from += kInCache) {
        state_->decode(
            std::span<WhatIfBuffer>(chunk).subspan(from, std::min(kInCache, chunk.size() - from)));
    }
    state_->decoded += chunk.size();
}

std::vector<unsigned char> AnalysisSummaryCodec::encodeAllocations(
    const AllocationAnalysis& analysis) {
    return encodedFigures(analysis, encodeAllocationsFigures);
}

std::vector<unsigned char> AnalysisSummaryCodec::encodeWhatIf(const WhatIfEvents& events) {
    return encodedFigures(events, encodeWhatIfFigures);
}

std::vector<unsigned char> AnalysisSummaryCodec::encodeWhatIfResult(const WhatIfResult& result) {
    return encodedFigures(result, encodeReplayFigures);
}

std::vector<unsigned char> AnalysisSummaryCodec::encodeAllocationEnds(const AllocationEnds& ends) {
    return encodedFigures(ends, encodeEndsFigures);
}

AllocationAnalysis AnalysisSummaryCodec::decodeAllocations(std::span<const unsigned char> data,
                                                           const std::string& path) {
    return decodedFigures<AllocationAnalysis>(data, path, decodeAllocationsFigures);
}

WhatIfEvents AnalysisSummaryCodec::decodeWhatIf(std::span<const unsigned char> data,
                                                const std::string& path) {
    WhatIfStream stream(data, path);
    WhatIfEvents events = stream.header();
    stream.next(events.buffers, stream.size());
    return events;
}

WhatIfResult AnalysisSummaryCodec::decodeWhatIfResult(std::span<const unsigned char> data,
                                                      const std::string& path) {
    return decodedFigures<WhatIfResult>(data, path, decodeReplayFigures);
}

AllocationEnds AnalysisSummaryCodec::decodeAllocationEnds(std::span<const unsigned char> data,
                                                          const std::string& path) {
    return decodedFigures<AllocationEnds>(data, path, decodeEndsFigures);
}

}  // namespace poolscope
