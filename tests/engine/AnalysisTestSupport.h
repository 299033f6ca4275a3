#pragma once

#include <QtTest>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisSummarizer.h"
#include "analysis/WhatIfCollector.h"
#include "diagnostics/MemoryEvent.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"

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

inline constexpr std::size_t kEventsPerBlock = 97;

// Several threads and call sites: temporaries (freed at once), pooled groups of several 4 MiB
// chunks, unpooled buffers over and under the small-buffer threshold, small buffers, mappings of
// a launched program (a few pages, freed by munmap or never), descriptors, the pool's releases,
// allocations never freed; times that sometimes step back, as several threads' do.
inline std::vector<MemoryEvent> craftedEvents(std::size_t allocations, unsigned seed) {
    using Kind = MemoryEventKind;
    std::mt19937_64 random(seed);
    std::vector<MemoryEvent> events;
    std::vector<MemoryEvent> live;
    std::int64_t time = 1'000'000;
    const auto freeOf = [&](MemoryEvent event) {
        event.kind = event.kind == Kind::Rent        ? Kind::Return
                     : event.kind == Kind::SmallRent ? Kind::SmallReturn
                                                     : Kind::UnpooledFree;
        event.threadId = static_cast<std::uint32_t>(1 + random() % 4);
        event.timeNanoseconds = time;
        const std::uint32_t pieces = event.kind == Kind::Return ? event.chunkCount : 1;
        for (std::uint32_t piece = 0; piece < pieces; ++piece) {
            events.push_back(event);
        }
    };
    for (std::size_t i = 0; i < allocations; ++i) {
        time += static_cast<std::int64_t>(random() % 5'000'000) - 500'000;
        const auto threadId = static_cast<std::uint32_t>(1 + random() % 4);
        if (!live.empty() && random() % 3 == 0) {
            const std::size_t index = random() % live.size();
            freeOf(live[index]);
            live[index] = live.back();
            live.pop_back();
        }
        if (random() % 50 == 0) {
            MemoryEvent release;
            release.kind = Kind::ReleaseRetained;
            release.timeNanoseconds = time;
            events.push_back(release);
        }
        const auto id = static_cast<AllocationId>(i + 1);
        const auto stackId = static_cast<StackId>(1 + random() % 40);
        MemoryEvent made;
        switch (random() % 6) {
            case 0:
                made = allocationEvent(Kind::Rent, id, 4 * kMiB, stackId, threadId, time,
                                       MemoryTier::Pooled);
                made.chunkCount = static_cast<std::uint32_t>(1 + random() % 3);
                break;
            case 1:
                made = allocationEvent(Kind::SmallRent, id, 16 + random() % 4096, stackId, threadId,
                                       time, MemoryTier::Small);
                break;
            case 2:
                made = allocationEvent(Kind::UnpooledAllocate, id, kMiB / 2 + random() % (2 * kMiB),
                                       stackId, threadId, time);
                break;
            case 3:
                made = allocationEvent(Kind::UnpooledAllocate, id, 4096 * (1 + random() % 8),
                                       stackId, threadId, time, MemoryTier::Mapped);
                break;
            case 4:
                made = allocationEvent(Kind::UnpooledAllocate, id, 0, stackId, threadId, time,
                                       MemoryTier::Descriptor);
                break;
            default:
                made = allocationEvent(Kind::UnpooledAllocate, id, 64 + random() % (3 * kMiB),
                                       stackId, threadId, time, MemoryTier::NativeHeap);
                break;
        }
        made.chunkCount = std::max<std::uint32_t>(made.chunkCount, 1);
        for (std::uint32_t chunk = 0; chunk < made.chunkCount; ++chunk) {
            made.chunkIndex = chunk;
            events.push_back(made);
        }
        if (random() % 4 == 0) {
            freeOf(made);  // at once: temporary
        } else {
            live.push_back(made);
        }
    }
    return events;
}

inline RecordingWriter::Options summarizingOptions(std::size_t events) {
    RecordingWriter::Options options = AnalysisSummarizer::recordingOptions();
    options.queueCapacityEvents = events + 1;
    options.eventsPerBlock = kEventsPerBlock;
    return options;
}

// A point every few blocks.
inline constexpr std::uint64_t kPointEvents = 5 * kEventsPerBlock;

// `events` recorded with a summary and a resume point every kPointEvents events, in batches as
// a run commits them: a point follows a commit.
inline void writeWithPoints(const std::string& path, std::span<const MemoryEvent> events) {
    RecordingWriter::Options options = summarizingOptions(events.size());
    options.resumePointEvents = kPointEvents;
    options.resumePointEventsPerByte = 0;
    options.commitInterval = std::chrono::milliseconds(2);
    options.blockInterval = std::chrono::milliseconds(2);
    RecordingWriter writer(path, {{"scenario", "resume points"}}, options);
    for (std::size_t at = 0; at < events.size(); at += kPointEvents) {
        const std::size_t batch = std::min<std::size_t>(kPointEvents, events.size() - at);
        writer.consume(events.subspan(at, batch));
        QTRY_COMPARE_WITH_TIMEOUT(writer.committedEvents(), std::uint64_t{at + batch}, 10000);
    }
    writer.finish({}, 0);
}

// What the what-if collects from the events applied one by one, as reading them page by page
// gives them: neither the blocks' decoders, a summary nor a resume point involved.
inline WhatIfEvents collectedEventByEvent(const RecordingReader& reader) {
    WhatIfCollector collector;
    RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            collector.add(recorded.sequence, recorded.event);
        }
    });
    return collector.finish();
}

// A change to a written recording, as a damaged or cut-short file would have it.
inline void changeFile(const std::string& path, const std::string& sql) {
    SqliteDatabase database(path, SqliteDatabase::Mode::CreateNew);
    database.execute(sql);
}

inline void writeSummarized(const std::string& path, std::span<const MemoryEvent> events) {
    RecordingWriter writer(path, {{"scenario", "summary"}}, summarizingOptions(events.size()));
    writer.consume(events);
    writer.finish({}, 0);
}

}  // namespace poolscope::testing
