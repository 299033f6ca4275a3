#pragma once

#include <string>

namespace poolscope {

// The tables of a recording, as README.md documents them for people who query a recording
// with sqlite3. Bump kVersion on any change a reader of the previous version would misread.
struct RecordingSchema {
    // 2: the modules table; stacks name each frame's module and offset; frames hold the calls
    // inlined at an address, one row each. Version 1 recordings are read as well.
    static constexpr int kVersion = 2;
    static constexpr const char* kFormat = "poolscope-recording";
    // application_id in the SQLite header ('PSRC'), so `file` and readers can tell a
    // recording from any other SQLite database without reading a table.
    static constexpr int kApplicationId = 0x50535243;

    static const char* createStatements();
    // The rows of the allocations table (allocation_id, first_ns, last_ns, bytes, tier,
    // stack_id, thread_id) as a finished recording derives them from its events: the writer
    // fills the table with it, and the reader checks the table against it.
    static std::string allocationsFromEvents();
};

}  // namespace poolscope
