#include "recording/RecordingSchema.h"

#include <algorithm>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

const char* RecordingSchema::createStatements() {
    return R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE event_blocks (
    first_seq   INTEGER PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    first_ns    INTEGER NOT NULL,
    last_ns     INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    encoding    INTEGER NOT NULL,
    data        BLOB NOT NULL
);
CREATE TABLE event_kinds (
    kind INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE modules (
    module_id    INTEGER PRIMARY KEY,
    path         TEXT NOT NULL,
    build_id     TEXT NOT NULL,
    load_address INTEGER NOT NULL
);
CREATE TABLE stack_blocks (
    block       INTEGER PRIMARY KEY,
    stack_count INTEGER NOT NULL,
    encoding    INTEGER NOT NULL,
    data        BLOB NOT NULL
);
CREATE TABLE frames (
    address      INTEGER NOT NULL,
    inline_depth INTEGER NOT NULL,
    function     TEXT,
    file         TEXT,
    line         INTEGER,
    module       TEXT,
    inlined      INTEGER NOT NULL,
    PRIMARY KEY (address, inline_depth)
) WITHOUT ROWID;
CREATE TABLE allocations (
    allocation_id INTEGER PRIMARY KEY,
    first_ns      INTEGER NOT NULL,
    last_ns       INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    tier          INTEGER NOT NULL,
    stack_id      INTEGER NOT NULL,
    thread_id     INTEGER NOT NULL,
    tag           TEXT,
    leak          TEXT
);
CREATE TABLE snapshots (
    seq                 INTEGER PRIMARY KEY,
    time_ns             INTEGER NOT NULL,
    last_event_seq      INTEGER NOT NULL,
    rented_chunks       INTEGER NOT NULL,
    retained_chunks     INTEGER NOT NULL,
    unpooled_bytes      INTEGER NOT NULL,
    small_bytes         INTEGER NOT NULL,
    writer_dropped      INTEGER NOT NULL
);
CREATE TABLE tags (
    tag_id INTEGER PRIMARY KEY,
    name   TEXT NOT NULL
);
CREATE TABLE analysis_summary (
    encoding INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    data     BLOB NOT NULL
);
CREATE TABLE analysis_resume_points (
    encoding INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (encoding, last_seq)
);
)sql";
}

void AllocationFigures::add(const MemoryEvent& event) {
    using K = MemoryEventKind;
    firstNs = std::min(firstNs, event.timeNanoseconds);
    lastNs = std::max(lastNs, event.timeNanoseconds);
    const bool rent =
        event.kind == K::Rent || event.kind == K::UnpooledAllocate || event.kind == K::SmallRent;
    const bool release =
        event.kind == K::Return || event.kind == K::UnpooledFree || event.kind == K::SmallReturn;
    bytes += rent ? event.bytes : 0;
    liveChunks += rent ? 1 : release ? -1 : 0;
    undisposed = undisposed || event.kind == K::Undisposed;
    tier = std::min(tier, static_cast<int>(event.tier));
    stackId = std::max(stackId, event.stackId);
    threadId = std::min(threadId, event.threadId);
}

std::string RecordingSchema::allocationsFromEvents() {
    // An allocation's size is what its rent events handed out (a pooled group rents one chunk
    // per event).
    const std::string rentKinds =
        std::to_string(static_cast<int>(MemoryEventKind::Rent)) + ", " +
        std::to_string(static_cast<int>(MemoryEventKind::UnpooledAllocate)) + ", " +
        std::to_string(static_cast<int>(MemoryEventKind::SmallRent));
    return "SELECT allocation_id, MIN(time_ns), MAX(time_ns), SUM(CASE WHEN kind IN (" + rentKinds +
           ") THEN bytes ELSE 0 END), MIN(tier), MAX(stack_id), MIN(thread_id) FROM events "
           "WHERE allocation_id != 0 GROUP BY allocation_id";
}

}  // namespace poolscope
