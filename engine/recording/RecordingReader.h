#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/MemoryEvent.h"
#include "diagnostics/ModuleMap.h"
#include "recording/EventBlockTable.h"

namespace poolscope {

class EventBlockCodec;
class SqliteDatabase;
class StackBlockCodec;
struct LocatedFrame;

struct RecordedEvent {
    std::int64_t sequence = 0;
    MemoryEvent event;
};

struct RecordedSnapshot {
    std::int64_t sequence = 0;
    std::int64_t timeNanoseconds = 0;
    std::int64_t lastEventSequence = 0;
    int rentedChunks = 0;
    int retainedChunks = 0;
    std::uint64_t unpooledBytes = 0;
    std::uint64_t smallBytes = 0;
    std::uint64_t writerDroppedEvents = 0;
};

struct RecordedAllocation {
    AllocationId id = 0;
    std::uint64_t bytes = 0;
    MemoryTier tier = MemoryTier::Pooled;
    std::string tag;
    std::string leak;  // "live-at-end", "released-without-dispose"
    StackId stackId = 0;
};

// What the writer made of a recording's events at its end (RecordingSummarizer), as stored.
struct RecordedSummary {
    int encoding = 0;
    std::vector<unsigned char> data;
};

// A point on the way where the writer stored what its summarizer had followed
// (RecordingSummarizer::resumePoint), with the times of the events up to it.
struct RecordedResumePoint {
    std::int64_t lastSequence = 0;
    std::int64_t earliestNanoseconds = 0;
    std::int64_t latestNanoseconds = 0;
};

// A module the recorded process had loaded, and whether its file can still name its frames.
struct RecordedModule {
    std::int64_t id = 0;
    LoadedModule module;
    std::string problem;  // empty when the file on disk is the recorded build
};

// Opens a recording for reading, progressively: opening checks what makes the file a sound
// PoolScope recording (the file itself, its header's application_id and user_version against
// its metadata, SQLite's quick_check and, for a finished run, its summaries against its events;
// see RecordingChecks, each within a time budget), and events and snapshots are then read page
// by page. A recording cut short by a killed process opens with every batch it committed.
// Every problem with the file (missing, a symbolic link loop, not a database, another
// application's database, a newer or disagreeing schema version, truncated, corrupt, its
// write-ahead log missing) is a RecordingError whose message names the file.
class RecordingReader {
public:
    explicit RecordingReader(const std::string& path);
    ~RecordingReader();
    RecordingReader(const RecordingReader&) = delete;
    RecordingReader& operator=(const RecordingReader&) = delete;

    const std::string& path() const { return path_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    // A whole-number meta value; 0 when the key is missing or not a number (an older file).
    std::int64_t metaInteger(const std::string& key) const;
    int schemaVersion() const { return schemaVersion_; }
    // False for a recording whose writer never finished (a killed run).
    bool finished() const;
    std::int64_t lastEventSequence() const { return lastEventSequence_; }

    // Events after `afterSequence`, in order, at most maxEvents of them. Safe to call from
    // one thread while another reads anything else but events.
    std::vector<RecordedEvent> events(std::int64_t afterSequence, std::size_t maxEvents) const;
    // A version 3 recording's event blocks as stored, in order, from the one holding the event
    // after `afterSequence`, until `visit` returns false: for readers that decode them on
    // threads of their own (RecordingEventBlocks). Damage is a RecordingError as for events(),
    // which it must not run beside.
    void forEachEncodedBlock(const EventBlockTable::VisitEncoded& visit,
                             std::int64_t afterSequence = 0) const;
    // The last event of the recording's leading blocks whose every event is earlier than
    // `nanoseconds`, found from the blocks' stored times without decoding them; 0 when the
    // first block has a later one, or the recording keeps no blocks (before version 3). A
    // block after one with a later event is not counted, whatever its own times.
    std::int64_t lastEventOfBlocksBefore(std::int64_t nanoseconds) const;
    // The first event of the recording's trailing blocks whose every event is later than
    // `nanoseconds`, found the same way; one past the last event when the last block has an
    // earlier one or the recording keeps no blocks. A block before one with an earlier event is
    // not counted, whatever its own times.
    std::int64_t firstEventOfBlocksAfter(std::int64_t nanoseconds) const;
    std::vector<RecordedSnapshot> snapshots(std::int64_t afterSequence,
                                            std::size_t maxSnapshots) const;
    // Allocations the run left behind, as the writer marked them at the end.
    std::vector<RecordedAllocation> leaks() const;
    // The frames of a stack, innermost first, inlined calls as frames of their own. Frames the
    // recording did not name are named from the recorded module's file on disk, by offset, so
    // it does not matter where the module is loaded now; a frame whose file is gone keeps its
    // address and module. A version 1 recording names only what it stored.
    std::vector<Frame> stack(StackId stackId) const;
    // Every stack's frames as stack() names them, stack by stack in one reading of the table:
    // naming all of a large recording's stacks one query each would take seconds.
    void forEachStack(const std::function<void(StackId, std::vector<Frame>)>& visit) const;
    // The names of the tags the recorded allocations carry, by tag id (none in a recording
    // made before tags were kept).
    std::map<std::uint16_t, std::string> tagNames() const;
    // The summary of every event the file holds, in `encoding`; none for a recording before
    // version 5, one cut short, or one whose summary does not cover exactly its events.
    std::optional<RecordedSummary> summary(int encoding) const;
    // The resume points with a part in `encoding` whose events the file holds, in order; none
    // before version 6.
    std::vector<RecordedResumePoint> resumePoints(int encoding) const;
    // The part in `encoding` of the resume point after event `lastSequence`; none when there
    // is no such part.
    std::optional<RecordedSummary> resumePart(int encoding, std::int64_t lastSequence) const;
    // The same read on `connection`, another connection to the file (otherConnection()): a
    // reader's own serves one thread at a time, and a pass may be reading blocks on it.
    std::optional<RecordedSummary> resumePart(int encoding, std::int64_t lastSequence,
                                              SqliteDatabase& connection) const;
    // A connection of its own to the file, read-only, for reads beside a pass on this reader.
    std::unique_ptr<SqliteDatabase> otherConnection() const;
    // The modules the recorded stacks lie in (none before version 2).
    const std::vector<RecordedModule>& modules() const { return modules_; }

private:
    std::string path_;
    std::unique_ptr<SqliteDatabase> database_;
    std::map<std::string, std::string> metadata_;
    int schemaVersion_ = 0;
    std::int64_t lastEventSequence_ = 0;
    std::vector<RecordedModule> modules_;

    // Version 4: every stack block, read at the opening (StackBlockCodec).
    void readStackBlocks();
    // The frames table's names by address: of `only`'s addresses, or of all when null.
    std::unordered_map<std::uint64_t, std::vector<Frame>> namedFrames(
        const std::vector<LocatedFrame>* only) const;
    std::unique_ptr<StackBlockCodec> stackCodec_;

    std::vector<RecordedEvent> eventsFromBlocks(std::int64_t afterSequence,
                                                std::size_t maxEvents) const;
    // Version 3: the last block decoded, as the next page mostly begins inside it.
    mutable std::mutex blocksMutex_;
    std::unique_ptr<EventBlockCodec> codec_;
    mutable std::int64_t cachedFirstSequence_ = 0;
    mutable std::vector<MemoryEvent> cachedBlock_;
};

}  // namespace poolscope
