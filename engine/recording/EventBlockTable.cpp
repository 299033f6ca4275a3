#include "recording/EventBlockTable.h"

#include <algorithm>

#include "recording/EventBlockCodec.h"
#include "recording/RecordingError.h"
#include "recording/SqliteDatabase.h"

namespace poolscope {

void EventBlockTable::insert(SqliteDatabase& database, std::int64_t firstSequence,
                             std::span<const MemoryEvent> events,
                             std::span<const unsigned char> data) {
    std::int64_t firstNs = events.empty() ? 0 : events.front().timeNanoseconds;
    std::int64_t lastNs = firstNs;
    for (const MemoryEvent& event : events) {
        firstNs = std::min(firstNs, event.timeNanoseconds);
        lastNs = std::max(lastNs, event.timeNanoseconds);
    }
    const auto count = static_cast<std::int64_t>(events.size());
    database
        .cached(
            "INSERT INTO event_blocks (first_seq, last_seq, first_ns, last_ns, "
            "event_count, encoding, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, firstSequence)
        .bind(2, firstSequence + count - 1)
        .bind(3, firstNs)
        .bind(4, lastNs)
        .bind(5, count)
        .bind(6, std::int64_t{EventBlockCodec::kEncoding})
        .bindBlob(7, data)
        .execute();
}

void EventBlockTable::forEach(SqliteDatabase& database, const std::string& path,
                              EventBlockCodec& codec, std::int64_t afterSequence,
                              const Visit& visit) {
    forEachEncoded(database, path, afterSequence, [&](Encoded&& block) {
        std::vector<MemoryEvent> events =
            codec.decode(block.data, block.eventCount, block.encoding, path, block.firstSequence);
        return visit(block.firstSequence, std::move(events));
    });
}

void EventBlockTable::forEachEncoded(SqliteDatabase& database, const std::string& path,
                                     std::int64_t afterSequence, const VisitEncoded& visit) {
    // The block holding the event after afterSequence and those after it, found by first_seq,
    // the table's rowid: a page of a huge recording is a seek, not a scan.
    SqliteDatabase::Statement query(
        database,
        "SELECT first_seq, last_seq, event_count, encoding, data FROM event_blocks WHERE "
        "first_seq >= COALESCE((SELECT MAX(first_seq) FROM event_blocks WHERE first_seq <= ?), "
        "0) ORDER BY first_seq");
    query.bind(1, afterSequence + 1);
    std::int64_t expected = afterSequence + 1;  // the next event's number
    bool first = true;
    while (query.step()) {
        const std::int64_t firstSequence = query.integer(0);
        const std::int64_t lastSequence = query.integer(1);
        const std::int64_t count = query.integer(2);
        if (count < 1 || lastSequence - firstSequence + 1 != count) {
            throw RecordingError(path + " is corrupt: its event block from event " +
                                 std::to_string(firstSequence) + " to " +
                                 std::to_string(lastSequence) + " counts " + std::to_string(count) +
                                 " events");
        }
        if (lastSequence < expected) {
            continue;  // before afterSequence
        }
        const bool follows = first ? firstSequence <= expected : firstSequence == expected;
        if (!follows) {
            throw RecordingError(path + " is corrupt: its events " + std::to_string(expected) +
                                 " to " + std::to_string(firstSequence - 1) +
                                 " are missing (no event block holds them)");
        }
        first = false;
        const std::span<const unsigned char> data = query.blob(4);
        Encoded block{firstSequence, count, static_cast<int>(query.integer(3)),
                      std::vector<unsigned char>(data.begin(), data.end())};
        expected = lastSequence + 1;
        if (!visit(std::move(block))) {
            return;
        }
    }
}

std::int64_t EventBlockTable::lastEventOfBlocksBefore(SqliteDatabase& database,
                                                      std::int64_t nanoseconds) {
    // A row of a few numbers a block, read without the blocks' data: thousands for 1 GB.
    SqliteDatabase::Statement query(
        database, "SELECT last_seq, last_ns FROM event_blocks ORDER BY first_seq");
    std::int64_t last = 0;
    while (query.step() && query.integer(1) < nanoseconds) {
        last = query.integer(0);
    }
    return last;
}

std::int64_t EventBlockTable::firstEventOfBlocksAfter(SqliteDatabase& database,
                                                      std::int64_t nanoseconds, std::int64_t none) {
    SqliteDatabase::Statement query(
        database, "SELECT first_seq, first_ns FROM event_blocks ORDER BY first_seq DESC");
    std::int64_t first = none;
    while (query.step() && query.integer(1) > nanoseconds) {
        first = query.integer(0);
    }
    return first;
}

}  // namespace poolscope
