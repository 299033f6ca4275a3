#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace poolscope {

class SqliteDatabase;

// What a file must pass before anything of it is shown as a recording, beside the header and
// metadata checks RecordingReader makes itself. Each check throws a RecordingError whose message
// names the file and the problem.
class RecordingChecks {
public:
    // How long each whole-file check may take. A check that runs out of time on a huge
    // recording passes with what it saw: opening never stalls, and what it did not reach is
    // still read through SQLite, which refuses damaged pages as they are read.
    static constexpr std::chrono::milliseconds kCheckBudget{1500};
    // SQLite's smallest page: no database, and so no recording, is shorter.
    static constexpr std::uintmax_t kSmallestPageBytes = 512;

    // Before SQLite reads it: the path leads to a regular file (not a symbolic link loop, not a
    // link to nothing), and a file that begins like an SQLite database holds at least its
    // first page. Returns whether the file is in write-ahead-log mode without its log.
    static bool checkFile(const std::string& path);
    // The message for a recording whose write-ahead log was left behind: the main file alone
    // holds nothing of it.
    static std::string missingLogMessage(const std::string& path);
    // SQLite's quick_check, within kCheckBudget: every page of every table and index is sound.
    // A file opened again unchanged after its check passed is not checked again
    // (PassedIntegrityChecks).
    static void checkIntegrity(SqliteDatabase& database, const std::string& path);
    // A finished recording's summaries agree with its events: the meta table's event count
    // with the events (the event blocks' numbers from version 3 on), the allocations table
    // with what the events say of each allocation (RecordingSchema), and no allocation is
    // marked as left behind that the events gave back. A file damaged here would show
    // allocations that the run never left, or hide those it did.
    static void checkSummariesAgree(SqliteDatabase& database, const std::string& path,
                                    int schemaVersion,
                                    const std::map<std::string, std::string>& metadata,
                                    std::int64_t lastEventSequence);
};

}  // namespace poolscope
