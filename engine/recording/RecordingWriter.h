#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/PoolOccupancy.h"
#include "recording/RecordingSummarizer.h"
#include "recording/RecordingTarget.h"
#include "scenarios/MemoryEventSink.h"

namespace poolscope {

class EventBlockCodec;
class SqliteDatabase;
class StackBlockCodec;
class StackSource;

// An allocation a run left behind, as the recording notes it at the end.
struct RecordedLeak {
    AllocationId id = 0;
    std::string tag;
    bool releasedWithoutDispose = false;
};

// Writes a run's events into an SQLite recording (schema: RecordingSchema, README.md) on a
// thread of its own, in WAL transactions, so that the engine never waits for the disk.
// consume() only copies a batch into a bounded queue; when the queue is full the batch is
// dropped and counted. The writer gathers the events into blocks (EventBlockCodec), each
// committed once full or once its first event is blockInterval old; a block that could not be
// committed (another connection held the database longer than busyTimeout, a full disk) is
// dropped and counted, and the counts and their reasons are committed with the next one.
// Stacks (in blocks of a trace tree, StackBlockCodec) and frames grow with the blocks, and the log
// is checkpointed as it goes: a process killed at any point leaves a file holding every block
// committed until then, named. The allocations table gets the allocations left behind when the
// recording finishes, and the analysis_summary table what Options::summarizer made of the
// committed events.
class RecordingWriter final : public MemoryEventSink {
public:
    struct Options {
        std::size_t queueCapacityEvents = 1u << 20;
        // The writer looks at its queue at least this often while events arrive.
        std::chrono::milliseconds commitInterval{100};
        // A block of events is committed once it holds eventsPerBlock events (at most
        // EventBlockCodec::kMaxEvents), or once its first event waited blockInterval, so that
        // a killed run loses no more than about blockInterval of its events. Large blocks
        // compress better: more frees find their allocation in their own block, and a small
        // recording's rows fill their pages.
        std::size_t eventsPerBlock = 262144;
        std::chrono::milliseconds blockInterval{1000};
        // Stacks are named on the writer's thread as they first appear, a little at a time
        // between batches, so that a recording cut short names what it committed. Without,
        // the recording keeps modules and offsets only, for a reader to name from the binaries.
        bool symbolizeInBackground = true;
        std::chrono::milliseconds symbolizeBudget{20};
        // An existing recording at the path is replaced (atomically, see RecordingTarget)
        // only when this is set; anything else at the path is never replaced.
        bool replaceExisting = false;
        // How long a commit waits for another connection's write lock before its events are
        // dropped and counted. Later batches try again.
        std::chrono::milliseconds busyTimeout{2000};
        // The write-ahead log is copied into the file at least this often while batches are
        // committed, so that the file alone, without its log, holds all but the last moments.
        std::chrono::milliseconds checkpointInterval{1000};
        // Called on the writer's thread when a commit fails after the one before succeeded,
        // with the error: a front end can say at once that events are being lost.
        std::function<void(const std::string&)> onWriteFailure;
        // Where the events' stack ids are defined; null: this process. Another program's
        // stacks (a live link) are kept as modules and offsets, with symbolizeInBackground off.
        const StackSource* stacks = nullptr;
        // Makes what follows the committed events for the summary stored at the end
        // (RecordingSummarizer); none: the recording has no summary and its readers make a
        // pass over its events. Recordings of a run get AnalysisSummarizer's.
        std::function<std::unique_ptr<RecordingSummarizer>()> summarizer;
        // The summarizer's resume points (RecordingSummarizer::resumePoint) come at least this
        // many committed events apart, and at least resumePointEventsPerByte events apart for
        // each byte the last point repeated, so that they stay a small part of the file (an event
        // takes some 6 bytes; a 1 GB recording holds some 170 million).
        std::uint64_t resumePointEvents = std::uint64_t{1} << 23;
        std::uint64_t resumePointEventsPerByte = 1;
    };

    // Creates the file with the schema and `metadata` (see RecordingTarget for what an
    // existing file at the path gets). Throws RecordingError naming the file when it cannot
    // be made, RecordingExistsError when it holds a recording and !options.replaceExisting.
    RecordingWriter(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& metadata);
    RecordingWriter(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& metadata,
                    Options options);
    // Finishes the recording if finish() was not called.
    ~RecordingWriter() override;
    RecordingWriter(const RecordingWriter&) = delete;
    RecordingWriter& operator=(const RecordingWriter&) = delete;

    // The pool the events are about, so that snapshots can follow its occupancy. Call before
    // the first event.
    void setPool(std::uint16_t sourceId, int capacityChunks, std::int64_t chunkBytes);
    void consume(std::span<const MemoryEvent> events) override;
    // How many events consume() takes now without dropping any: a producer that can hold events
    // back (a launched program's stream, which waits in its pipe) gives no more.
    std::size_t room() const;

    // Commits what is queued, then the leaks (with what the events say of them), the frames of
    // stacks not named yet and the final counts, closes the file's write-ahead log and puts the
    // file in its place. Throws RecordingError when anything could not be written: the recording is
    // then incomplete, or (unwrittenEvents() > 0) finished but lacking the events it counts.
    // `finalMetadata` is what is known only at the end (the run's summary): it goes into the
    // meta table in the same transaction, so a recording marked finished always holds it.
    void finish(const std::vector<RecordedLeak>& leaks, std::uint64_t engineDroppedEvents,
                const std::vector<std::pair<std::string, std::string>>& finalMetadata = {});

    std::uint64_t droppedEvents() const {
        return droppedQueueFull_.load(std::memory_order_relaxed) +
               droppedUnwritten_.load(std::memory_order_relaxed);
    }
    // Events dropped because a commit failed, and the first failure's error (empty if none).
    std::uint64_t unwrittenEvents() const { return droppedUnwritten_.load(); }
    std::string writeFailure() const;
    // True once finish() closed the file in its place, whatever it lacks.
    bool closed() const { return closed_; }
    std::uint64_t committedEvents() const { return committedEvents_.load(); }
    std::uint64_t committedBatches() const { return committedBatches_.load(); }
    // Addresses of committed stacks whose frames are not committed yet.
    std::uint64_t unnamedAddresses() const { return unnamedAddresses_.load(); }
    const std::string& path() const { return target_.path(); }

private:
    void writeLoop();
    struct PoolShape {
        std::uint16_t sourceId = 0;
        int capacityChunks = 0;
        std::int64_t chunkBytes = 0;
    };
    // What a transaction added to the writer thread's sets, taken back when it rolls back.
    struct Additions {
        std::int64_t nextSequence = 0;
        std::int64_t nextSnapshot = 0;
        std::vector<StackId> stacks;
        std::vector<std::uint32_t> modules;
        std::vector<std::uint16_t> tags;
        std::size_t addresses = 0;
    };
    void begin();
    // Blocks of the pending events, and the events they hold.
    struct EncodedBlock {
        std::size_t events = 0;
        std::vector<unsigned char> data;
    };
    void takeBatches(std::vector<std::vector<MemoryEvent>>& batches);
    void writeDueBlocks(bool all);
    void commitBlocks(const std::vector<EncodedBlock>& blocks);
    void insertLeaks(const std::vector<RecordedLeak>& leaks);
    void rollBack();
    void forgetNamed(std::size_t named);
    void noteUnwritten(std::uint64_t events, const std::string& error);
    void setDropMeta();
    void writePoolMeta();
    void checkpointIfDue(bool force);
    void setMetaInTransaction(const std::string& key, const std::string& value);
    void insertStack(StackId stackId);
    // The name of an allocation event's tag, the first time the tag appears: a reader shows
    // "forgotten-cache", not a number.
    void insertTagOf(const MemoryEvent& event);
    std::size_t insertFrames(std::chrono::steady_clock::time_point deadline);
    void commitFrames(std::chrono::steady_clock::time_point deadline);

    RecordingTarget target_;
    Options options_;
    std::unique_ptr<SqliteDatabase> database_;
    std::unique_ptr<EventBlockCodec> codec_;
    // The stacks committed and those of the transaction under way (StackBlockCodec).
    std::unique_ptr<StackBlockCodec> stackCodec_;
    std::int64_t nextStackBlock_ = 1;
    // Writer thread, then finish(); null when none was asked for or it failed (no summary).
    std::unique_ptr<RecordingSummarizer> summarizer_;
    void summarize(std::int64_t firstSequence, std::span<const MemoryEvent> events);
    void insertSummary();
    void insertResumePointIfDue();
    void insertParts(const char* table, const std::vector<RecordingSummarizer::Part>& parts);
    std::uint64_t summarizedEvents_ = 0;
    std::uint64_t eventsAtResumePoint_ = 0;
    std::uint64_t resumePointBytes_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::vector<MemoryEvent>> queue_;
    std::size_t queuedEvents_ = 0;
    // The queued events that wake the writer: a block's, or half the queue's when that is less.
    std::size_t wakeAtEvents_ = 0;
    bool stopping_ = false;
    bool finished_ = false;
    std::string writeFailure_;  // the first commit's error that dropped events
    std::optional<PoolShape> pendingPool_;

    std::atomic<std::uint64_t> droppedQueueFull_{0};
    std::atomic<std::uint64_t> droppedUnwritten_{0};
    std::atomic<std::uint64_t> committedEvents_{0};
    std::atomic<std::uint64_t> committedBatches_{0};
    std::atomic<std::uint64_t> unnamedAddresses_{0};

    // Writer thread only.
    std::vector<MemoryEvent> pending_;  // not in a block yet
    std::chrono::steady_clock::time_point pendingSince_;
    std::int64_t nextSequence_ = 1;
    std::int64_t nextSnapshot_ = 1;
    std::unordered_set<StackId> stacksWritten_;
    std::unordered_set<std::uint32_t> modulesWritten_;
    std::unordered_set<std::uint16_t> tagsWritten_;
    std::unordered_set<std::uintptr_t> addressesSeen_;
    std::deque<std::uintptr_t> addressesToName_;  // in a committed stack, not named yet
    std::optional<PoolOccupancy> occupancy_;
    std::optional<PoolShape> poolToWrite_;  // its meta is not committed yet
    Additions additions_;
    bool lastCommitFailed_ = false;
    bool closed_ = false;
    std::chrono::steady_clock::time_point lastCheckpoint_;

    std::thread thread_;
};

}  // namespace poolscope
