#pragma once

#include <climits>
#include <cstdint>
#include <string>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// What a recording's events say of one allocation, as its allocations table keeps it: the
// earliest and latest time, the bytes its rent events handed out (a pooled group rents one
// chunk per event), the lowest tier, the highest stack id, the lowest thread id.
struct AllocationFigures {
    std::int64_t firstNs = INT64_MAX;
    std::int64_t lastNs = INT64_MIN;
    std::uint64_t bytes = 0;
    int tier = INT32_MAX;
    StackId stackId = 0;
    std::uint32_t threadId = UINT32_MAX;
    // Chunks rented less chunks given back, and whether it was released without its dispose:
    // what says the events left it behind.
    std::int64_t liveChunks = 0;
    bool undisposed = false;

    void add(const MemoryEvent& event);
    bool leftBehind() const { return liveChunks > 0 || undisposed; }
};

// The tables of a recording, as README.md documents them for people who query a recording
// with sqlite3. Bump kVersion on any change a reader of the previous version would misread.
struct RecordingSchema {
    // 2: the modules table; stacks name each frame's module and offset; frames hold the calls
    // inlined at an address, one row each.
    // 3: the events in compressed blocks (event_blocks, EventBlockCodec) instead of a row
    // each; the allocations table holds only the allocations marked as left behind at the end.
    // 4: the stacks in compressed blocks of a trace tree (stack_blocks, StackBlockCodec)
    // instead of a row a frame; meta and frames without a rowid, and 1 KiB pages: a small
    // program's recording was mostly SQLite's page a table and its stacks' rows.
    // 5: analysis_summary, what the analyses of the whole recording find, written when the
    // recording finishes (RecordingSummarizer), so that reading it needs no pass.
    // 6: analysis_resume_points, what the summary's summarizer had followed at points on the
    // way, so that a recording cut short is analysed from its last point on.
    // Version 1 to 5 recordings are read as well.
    static constexpr int kVersion = 6;
    // SQLite's page size of a new recording (its default). Every table takes at least one
    // page, so a recording of a few events takes some 50 KB; but SQLite reads and checks a
    // file a page at a time, and with pages of 1 KB the integrity check of a recording of
    // 1 GB took twice as long (0.8 s against 0.3 to 0.4 s), and reading its event blocks four
    // times as many reads.
    static constexpr int kPageBytes = 4096;
    static constexpr const char* kFormat = "poolscope-recording";
    // application_id in the SQLite header ('PSRC'), so `file` and readers can tell a
    // recording from any other SQLite database without reading a table.
    static constexpr int kApplicationId = 0x50535243;

    static const char* createStatements();
    // The rows of a version 1 or 2 recording's allocations table (allocation_id, first_ns,
    // last_ns, bytes, tier, stack_id, thread_id) as derived from its events table: the reader
    // checks the table against it. Version 3 derives the same figures with AllocationFigures.
    static std::string allocationsFromEvents();
};

}  // namespace poolscope
