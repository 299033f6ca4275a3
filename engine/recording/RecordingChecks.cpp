#include "recording/RecordingChecks.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "recording/EventBlockCodec.h"
#include "recording/EventBlockTable.h"
#include "recording/PassedIntegrityChecks.h"
#include "recording/RecordingError.h"
#include "recording/RecordingSchema.h"
#include "recording/SqliteDatabase.h"

namespace poolscope {

namespace {

namespace fs = std::filesystem;

// The first bytes of every SQLite database, and where its header keeps what is read here.
const std::string kSqliteMagic("SQLite format 3\0", 16);
constexpr std::size_t kPageSizeOffset = 16;
constexpr std::size_t kWriteVersionOffset = 18;
constexpr char kWalVersion = 2;
// At most this many problems of quick_check are named: the first ones say what happened.
constexpr int kNamedIntegrityProblems = 3;

std::string byteCount(std::uintmax_t bytes) {
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::string kindList(std::initializer_list<MemoryEventKind> kinds) {
    std::string list;
    for (const MemoryEventKind kind : kinds) {
        list += (list.empty() ? "" : ", ") + std::to_string(static_cast<int>(kind));
    }
    return list;
}

// Runs `check` with the connection's deadline kCheckBudget away; a check cut short by the
// deadline passes. Any other SQLite error is damage.
// True when the check ran to its end.
template <class Check>
bool withinBudget(SqliteDatabase& database, const std::string& path, Check&& check) {
    database.setDeadline(std::chrono::steady_clock::now() + RecordingChecks::kCheckBudget);
    try {
        check();
    } catch (const SqliteError& error) {
        const bool outOfTime = database.deadlinePassed();
        database.setDeadline(std::chrono::steady_clock::time_point::max());
        if (outOfTime) {
            return false;
        }
        throw RecordingError(path + " is truncated or corrupt: " + error.reason());
    } catch (...) {
        database.setDeadline(std::chrono::steady_clock::time_point::max());
        throw;
    }
    database.setDeadline(std::chrono::steady_clock::time_point::max());
    return true;
}

using AllocationBytes = std::vector<std::pair<std::int64_t, std::int64_t>>;

AllocationBytes allocationRows(SqliteDatabase& database, const std::string& sql) {
    SqliteDatabase::Statement query(database, sql);
    AllocationBytes rows;
    while (query.step()) {
        rows.emplace_back(query.integer(0), query.integer(1));
    }
    return rows;
}

std::string describe(const AllocationBytes& allocations) {
    std::int64_t bytes = 0;
    for (const auto& [id, size] : allocations) {
        bytes += size;
    }
    return std::to_string(allocations.size()) + " allocation" +
           (allocations.size() == 1 ? "" : "s") + " (" +
           byteCount(static_cast<std::uintmax_t>(bytes)) + ")";
}

// An allocations row's figures: allocation_id, first_ns, last_ns, bytes, tier, stack_id,
// thread_id.
using AllocationRow = std::array<std::int64_t, 7>;

AllocationRow rowOf(const SqliteDatabase::Statement& row) {
    AllocationRow values{};
    for (std::size_t column = 0; column < values.size(); ++column) {
        values[column] = row.integer(static_cast<int>(column));
    }
    return values;
}

AllocationRow rowOf(AllocationId id, const AllocationFigures& figures) {
    return {static_cast<std::int64_t>(id),
            figures.firstNs,
            figures.lastNs,
            static_cast<std::int64_t>(figures.bytes),
            figures.tier,
            std::int64_t{figures.stackId},
            std::int64_t{figures.threadId}};
}

// One row of allocationsFromEvents() or of the allocations table, for a message.
std::string allocationText(const AllocationRow& row, bool present) {
    if (!present) {
        return "no more allocations";
    }
    return "allocation " + std::to_string(row[0]) + " of " + std::to_string(row[3]) + " bytes, " +
           std::to_string(row[1]) + " to " + std::to_string(row[2]) + " ns, tier " +
           std::to_string(row[4]) + ", stack " + std::to_string(row[5]) + ", thread " +
           std::to_string(row[6]);
}

std::string disagreement(const std::string& path, const std::string& events,
                         const std::string& table) {
    return path +
           " is corrupt: its allocations table disagrees with its events (its events: " + events +
           "; its table: " + table + ")";
}

// Version 3: the event blocks number the events 1 to event_count with no gap or overlap, and
// each allocation the table marks as left behind is what its events say: the figures the
// writer derived and, when no event was dropped, left behind by them.
void checkBlockSummaries(SqliteDatabase& database, const std::string& path,
                         const std::string& eventCount, bool eventsComplete,
                         std::int64_t lastEventSequence) {
    SqliteDatabase::Statement blocks(
        database, "SELECT first_seq, last_seq, event_count FROM event_blocks ORDER BY first_seq");
    std::int64_t held = 0;
    bool numbered = true;
    while (blocks.step()) {
        numbered = numbered && blocks.integer(0) == held + 1 &&
                   blocks.integer(1) - blocks.integer(0) + 1 == blocks.integer(2);
        held += blocks.integer(2);
    }
    if (!numbered || std::to_string(held) != eventCount ||
        std::to_string(lastEventSequence) != eventCount) {
        throw RecordingError(path + " is corrupt: its meta table counts " + eventCount +
                             " events, its event blocks hold " + std::to_string(held) +
                             " numbered up to " + std::to_string(lastEventSequence) +
                             (numbered ? "" : ", not one after another"));
    }
    std::map<AllocationId, std::pair<AllocationRow, bool>> marked;  // the row, its leak mark
    SqliteDatabase::Statement stored(
        database,
        "SELECT allocation_id, first_ns, last_ns, bytes, tier, stack_id, thread_id, "
        "leak IS NOT NULL FROM allocations ORDER BY allocation_id");
    while (stored.step()) {
        marked[static_cast<AllocationId>(stored.integer(0))] = {rowOf(stored),
                                                                stored.integer(7) != 0};
    }
    if (marked.empty()) {
        return;
    }
    std::map<AllocationId, AllocationFigures> derived;
    EventBlockCodec codec;
    const auto deadline = std::chrono::steady_clock::now() + RecordingChecks::kCheckBudget;
    bool complete = true;
    EventBlockTable::forEach(
        database, path, codec, 0, [&](std::int64_t, std::vector<MemoryEvent>&& events) {
            for (const MemoryEvent& event : events) {
                if (event.allocationId != 0 && marked.contains(event.allocationId)) {
                    derived[event.allocationId].add(event);
                }
            }
            complete = std::chrono::steady_clock::now() < deadline;
            return complete;
        });
    if (!complete) {
        return;  // a huge recording: what was not reached is read, and decoded, later
    }
    AllocationBytes givenBack;
    for (const auto& [id, row] : marked) {
        const auto figures = derived.find(id);
        if (figures == derived.end()) {
            throw RecordingError(disagreement(path, "no event of allocation " + std::to_string(id),
                                              allocationText(row.first, true)));
        }
        if (rowOf(id, figures->second) != row.first) {
            throw RecordingError(disagreement(path,
                                              allocationText(rowOf(id, figures->second), true),
                                              allocationText(row.first, true)));
        }
        if (row.second && !figures->second.leftBehind()) {
            givenBack.emplace_back(static_cast<std::int64_t>(id), row.first[3]);
        }
    }
    // Dropped events leave the marks the run made unchecked: what it saw is not all here.
    if (eventsComplete && !givenBack.empty()) {
        throw RecordingError(path + " is corrupt: its allocations table marks " +
                             describe(givenBack) +
                             " as left behind that its events gave back, first allocation " +
                             std::to_string(givenBack.front().first));
    }
}

}  // namespace

bool RecordingChecks::checkFile(const std::string& path) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error == std::errc::too_many_symbolic_link_levels) {
        throw RecordingError("cannot open " + path +
                             ": symbolic link loop (its links lead back to one another)");
    }
    if (status.type() == fs::file_type::not_found) {
        std::error_code linkError;
        if (fs::is_symlink(fs::symlink_status(path, linkError))) {
            throw RecordingError("cannot open " + path + ": it is a symbolic link to " +
                                 fs::read_symlink(path, linkError).string() +
                                 ", which does not exist");
        }
        throw RecordingError("cannot open " + path + ": no such file");
    }
    if (error) {
        throw RecordingError("cannot open " + path + ": " + error.message());
    }
    if (status.type() != fs::file_type::regular) {
        throw RecordingError("cannot open " + path + ": not a regular file");
    }
    const std::uintmax_t size = fs::file_size(path, error);
    if (size == 0) {
        throw RecordingError(path + " is not a PoolScope recording: the file is empty");
    }

    std::string header(100, '\0');
    std::ifstream file(path, std::ios::binary);
    file.read(header.data(), static_cast<std::streamsize>(header.size()));
    header.resize(static_cast<std::size_t>(std::max<std::streamsize>(file.gcount(), 0)));
    const std::size_t compared = std::min(header.size(), kSqliteMagic.size());
    if (header.empty() || header.compare(0, compared, kSqliteMagic, 0, compared) != 0) {
        return false;  // unreadable, or not SQLite's: SQLite itself says which
    }
    // The page size is two bytes, 1 standing for 65536; a header cut before it, or garbled,
    // leaves the smallest page as the least a recording can be.
    std::uintmax_t pageBytes = kSmallestPageBytes;
    if (header.size() >= kPageSizeOffset + 2) {
        const auto stored =
            static_cast<std::uintmax_t>((static_cast<unsigned char>(header[kPageSizeOffset]) << 8) |
                                        static_cast<unsigned char>(header[kPageSizeOffset + 1]));
        const std::uintmax_t declared = stored == 1 ? 65536 : stored;
        if (declared >= kSmallestPageBytes && declared <= 65536 &&
            (declared & (declared - 1)) == 0) {
            pageBytes = declared;
        }
    }
    if (size < pageBytes) {
        throw RecordingError(path + " is truncated: " + byteCount(size) +
                             ", a recording is at least " + byteCount(pageBytes) +
                             " (one page of its database)");
    }
    const bool walMode = header.size() > kWriteVersionOffset + 1 &&
                         header[kWriteVersionOffset] == kWalVersion &&
                         header[kWriteVersionOffset + 1] == kWalVersion;
    // A read-only open leaves an empty log behind, so only a log with something in it counts.
    const std::uintmax_t logBytes = fs::file_size(path + "-wal", error);
    return walMode && (error || logBytes == 0);
}

std::string RecordingChecks::missingLogMessage(const std::string& path) {
    return path + " is a recording without its write-ahead log: " + path +
           "-wal is missing or empty. A recording keeps what its run wrote in that file until "
           "the run finishes; a run that was killed leaves it there, and this file alone holds "
           "none of the recording. Copy " +
           path + "-wal with it.";
}

void RecordingChecks::checkIntegrity(SqliteDatabase& database, const std::string& path) {
    PassedIntegrityChecks::instance().checkOnce(path, [&] {
        std::vector<std::string> problems;
        const bool complete = withinBudget(database, path, [&] {
            SqliteDatabase::Statement query(
                database, "PRAGMA quick_check(" + std::to_string(kNamedIntegrityProblems) + ")");
            while (query.step()) {
                if (std::string row = query.text(0); row != "ok") {
                    std::replace(row.begin(), row.end(), '\n', ' ');
                    problems.push_back(std::move(row));
                }
            }
        });
        if (problems.empty()) {
            return complete;
        }
        std::string named;
        for (const std::string& problem : problems) {
            named += (named.empty() ? "" : "; ") + problem;
        }
        throw RecordingError(path +
                             " is truncated or corrupt: SQLite's integrity check found: " + named);
    });
}

void RecordingChecks::checkSummariesAgree(SqliteDatabase& database, const std::string& path,
                                          int schemaVersion,
                                          const std::map<std::string, std::string>& metadata,
                                          std::int64_t lastEventSequence) {
    const auto value = [&](const char* key) {
        const auto it = metadata.find(key);
        return it == metadata.end() ? std::string() : it->second;
    };
    // A run still being written (or killed) has no summaries yet; the count and the
    // allocations table are written together at its end.
    if (value("finished") != "1" || value("event_count").empty()) {
        return;
    }
    const bool eventsComplete =
        value("engine_dropped_events") == "0" && value("writer_dropped_events") == "0";
    if (schemaVersion >= 3) {
        withinBudget(database, path, [&] {
            checkBlockSummaries(database, path, value("event_count"), eventsComplete,
                                lastEventSequence);
        });
        return;
    }
    withinBudget(database, path, [&] {
        SqliteDatabase::Statement count(database, "SELECT COUNT(*) FROM events");
        const std::int64_t held = count.step() ? count.integer(0) : 0;
        if (std::to_string(held) != value("event_count") ||
            std::to_string(lastEventSequence) != value("event_count")) {
            throw RecordingError(path + " is corrupt: its meta table counts " +
                                 value("event_count") + " events, its events table holds " +
                                 std::to_string(held) + " numbered up to " +
                                 std::to_string(lastEventSequence));
        }
        // The table as the writer derived it from the events: a garbled event (a return
        // turned into a rent, another allocation's id) or a garbled row shows here.
        SqliteDatabase::Statement derived(
            database, RecordingSchema::allocationsFromEvents() + " ORDER BY allocation_id");
        SqliteDatabase::Statement stored(
            database,
            "SELECT allocation_id, first_ns, last_ns, bytes, tier, stack_id, thread_id FROM "
            "allocations ORDER BY allocation_id");
        for (;;) {
            const bool fromEvents = derived.step();
            const bool fromTable = stored.step();
            if (!fromEvents && !fromTable) {
                break;
            }
            const AllocationRow fromEventsRow = fromEvents ? rowOf(derived) : AllocationRow{};
            const AllocationRow fromTableRow = fromTable ? rowOf(stored) : AllocationRow{};
            if (fromEvents != fromTable || fromEventsRow != fromTableRow) {
                throw RecordingError(disagreement(path, allocationText(fromEventsRow, fromEvents),
                                                  allocationText(fromTableRow, fromTable)));
            }
        }
        // Dropped events leave the marks the run made unchecked: what it saw is not all here.
        if (!eventsComplete) {
            return;
        }
        // Each allocation marked as left behind: rented and not given back chunk for chunk, or
        // released without its owner's dispose, as a window replaying the events shows it.
        using K = MemoryEventKind;
        const std::string rents = kindList({K::Rent, K::UnpooledAllocate, K::SmallRent});
        const std::string releases = kindList({K::Return, K::UnpooledFree, K::SmallReturn});
        const std::string undisposed = kindList({K::Undisposed});
        const AllocationBytes givenBack = allocationRows(
            database,
            "SELECT a.allocation_id, a.bytes FROM allocations a JOIN events e ON "
            "e.allocation_id = a.allocation_id WHERE a.leak IS NOT NULL GROUP BY a.allocation_id "
            "HAVING SUM(e.kind IN (" +
                rents + ")) <= SUM(e.kind IN (" + releases + ")) AND SUM(e.kind IN (" + undisposed +
                ")) = 0 ORDER BY a.allocation_id");
        if (!givenBack.empty()) {
            throw RecordingError(path + " is corrupt: its allocations table marks " +
                                 describe(givenBack) +
                                 " as left behind that its events gave back, first allocation " +
                                 std::to_string(givenBack.front().first));
        }
    });
}

}  // namespace poolscope
