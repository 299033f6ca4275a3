#pragma once

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
};

}  // namespace poolscope
