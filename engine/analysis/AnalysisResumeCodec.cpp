#include "analysis/AnalysisResumeCodec.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/SummaryBytes.h"

namespace poolscope {

namespace {

using Writer = SummaryBytes::Writer;
using Reader = SummaryBytes::Reader;

constexpr const char* kResumePoint = "a resume point of the analyses";
// The fewest bytes each record takes, so that a count is checked against what is left.
constexpr std::size_t kLiveBytes = 8;
constexpr std::size_t kThreadBytes = 4;
constexpr std::size_t kIdBytes = 1;

// A summary part inside a resume point's, behind its size.
void putPart(Writer& out, const std::vector<unsigned char>& part) {
    out.unsignedValue(part.size());
    out.bytes.insert(out.bytes.end(), part.begin(), part.end());
}

std::span<const unsigned char> partOf(Reader& in) {
    return in.take(in.count(1, "bytes of a summary part"));
}

std::int64_t sequenceOf(Reader& in, const char* whose) {
    const std::uint64_t value = in.unsignedValue();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        in.fail(std::string(whose) + " event number is out of range");
    }
    return static_cast<std::int64_t>(value);
}

bool flagOf(Reader& in, const char* what) {
    return in.atMost(1, what) == 1;
}

void encodeAllocationFigures(Writer& out, const AllocationAnalyzer::State& state) {
    // The analysis as a summary stores it, its sites' figures with it (they are by stack id).
    AllocationAnalysis analysis = state.analysis;
    analysis.sites.clear();
    for (const AllocationAnalyzer::State::Site& site : state.sites) {
        analysis.sites.push_back(site.cost);
    }
    putPart(out, AnalysisSummaryCodec::encodeAllocations(analysis));
    out.unsignedValue(state.sawEvent ? 1 : 0);
    out.unsignedValue(state.heldBytes);
    out.unsignedValue(state.lateRents);
    for (const AllocationAnalyzer::State::Site& site : state.sites) {
        out.unsignedValue(site.heldBytes);
        out.unsignedValue(site.heldAllocations);
        out.unsignedValue(site.changedSincePeak ? 1 : 0);
    }
    out.unsignedValue(state.live.size());
    AllocationId previousId = 0;
    for (const AllocationAnalyzer::State::LiveAllocation& live : state.live) {
        // By id: each a step up from the one before.
        out.unsignedValue(live.id - previousId);
        previousId = live.id;
        out.unsignedValue(static_cast<std::uint64_t>(live.sequence));
        out.unsignedValue(live.requestedBytes);
        out.unsignedValue(live.heldBytes);
        out.unsignedValue(live.site);
        out.unsignedValue(live.liveChunks);
        out.unsignedValue(static_cast<std::uint64_t>(live.tier));
        out.unsignedValue(live.temporary ? 1 : 0);
    }
    out.unsignedValue(state.threads.size());
    std::uint32_t previousThread = 0;
    for (const AllocationAnalyzer::State::Thread& thread : state.threads) {
        out.unsignedValue(thread.threadId - previousThread);
        previousThread = thread.threadId;
        out.unsignedValue(thread.lastAllocation);
        out.unsignedValue(static_cast<std::uint64_t>(thread.lastSequence));
        out.unsignedValue(thread.lastIsLive ? 1 : 0);
    }
    // Last, so that a point stored before it was kept still reads, as not knowing it.
    if (state.heldMostSincePoint) {
        out.unsignedValue(*state.heldMostSincePoint);
    }
}

void decodeAllocationFigures(Reader& in, AllocationAnalyzer::State& state,
                             const std::string& path) {
    AllocationAnalysis analysis = AnalysisSummaryCodec::decodeAllocations(partOf(in), path);
    state.sawEvent = flagOf(in, "whether it saw an event");
    state.heldBytes = in.unsignedValue();
    state.lateRents = in.unsignedValue();
    state.sites.resize(analysis.sites.size());
    for (std::size_t i = 0; i < analysis.sites.size(); ++i) {
        // An analyzer finds a site by its stack: two of one stack would be one site.
        if (i > 0 && analysis.sites[i].stackId <= analysis.sites[i - 1].stackId) {
            in.fail("its call sites are out of order or repeated");
        }
        AllocationAnalyzer::State::Site& site = state.sites[i];
        site.cost = analysis.sites[i];
        site.heldBytes = in.unsignedValue();
        site.heldAllocations =
            static_cast<std::uint32_t>(in.atMost(UINT32_MAX, "a site's live allocations"));
        site.changedSincePeak = flagOf(in, "whether a site changed since the peak");
    }
    analysis.sites.clear();
    state.analysis = std::move(analysis);
    state.live.resize(in.count(kLiveBytes, "live allocations"));
    AllocationId id = 0;
    for (std::size_t i = 0; i < state.live.size(); ++i) {
        const std::uint64_t step = in.unsignedValue();
        if ((i > 0 && step == 0) || step > std::numeric_limits<AllocationId>::max() - id) {
            in.fail("its live allocations are out of order or out of range");
        }
        id += step;
        AllocationAnalyzer::State::LiveAllocation& live = state.live[i];
        live.id = id;
        live.sequence = sequenceOf(in, "a live allocation's first");
        live.requestedBytes = in.unsignedValue();
        live.heldBytes = in.unsignedValue();
        if (state.sites.empty()) {
            in.fail("a live allocation has no call site");
        }
        live.site = static_cast<std::uint32_t>(
            in.atMost(state.sites.size() - 1, "a live allocation's call site"));
        live.liveChunks =
            static_cast<std::uint32_t>(in.atMost(UINT32_MAX, "a live allocation's chunks"));
        live.tier = static_cast<MemoryTier>(
            in.atMost(static_cast<std::uint64_t>(kLastMemoryTier), "a live allocation's tier"));
        live.temporary = flagOf(in, "whether a live allocation is temporary");
    }
    state.threads.resize(in.count(kThreadBytes, "threads"));
    std::uint64_t thread = 0;
    for (std::size_t i = 0; i < state.threads.size(); ++i) {
        const std::uint64_t step = in.unsignedValue();
        thread += step;
        if ((i > 0 && step == 0) || thread > UINT32_MAX) {
            in.fail("its threads are out of order or out of range");
        }
        AllocationAnalyzer::State::Thread& last = state.threads[i];
        last.threadId = static_cast<std::uint32_t>(thread);
        last.lastAllocation = in.unsignedValue();
        last.lastSequence = sequenceOf(in, "a thread's last");
        last.lastIsLive = flagOf(in, "whether a thread's last allocation is live");
    }
    if (!in.atEnd()) {
        state.heldMostSincePoint = in.unsignedValue();
        if (*state.heldMostSincePoint < state.heldBytes) {
            in.fail("the most it held since the point before is less than it holds");
        }
    }
}

void encodeWhatIfFigures(Writer& out, const WhatIfCollector::State& state) {
    out.unsignedValue(state.started ? 1 : 0);
    putPart(out, AnalysisSummaryCodec::encodeWhatIf(state.following));
    out.unsignedValue(state.liveIds.size());
    for (const AllocationId id : state.liveIds) {
        out.unsignedValue(id);
    }
}

void decodeWhatIfFigures(Reader& in, WhatIfCollector::State& state, const std::string& path) {
    state.started = flagOf(in, "whether it saw an event");
    state.following = AnalysisSummaryCodec::decodeWhatIf(partOf(in), path);
    state.liveIds.resize(in.count(kIdBytes, "live buffers"));
    if (state.liveIds.size() != state.following.buffers.size()) {
        in.fail("its live buffers and their ids disagree in number");
    }
    for (AllocationId& id : state.liveIds) {
        id = in.unsignedValue();
    }
    std::vector<AllocationId> sorted = state.liveIds;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        in.fail("two live buffers have one id");
    }
}

template <typename State, typename Encode>
std::vector<unsigned char> encoded(const State& state, Encode encode) {
    Writer raw;
    encode(raw, state);
    return SummaryBytes::compressed(raw);
}

template <typename State, typename Decode>
State decoded(std::span<const unsigned char> data, const std::string& path, Decode decode) {
    const std::vector<unsigned char> raw = SummaryBytes::decompressed(data, path, kResumePoint);
    Reader in(raw, path, kResumePoint);
    State state;
    decode(in, state, path);
    if (!in.atEnd()) {
        in.fail("bytes follow its last figure");
    }
    return state;
}

}  // namespace

std::vector<unsigned char> AnalysisResumeCodec::encodeAllocationState(
    const AllocationAnalyzer::State& state) {
    return encoded(state, encodeAllocationFigures);
}

std::vector<unsigned char> AnalysisResumeCodec::encodeWhatIfState(
    const WhatIfCollector::State& state) {
    return encoded(state, encodeWhatIfFigures);
}

std::vector<unsigned char> AnalysisResumeCodec::encodeWhatIfKept(
    std::span<const WhatIfBuffer> kept) {
    WhatIfEvents events;
    events.buffers.assign(kept.begin(), kept.end());
    std::sort(events.buffers.begin(), events.buffers.end(),
              [](const WhatIfBuffer& a, const WhatIfBuffer& b) {
                  return a.madeSequence < b.madeSequence;
              });
    return AnalysisSummaryCodec::encodeWhatIf(events);
}

std::vector<unsigned char> AnalysisResumeCodec::encodeWhatIfRest(const WhatIfEvents& rest,
                                                                 std::uint64_t keptAtPoints) {
    Writer out;
    out.unsignedValue(keptAtPoints);
    const std::vector<unsigned char> part = AnalysisSummaryCodec::encodeWhatIf(rest);
    out.bytes.insert(out.bytes.end(), part.begin(), part.end());
    return std::move(out.bytes);
}

AnalysisResumeCodec::WhatIfRest AnalysisResumeCodec::splitWhatIfRest(
    std::span<const unsigned char> data, const std::string& path) {
    Reader in(data, path, SummaryBytes::kSummary);
    WhatIfRest rest;
    rest.keptAtPoints = in.unsignedValue();
    rest.part = data.subspan(in.position());
    return rest;
}

AllocationAnalyzer::State AnalysisResumeCodec::decodeAllocationState(
    std::span<const unsigned char> data, const std::string& path) {
    return decoded<AllocationAnalyzer::State>(data, path, decodeAllocationFigures);
}

WhatIfCollector::State AnalysisResumeCodec::decodeWhatIfState(std::span<const unsigned char> data,
                                                              const std::string& path) {
    return decoded<WhatIfCollector::State>(data, path, decodeWhatIfFigures);
}

}  // namespace poolscope
