#include "recording/RecordingReader.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <unordered_map>

#include "diagnostics/Symbolizer.h"
#include "recording/EventBlockCodec.h"
#include "recording/EventBlockTable.h"
#include "recording/RecordingChecks.h"
#include "recording/RecordingError.h"
#include "recording/RecordingSchema.h"
#include "recording/SqliteDatabase.h"
#include "recording/StackBlockCodec.h"

namespace poolscope {

namespace {

// Runs `read`, turning SQLite's errors into one that says what is wrong with the file.
template <class Read>
auto readOrExplain(const std::string& path, const std::string& problem, Read&& read) {
    try {
        return read();
    } catch (const SqliteError& error) {
        throw RecordingError(path + " " + problem + ": " + error.reason());
    }
}

}  // namespace

RecordingReader::RecordingReader(const std::string& path)
    : path_(path),
      stackCodec_(std::make_unique<StackBlockCodec>()),
      codec_(std::make_unique<EventBlockCodec>()) {
    const bool logMissing = RecordingChecks::checkFile(path);
    database_ = readOrExplain(path, "cannot be opened", [&] {
        return std::make_unique<SqliteDatabase>(path, SqliteDatabase::Mode::ReadOnly);
    });

    // The first read of the header tells a foreign file (SQLite does not recognise it) from a
    // recording that was damaged (it does, and then finds pages missing or garbled).
    std::int64_t applicationId = 0;
    std::int64_t userVersion = 0;
    std::int64_t schemaObjects = 0;
    try {
        SqliteDatabase::Statement application(*database_, "PRAGMA application_id");
        applicationId = application.step() ? application.integer(0) : 0;
        SqliteDatabase::Statement user(*database_, "PRAGMA user_version");
        userVersion = user.step() ? user.integer(0) : 0;
        SqliteDatabase::Statement objects(*database_, "SELECT COUNT(*) FROM sqlite_master");
        schemaObjects = objects.step() ? objects.integer(0) : 0;
    } catch (const SqliteError& error) {
        const bool foreign = error.reason().find("not a database") != std::string::npos;
        throw RecordingError(
            path + (foreign ? " is not a PoolScope recording: " : " is truncated or corrupt: ") +
            error.reason());
    }
    // A write-ahead-log file whose log is gone: until the first checkpoint the main file holds
    // no table at all, not even the header fields set when the recording began.
    if (logMissing && schemaObjects == 0) {
        throw RecordingError(RecordingChecks::missingLogMessage(path));
    }
    // Every PoolScope writer has set application_id and user_version when it created the
    // file. A file with neither is still recognised by its meta table: sqlite3's .dump and
    // .recover, the usual ways to salvage a damaged SQLite file, copy the tables but not these
    // header fields. Any other application_id is another application's.
    const std::string otherKind = "an SQLite database of some other kind";
    if (applicationId != 0 && applicationId != RecordingSchema::kApplicationId) {
        throw RecordingError(path +
                             " is not a PoolScope recording: it is the SQLite database of "
                             "another application (id " +
                             std::to_string(applicationId) + ")");
    }
    try {
        SqliteDatabase::Statement query(*database_, "SELECT key, value FROM meta");
        while (query.step()) {
            metadata_[query.text(0)] = query.text(1);
        }
    } catch (const SqliteError& error) {
        const bool noMeta = error.reason().find("no such table") != std::string::npos;
        throw RecordingError(applicationId == 0 && noMeta
                                 ? path + " is not a PoolScope recording: it is " + otherKind
                                 : path + " is truncated or corrupt: " + error.reason());
    }
    if (metadata_["format"] != RecordingSchema::kFormat) {
        throw RecordingError(path + " is not a PoolScope recording: " +
                             (applicationId == 0 ? "it is " + otherKind
                                                 : std::string("its meta table names no "
                                                               "PoolScope format")));
    }
    try {
        schemaVersion_ = std::stoi(metadata_["schema_version"]);
    } catch (const std::exception&) {
        throw RecordingError(path + " is corrupt: its schema version '" +
                             metadata_["schema_version"] + "' is not a number");
    }
    if (schemaVersion_ > RecordingSchema::kVersion) {
        throw RecordingError(path + " was written by a newer PoolScope (schema version " +
                             std::to_string(schemaVersion_) + "; this one reads up to " +
                             std::to_string(RecordingSchema::kVersion) + ")");
    }
    // user_version 0 is a salvaged copy's (as application_id 0 above); any other must be the
    // meta table's.
    if (userVersion != 0 && userVersion != schemaVersion_) {
        throw RecordingError(
            path + " has the wrong version: its SQLite header says schema version " +
            std::to_string(userVersion) + " (user_version), its meta table says " +
            std::to_string(schemaVersion_) + "; a recording is written with both the same");
    }
    RecordingChecks::checkIntegrity(*database_, path);
    // The last page of the events: a file cut short loses its end first.
    lastEventSequence_ = readOrExplain(path, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(*database_, schemaVersion_ >= 3
                                                        ? "SELECT MAX(last_seq) FROM event_blocks"
                                                        : "SELECT MAX(seq) FROM events");
        return query.step() ? query.integer(0) : std::int64_t{0};
    });
    if (schemaVersion_ >= 2) {
        modules_ = readOrExplain(path, "is truncated or corrupt", [&] {
            SqliteDatabase::Statement query(
                *database_,
                "SELECT module_id, path, build_id, load_address FROM modules ORDER BY module_id");
            std::vector<RecordedModule> modules;
            while (query.step()) {
                RecordedModule recorded{
                    query.integer(0),
                    {query.text(1), query.text(2), static_cast<std::uint64_t>(query.integer(3))},
                    {}};
                recorded.problem = Symbolizer::instance().problemWith(recorded.module);
                modules.push_back(std::move(recorded));
            }
            return modules;
        });
    }
    if (schemaVersion_ >= 4) {
        readStackBlocks();
    }
    RecordingChecks::checkSummariesAgree(*database_, path, schemaVersion_, metadata_,
                                         lastEventSequence_);
}

void RecordingReader::readStackBlocks() {
    // The blocks build one tree, each on the ones before: all are read at the opening, in
    // the order they were written, and a missing one is damage.
    readOrExplain(path_, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(
            *database_,
            "SELECT block, stack_count, encoding, data FROM stack_blocks ORDER BY block");
        std::int64_t expected = 1;
        while (query.step()) {
            const std::int64_t block = query.integer(0);
            if (block != expected) {
                throw RecordingError(path_ + " is corrupt: its stack block " +
                                     std::to_string(expected) + " is missing (the next is " +
                                     std::to_string(block) + ")");
            }
            stackCodec_->decode(query.blob(3), query.integer(1), static_cast<int>(query.integer(2)),
                                path_, block);
            ++expected;
        }
        return 0;
    });
}

RecordingReader::~RecordingReader() = default;

bool RecordingReader::finished() const {
    const auto it = metadata_.find("finished");
    return it != metadata_.end() && it->second == "1";
}

std::vector<RecordedEvent> RecordingReader::eventsFromBlocks(std::int64_t afterSequence,
                                                             std::size_t maxEvents) const {
    std::vector<RecordedEvent> page;
    if (maxEvents == 0) {
        return page;
    }
    const auto take = [&](std::int64_t firstSequence, const std::vector<MemoryEvent>& events) {
        const std::int64_t skip = std::max<std::int64_t>(0, afterSequence + 1 - firstSequence);
        for (auto i = static_cast<std::size_t>(skip); i < events.size() && page.size() < maxEvents;
             ++i) {
            page.push_back({firstSequence + static_cast<std::int64_t>(i), events[i]});
        }
    };
    std::lock_guard lock(blocksMutex_);
    std::int64_t after = afterSequence;
    const auto cachedEnd = cachedFirstSequence_ + static_cast<std::int64_t>(cachedBlock_.size());
    if (!cachedBlock_.empty() && afterSequence + 1 >= cachedFirstSequence_ &&
        afterSequence + 1 < cachedEnd) {
        take(cachedFirstSequence_, cachedBlock_);
        after = cachedEnd - 1;
    }
    if (page.size() < maxEvents) {
        readOrExplain(path_, "is truncated or corrupt", [&] {
            EventBlockTable::forEach(
                *database_, path_, *codec_, after,
                [&](std::int64_t firstSequence, std::vector<MemoryEvent>&& events) {
                    take(firstSequence, events);
                    cachedFirstSequence_ = firstSequence;
                    cachedBlock_ = std::move(events);
                    return page.size() < maxEvents;
                });
            return 0;
        });
    }
    return page;
}

void RecordingReader::forEachEncodedBlock(const EventBlockTable::VisitEncoded& visit,
                                          std::int64_t afterSequence) const {
    std::lock_guard lock(blocksMutex_);
    readOrExplain(path_, "is truncated or corrupt", [&] {
        EventBlockTable::forEachEncoded(*database_, path_, afterSequence, visit);
        return 0;
    });
}

std::int64_t RecordingReader::lastEventOfBlocksBefore(std::int64_t nanoseconds) const {
    if (schemaVersion_ < 3) {
        return 0;
    }
    std::lock_guard lock(blocksMutex_);
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        return EventBlockTable::lastEventOfBlocksBefore(*database_, nanoseconds);
    });
}

std::int64_t RecordingReader::firstEventOfBlocksAfter(std::int64_t nanoseconds) const {
    if (schemaVersion_ < 3) {
        return lastEventSequence_ + 1;
    }
    std::lock_guard lock(blocksMutex_);
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        return EventBlockTable::firstEventOfBlocksAfter(*database_, nanoseconds,
                                                        lastEventSequence_ + 1);
    });
}

std::vector<RecordedEvent> RecordingReader::events(std::int64_t afterSequence,
                                                   std::size_t maxEvents) const {
    if (schemaVersion_ >= 3) {
        return eventsFromBlocks(afterSequence, maxEvents);
    }
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(
            *database_,
            "SELECT seq, time_ns, kind, allocation_id, bytes, value, value2, stack_id, thread_id, "
            "slot, chunk_index, chunk_count, source_id, tier FROM events WHERE seq > ? "
            "ORDER BY seq LIMIT ?");
        query.bind(1, afterSequence).bind(2, static_cast<std::int64_t>(maxEvents));
        std::vector<RecordedEvent> page;
        while (query.step()) {
            RecordedEvent recorded;
            recorded.sequence = query.integer(0);
            MemoryEvent& event = recorded.event;
            event.timeNanoseconds = query.integer(1);
            event.kind = static_cast<MemoryEventKind>(query.integer(2));
            event.allocationId = static_cast<AllocationId>(query.integer(3));
            event.bytes = static_cast<std::uint64_t>(query.integer(4));
            event.value = static_cast<std::uint64_t>(query.integer(5));
            event.value2 = static_cast<std::uint64_t>(query.integer(6));
            event.stackId = static_cast<StackId>(query.integer(7));
            event.threadId = static_cast<std::uint32_t>(query.integer(8));
            event.slot = static_cast<std::int32_t>(query.integer(9));
            event.chunkIndex = static_cast<std::uint32_t>(query.integer(10));
            event.chunkCount = static_cast<std::uint32_t>(query.integer(11));
            event.sourceId = static_cast<std::uint16_t>(query.integer(12));
            event.tier = static_cast<MemoryTier>(query.integer(13));
            page.push_back(recorded);
        }
        return page;
    });
}

std::vector<RecordedSnapshot> RecordingReader::snapshots(std::int64_t afterSequence,
                                                         std::size_t maxSnapshots) const {
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(
            *database_,
            "SELECT seq, time_ns, last_event_seq, rented_chunks, retained_chunks, unpooled_bytes, "
            "small_bytes, writer_dropped FROM snapshots WHERE seq > ? ORDER BY seq LIMIT ?");
        query.bind(1, afterSequence).bind(2, static_cast<std::int64_t>(maxSnapshots));
        std::vector<RecordedSnapshot> page;
        while (query.step()) {
            page.push_back({query.integer(0), query.integer(1), query.integer(2),
                            static_cast<int>(query.integer(3)), static_cast<int>(query.integer(4)),
                            static_cast<std::uint64_t>(query.integer(5)),
                            static_cast<std::uint64_t>(query.integer(6)),
                            static_cast<std::uint64_t>(query.integer(7))});
        }
        return page;
    });
}

std::vector<RecordedAllocation> RecordingReader::leaks() const {
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(
            *database_,
            "SELECT allocation_id, bytes, tier, tag, leak, stack_id FROM allocations "
            "WHERE leak IS NOT NULL ORDER BY allocation_id");
        std::vector<RecordedAllocation> leaks;
        while (query.step()) {
            leaks.push_back({static_cast<AllocationId>(query.integer(0)),
                             static_cast<std::uint64_t>(query.integer(1)),
                             static_cast<MemoryTier>(query.integer(2)), query.text(3),
                             query.text(4), static_cast<StackId>(query.integer(5))});
        }
        return leaks;
    });
}

std::optional<RecordedSummary> RecordingReader::summary(int encoding) const {
    if (schemaVersion_ < 5 || !finished()) {
        return std::nullopt;
    }
    return readOrExplain(path_, "is truncated or corrupt", [&]() -> std::optional<RecordedSummary> {
        SqliteDatabase::Statement query(
            *database_, "SELECT last_seq, data FROM analysis_summary WHERE encoding = ?");
        query.bind(1, std::int64_t{encoding});
        if (!query.step() || query.integer(0) != lastEventSequence_) {
            return std::nullopt;
        }
        const std::span<const unsigned char> data = query.blob(1);
        return RecordedSummary{encoding, std::vector<unsigned char>(data.begin(), data.end())};
    });
}

std::vector<RecordedResumePoint> RecordingReader::resumePoints(int encoding) const {
    if (schemaVersion_ < 6) {
        return {};
    }
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        // The times of the events up to each point, from its blocks' earliest and latest: a
        // time range's analysis goes on from a point whose events are all in the range.
        SqliteDatabase::Statement query(
            *database_,
            "SELECT r.last_seq, (SELECT MIN(first_ns) FROM event_blocks WHERE last_seq <= "
            "r.last_seq), (SELECT MAX(last_ns) FROM event_blocks WHERE last_seq <= r.last_seq) "
            "FROM analysis_resume_points r WHERE r.encoding = ? AND r.last_seq <= ? "
            "ORDER BY r.last_seq");
        query.bind(1, std::int64_t{encoding});
        query.bind(2, lastEventSequence_);
        std::vector<RecordedResumePoint> points;
        while (query.step()) {
            points.push_back({query.integer(0), query.integer(1), query.integer(2)});
        }
        return points;
    });
}

std::optional<RecordedSummary> RecordingReader::resumePart(int encoding,
                                                           std::int64_t lastSequence) const {
    return resumePart(encoding, lastSequence, *database_);
}

std::unique_ptr<SqliteDatabase> RecordingReader::otherConnection() const {
    return readOrExplain(path_, "cannot be opened", [&] {
        return std::make_unique<SqliteDatabase>(path_, SqliteDatabase::Mode::ReadOnly);
    });
}

std::optional<RecordedSummary> RecordingReader::resumePart(int encoding, std::int64_t lastSequence,
                                                           SqliteDatabase& connection) const {
    if (schemaVersion_ < 6 || lastSequence > lastEventSequence_) {
        return std::nullopt;
    }
    return readOrExplain(path_, "is truncated or corrupt", [&]() -> std::optional<RecordedSummary> {
        SqliteDatabase::Statement query(
            connection,
            "SELECT data FROM analysis_resume_points WHERE encoding = ? AND last_seq = ?");
        query.bind(1, std::int64_t{encoding});
        query.bind(2, lastSequence);
        if (!query.step()) {
            return std::nullopt;
        }
        const std::span<const unsigned char> data = query.blob(0);
        return RecordedSummary{encoding, std::vector<unsigned char>(data.begin(), data.end())};
    });
}

std::map<std::uint16_t, std::string> RecordingReader::tagNames() const {
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        std::map<std::uint16_t, std::string> names;
        SqliteDatabase::Statement hasTags(
            *database_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tags'");
        if (!hasTags.step()) {
            return names;
        }
        SqliteDatabase::Statement query(*database_, "SELECT tag_id, name FROM tags");
        while (query.step()) {
            names[static_cast<std::uint16_t>(query.integer(0))] = query.text(1);
        }
        return names;
    });
}

namespace {

// A stack's rows joined with the frames table's, as stack() reads them (and every stack's, in
// a version 1 recording, as forEachStack() reads them): address, module id, module offset,
// inlined, function, file, line, module; then the stack id.
const char* stackQuery(int schemaVersion, bool oneStack) {
    if (schemaVersion >= 2) {
        return "SELECT s.address, s.module_id, s.module_offset, f.inlined, f.function, f.file, "
               "f.line, f.module, s.stack_id FROM stacks s LEFT JOIN frames f ON "
               "f.address = s.address WHERE s.stack_id = ? ORDER BY s.depth, f.inline_depth";
    }
    return oneStack ? "SELECT s.address, NULL, NULL, 0, f.function, f.file, f.line, f.module, "
                      "s.stack_id FROM stacks s LEFT JOIN frames f ON f.address = s.address "
                      "WHERE s.stack_id = ? ORDER BY s.depth"
                    : "SELECT s.address, NULL, NULL, 0, f.function, f.file, f.line, f.module, "
                      "s.stack_id FROM stacks s LEFT JOIN frames f ON f.address = s.address "
                      "ORDER BY s.stack_id, s.depth";
}

using ModuleIterator = std::vector<RecordedModule>::const_iterator;

ModuleIterator moduleAt(const std::vector<RecordedModule>& modules,
                        const SqliteDatabase::Statement& query, int column) {
    if (query.isNull(column)) {
        return modules.end();
    }
    const std::int64_t id = query.integer(column);
    return std::find_if(modules.begin(), modules.end(),
                        [id](const RecordedModule& recorded) { return recorded.id == id; });
}

// The frames table's columns from `column` on: inlined, function, file, line, module.
Frame namedFrame(const SqliteDatabase::Statement& query, int column) {
    Frame frame;
    frame.inlined = query.integer(column) != 0;
    frame.function = query.isNull(column + 1) ? std::string() : query.text(column + 1);
    frame.file = query.isNull(column + 2) ? std::string() : query.text(column + 2);
    frame.line = query.isNull(column + 3) ? 0 : static_cast<int>(query.integer(column + 3));
    frame.module = query.isNull(column + 4) ? std::string() : query.text(column + 4);
    return frame;
}

struct StackEntry {
    std::uint64_t address = 0;
    std::uint64_t offset = 0;
    ModuleIterator module;
    ModuleIterator noModule;
};

// A frame the recording named, at the address of the stack entry it names.
void appendNamed(Frame frame, const StackEntry& entry, std::vector<Frame>& frames) {
    frame.address = entry.address;
    frame.moduleOffset = entry.offset;
    if (frame.module.empty() && entry.module != entry.noModule) {
        frame.module = entry.module->module.path;
    }
    frames.push_back(std::move(frame));
}

// A stack entry the recording did not name: named now from its module's file, with the calls
// inlined there, or kept as its address and offset.
void appendUnnamed(const StackEntry& entry, std::vector<Frame>& frames) {
    if (entry.module == entry.noModule) {
        appendNamed(Frame(), entry, frames);
        return;
    }
    for (Frame& frame :
         Symbolizer::instance().symbolize(entry.module->module, entry.offset, entry.address)) {
        frames.push_back(std::move(frame));
    }
}

// One row of stackQuery() as frames.
void appendFrames(const SqliteDatabase::Statement& query,
                  const std::vector<RecordedModule>& modules, std::vector<Frame>& frames) {
    const StackEntry entry{static_cast<std::uint64_t>(query.integer(0)),
                           static_cast<std::uint64_t>(query.isNull(2) ? 0 : query.integer(2)),
                           moduleAt(modules, query, 1), modules.end()};
    if (query.isNull(3)) {
        appendUnnamed(entry, frames);
    } else {
        appendNamed(namedFrame(query, 3), entry, frames);
    }
}

// A version 4 stack's frame, named as the frames table names its address, or from its module.
void appendLocated(const LocatedFrame& located,
                   const std::unordered_map<std::uint64_t, std::vector<Frame>>& named,
                   const std::vector<RecordedModule>& modules, std::vector<Frame>& frames) {
    ModuleIterator module = modules.end();
    if (located.location) {
        const auto id = static_cast<std::int64_t>(located.location->module);
        module = std::find_if(modules.begin(), modules.end(),
                              [id](const RecordedModule& recorded) { return recorded.id == id; });
    }
    const StackEntry entry{located.address, located.location ? located.location->offset : 0, module,
                           modules.end()};
    const auto names = named.find(located.address);
    if (names == named.end()) {
        appendUnnamed(entry, frames);
        return;
    }
    for (const Frame& frame : names->second) {
        appendNamed(frame, entry, frames);
    }
}

}  // namespace

std::unordered_map<std::uint64_t, std::vector<Frame>> RecordingReader::namedFrames(
    const std::vector<LocatedFrame>* only) const {
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        std::unordered_map<std::uint64_t, std::vector<Frame>> named;
        SqliteDatabase::Statement query(
            *database_, only != nullptr ? "SELECT address, inlined, function, file, line, module "
                                          "FROM frames WHERE address = ? ORDER BY inline_depth"
                                        : "SELECT address, inlined, function, file, line, module "
                                          "FROM frames ORDER BY address, inline_depth");
        const auto read = [&] {
            while (query.step()) {
                named[static_cast<std::uint64_t>(query.integer(0))].push_back(namedFrame(query, 1));
            }
        };
        if (only == nullptr) {
            read();
            return named;
        }
        for (const LocatedFrame& frame : *only) {
            query.bind(1, static_cast<std::int64_t>(frame.address));
            read();
            query.reset();
        }
        return named;
    });
}

std::vector<Frame> RecordingReader::stack(StackId stackId) const {
    if (schemaVersion_ >= 4) {
        std::vector<Frame> frames;
        const std::vector<LocatedFrame> located = stackCodec_->stack(stackId);
        const std::unordered_map<std::uint64_t, std::vector<Frame>> named = namedFrames(&located);
        for (const LocatedFrame& entry : located) {
            appendLocated(entry, named, modules_, frames);
        }
        return frames;
    }
    return readOrExplain(path_, "is truncated or corrupt", [&] {
        SqliteDatabase::Statement query(*database_, stackQuery(schemaVersion_, true));
        query.bind(1, std::int64_t{stackId});
        std::vector<Frame> frames;
        while (query.step()) {
            appendFrames(query, modules_, frames);
        }
        return frames;
    });
}

void RecordingReader::forEachStack(
    const std::function<void(StackId, std::vector<Frame>)>& visit) const {
    if (schemaVersion_ >= 4) {
        const std::unordered_map<std::uint64_t, std::vector<Frame>> named = namedFrames(nullptr);
        for (const StackId stackId : stackCodec_->stackIds()) {
            std::vector<Frame> frames;
            for (const LocatedFrame& located : stackCodec_->stack(stackId)) {
                appendLocated(located, named, modules_, frames);
            }
            if (!frames.empty()) {
                visit(stackId, std::move(frames));
            }
        }
        return;
    }
    readOrExplain(path_, "is truncated or corrupt", [&] {
        // Every stack shares its frames with others: each address's names are read once, not
        // once a stack as joining the tables would.
        std::unordered_map<std::uint64_t, std::vector<Frame>> named;
        if (schemaVersion_ >= 2) {
            SqliteDatabase::Statement frames(
                *database_,
                "SELECT address, inlined, function, file, line, module FROM frames "
                "ORDER BY address, inline_depth");
            while (frames.step()) {
                named[static_cast<std::uint64_t>(frames.integer(0))].push_back(
                    namedFrame(frames, 1));
            }
        }
        SqliteDatabase::Statement query(
            *database_, schemaVersion_ >= 2 ? "SELECT stack_id, address, module_id, module_offset "
                                              "FROM stacks ORDER BY stack_id, depth"
                                            : stackQuery(schemaVersion_, false));
        std::vector<Frame> frames;
        StackId current = 0;
        while (query.step()) {
            const auto stackId = static_cast<StackId>(query.integer(schemaVersion_ >= 2 ? 0 : 8));
            if (stackId != current && !frames.empty()) {
                visit(current, std::move(frames));
                frames.clear();
            }
            current = stackId;
            if (schemaVersion_ < 2) {
                appendFrames(query, modules_, frames);
                continue;
            }
            const StackEntry entry{
                static_cast<std::uint64_t>(query.integer(1)),
                static_cast<std::uint64_t>(query.isNull(3) ? 0 : query.integer(3)),
                moduleAt(modules_, query, 2), modules_.end()};
            const auto names = named.find(entry.address);
            if (names == named.end()) {
                appendUnnamed(entry, frames);
                continue;
            }
            for (const Frame& frame : names->second) {
                appendNamed(frame, entry, frames);
            }
        }
        if (!frames.empty()) {
            visit(current, std::move(frames));
        }
        return 0;
    });
}

std::int64_t RecordingReader::metaInteger(const std::string& key) const {
    const auto it = metadata_.find(key);
    if (it == metadata_.end()) {
        return 0;
    }
    try {
        return std::stoll(it->second);
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace poolscope
