#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

class EventBlockCodec;
class SqliteDatabase;

// The event_blocks table of a schema version 3 recording: its events, numbered 1, 2, ... with
// no gap, a block of consecutive ones a row (EventBlockCodec encodes each).
class EventBlockTable {
public:
    // A block's row: its numbers, the earliest and latest time among its events, and its data.
    static void insert(SqliteDatabase& database, std::int64_t firstSequence,
                       std::span<const MemoryEvent> events, std::span<const unsigned char> data);

    // The blocks holding the events after `afterSequence`, decoded, in order, until `visit`
    // returns false. A block whose numbers do not follow on from the one before, or whose
    // count disagrees with its numbers, is a RecordingError naming `path` (a deleted or
    // garbled row), as is a block the codec refuses.
    using Visit = std::function<bool(std::int64_t firstSequence, std::vector<MemoryEvent>&&)>;
    static void forEach(SqliteDatabase& database, const std::string& path, EventBlockCodec& codec,
                        std::int64_t afterSequence, const Visit& visit);

    // The same blocks as they are stored, checked the same way but not decoded, so that
    // others can decode them (EventBlockCodec::decode, on threads of their own).
    struct Encoded {
        std::int64_t firstSequence = 0;
        std::int64_t eventCount = 0;
        int encoding = 0;
        std::vector<unsigned char> data;
    };
    using VisitEncoded = std::function<bool(Encoded&&)>;
    // The last event of the leading blocks whose latest time is before `nanoseconds`, 0 for
    // none (RecordingReader::lastEventOfBlocksBefore).
    static std::int64_t lastEventOfBlocksBefore(SqliteDatabase& database, std::int64_t nanoseconds);
    // The first event of the trailing blocks whose earliest time is after `nanoseconds`, `none`
    // for none (RecordingReader::firstEventOfBlocksAfter).
    static std::int64_t firstEventOfBlocksAfter(SqliteDatabase& database, std::int64_t nanoseconds,
                                                std::int64_t none);
    static void forEachEncoded(SqliteDatabase& database, const std::string& path,
                               std::int64_t afterSequence, const VisitEncoded& visit);
};

}  // namespace poolscope
