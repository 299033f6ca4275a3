#pragma once

#include <QString>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"

namespace poolscope::testing {

// Rents and returns in turn, allocation by allocation (every allocation is given back), with
// every field of an event set, so that a round trip shows any field that is lost.
inline std::vector<MemoryEvent> sampleEvents(std::size_t count, StackId stackId) {
    std::vector<MemoryEvent> events;
    for (std::size_t i = 0; i < count; ++i) {
        MemoryEvent event;
        event.timeNanoseconds = 1000 + static_cast<std::int64_t>(i) * 7;
        event.allocationId = 1 + i / 2;
        event.bytes = (i % 3 == 0) ? UINT64_MAX - i : 4096 * i;  // all 64 bits survive
        event.value = i * 11;
        event.value2 = i * 13;
        event.stackId = i % 5 == 0 ? stackId : 0;
        event.threadId = 4242;
        event.slot = static_cast<std::int32_t>(i % 4) - 1;
        event.chunkIndex = static_cast<std::uint32_t>(i % 2);
        event.chunkCount = 2;
        event.sourceId = 7;
        event.kind = i % 2 == 0 ? MemoryEventKind::Rent : MemoryEventKind::Return;
        event.tier = MemoryTier::Pooled;
        events.push_back(event);
    }
    return events;
}

inline bool sameEvent(const MemoryEvent& a, const MemoryEvent& b) {
    return a.timeNanoseconds == b.timeNanoseconds && a.allocationId == b.allocationId &&
           a.bytes == b.bytes && a.value == b.value && a.value2 == b.value2 &&
           a.stackId == b.stackId && a.threadId == b.threadId && a.slot == b.slot &&
           a.chunkIndex == b.chunkIndex && a.chunkCount == b.chunkCount &&
           a.sourceId == b.sourceId && a.kind == b.kind && a.tier == b.tier;
}

inline std::vector<RecordedEvent> readAll(const RecordingReader& reader, std::size_t pageSize) {
    std::vector<RecordedEvent> all;
    std::int64_t after = 0;
    for (;;) {
        const std::vector<RecordedEvent> page = reader.events(after, pageSize);
        if (page.empty()) {
            return all;
        }
        all.insert(all.end(), page.begin(), page.end());
        after = page.back().sequence;
    }
}

// The error opening and reading the whole recording gives, or an empty string.
inline QString openingError(const std::string& path) {
    try {
        RecordingReader reader(path);
        readAll(reader, 1000);
    } catch (const RecordingError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

inline void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace poolscope::testing
