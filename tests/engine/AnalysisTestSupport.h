#pragma once

#include <QtTest>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "diagnostics/MemoryEvent.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"

namespace poolscope::testing {

inline MemoryEvent allocationEvent(MemoryEventKind kind, AllocationId id, std::uint64_t bytes,
                                   StackId stackId, std::uint32_t threadId,
                                   std::int64_t timeNanoseconds,
                                   MemoryTier tier = MemoryTier::Unpooled) {
    MemoryEvent event;
    event.kind = kind;
    event.allocationId = id;
    event.bytes = bytes;
    event.stackId = stackId;
    event.threadId = threadId;
    event.timeNanoseconds = timeNanoseconds;
    event.tier = tier;
    return event;
}

constexpr std::uint64_t kMiB = 1024 * 1024;

// A recording's allocations with every figure known (AllocationAnalysisTest works them out),
// stack N being stacks[N - 1]:
//   1000 thread 1, stack 1: 100 bytes, freed at 2000 before thread 1 does anything else
//   3000 thread 1, stack 2: 2 MiB, never freed
//   4000 thread 1, stack 1: 300 bytes, freed at 6000 before thread 1 does anything else
//   5000 thread 2, stack 3: a group of two 4 MiB pool chunks, freed at 7000 and 7001 after
//        thread 2 made a small buffer of 50 bytes (stack 1, never freed) at 6500
//   8000 thread 3, stack 4: a descriptor (0 bytes), never closed
// The peak, 2 MiB + 300 + 8 MiB, is reached at 5001.
inline std::vector<MemoryEvent> knownAllocationPattern(std::array<StackId, 4> stacks = {1, 2, 3,
                                                                                        4}) {
    using Kind = MemoryEventKind;
    const auto [one, two, three, four] = stacks;
    return {
        allocationEvent(Kind::UnpooledAllocate, 1, 100, one, 1, 1000),
        allocationEvent(Kind::UnpooledFree, 1, 100, one, 1, 2000),
        allocationEvent(Kind::UnpooledAllocate, 2, 2 * kMiB, two, 1, 3000),
        allocationEvent(Kind::UnpooledAllocate, 3, 300, one, 1, 4000),
        allocationEvent(Kind::Rent, 4, 4 * kMiB, three, 2, 5000, MemoryTier::Pooled),
        allocationEvent(Kind::Rent, 4, 4 * kMiB, three, 2, 5001, MemoryTier::Pooled),
        allocationEvent(Kind::UnpooledFree, 3, 300, one, 1, 6000),
        allocationEvent(Kind::SmallRent, 5, 50, one, 2, 6500, MemoryTier::Small),
        allocationEvent(Kind::Return, 4, 4 * kMiB, three, 2, 7000, MemoryTier::Pooled),
        allocationEvent(Kind::Return, 4, 4 * kMiB, three, 2, 7001, MemoryTier::Pooled),
        allocationEvent(Kind::UnpooledAllocate, 6, 0, four, 3, 8000, MemoryTier::Descriptor),
    };
}

inline void writeRecording(const std::string& path, std::span<const MemoryEvent> events) {
    RecordingWriter::Options options;
    options.queueCapacityEvents = events.size() + 1;
    RecordingWriter writer(path, {{"scenario", "analysis"}}, options);
    writer.consume(events);
    writer.finish({}, 0);
}

// What a pass over the file finds, the events applied one by one as reading them page by page
// gives them: neither the blocks' decoders nor a summary involved.
inline AllocationAnalysis analysedEventByEvent(const RecordingReader& reader,
                                               const AnalysisRange& range = {}) {
    AllocationAnalyzer analyzer(range, reader.metaInteger("chunk_bytes"));
    RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            analyzer.apply(recorded.event);
        }
    });
    return analyzer.finish();
}

// Every figure of two analyses, compared (QCOMPARE: call it from a test function).
inline void compareAnalyses(const AllocationAnalysis& actual, const AllocationAnalysis& expected) {
    QCOMPARE(actual.range.fromNanoseconds, expected.range.fromNanoseconds);
    QCOMPARE(actual.range.toNanoseconds, expected.range.toNanoseconds);
    QCOMPARE(actual.events, expected.events);
    QCOMPARE(actual.firstEventNanoseconds, expected.firstEventNanoseconds);
    QCOMPARE(actual.peakBytes, expected.peakBytes);
    QCOMPARE(actual.peakNanoseconds, expected.peakNanoseconds);
    QCOMPARE(actual.sites, expected.sites);
    QVERIFY(actual.sizes == expected.sizes);
    QCOMPARE(actual.sizes.buckets(), expected.sizes.buckets());
    QCOMPARE(actual.thresholds, expected.thresholds);
}

}  // namespace poolscope::testing
