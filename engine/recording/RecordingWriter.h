#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
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
#include "scenarios/MemoryEventSink.h"

namespace poolscope {

class SqliteDatabase;

// An allocation a run left behind, as the recording notes it at the end.
struct RecordedLeak {
    AllocationId id = 0;
    std::string tag;
    bool releasedWithoutDispose = false;
};

// Writes a run's events into an SQLite recording (schema: RecordingSchema, README.md) on a
// thread of its own, in batched WAL transactions, so that the engine never waits for the disk.
// consume() only copies a batch into a bounded queue; when the queue is full the batch is
// dropped and counted, and the count is committed with the next batch. A process killed at
// any point leaves a file holding every batch committed until then.
class RecordingWriter final : public MemoryEventSink {
public:
    struct Options {
        std::size_t queueCapacityEvents = 1u << 20;
        // A batch is committed at least this often while events arrive.
        std::chrono::milliseconds commitInterval{100};
        // Stacks are named on the writer's thread as they first appear, a little at a time
        // between batches, so that a recording cut short names what it committed. Without,
        // the recording keeps modules and offsets only, for a reader to name from the binaries.
        bool symbolizeInBackground = true;
        std::chrono::milliseconds symbolizeBudget{20};
    };

    // Creates the file (replacing one that exists) with the schema and `metadata`.
    // Throws RecordingError naming the file when it cannot be made.
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

    // Commits what is queued, then the allocations, the frames of stacks not named yet, the
    // leaks and the final counts, and closes the file's write-ahead log.
    // Throws RecordingError when anything could not be written.
    void finish(const std::vector<RecordedLeak>& leaks, std::uint64_t engineDroppedEvents);

    std::uint64_t droppedEvents() const { return dropped_.load(std::memory_order_relaxed); }
    std::uint64_t committedEvents() const { return committedEvents_.load(); }
    std::uint64_t committedBatches() const { return committedBatches_.load(); }
    // Addresses of committed stacks whose frames are not committed yet.
    std::uint64_t unnamedAddresses() const { return unnamedAddresses_.load(); }
    const std::string& path() const { return path_; }

private:
    void writeLoop();
    struct PoolShape {
        std::uint16_t sourceId = 0;
        int capacityChunks = 0;
        std::int64_t chunkBytes = 0;
    };
    void commitBatch(const std::vector<std::vector<MemoryEvent>>& batches,
                     const std::optional<PoolShape>& pool, std::uint64_t droppedSoFar);
    void setMetaInTransaction(const std::string& key, const std::string& value);
    void insertStack(StackId stackId);
    // The name of an allocation event's tag, the first time the tag appears: a reader shows
    // "forgotten-cache", not a number.
    void insertTagOf(const MemoryEvent& event);
    void insertFrames(std::chrono::steady_clock::time_point deadline);
    void commitFrames(std::chrono::steady_clock::time_point deadline);

    std::string path_;
    Options options_;
    std::unique_ptr<SqliteDatabase> database_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::vector<MemoryEvent>> queue_;
    std::size_t queuedEvents_ = 0;
    bool stopping_ = false;
    bool finished_ = false;
    std::string writeError_;  // the first error of the writer thread
    std::optional<PoolShape> pendingPool_;

    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> committedEvents_{0};
    std::atomic<std::uint64_t> committedBatches_{0};
    std::atomic<std::uint64_t> unnamedAddresses_{0};

    // Writer thread only.
    std::int64_t nextSequence_ = 1;
    std::int64_t nextSnapshot_ = 1;
    std::unordered_set<StackId> stacksWritten_;
    std::unordered_set<std::uint32_t> modulesWritten_;
    std::unordered_set<std::uint16_t> tagsWritten_;
    std::unordered_set<std::uintptr_t> addressesSeen_;
    std::deque<std::uintptr_t> addressesToName_;  // in a committed stack, not named yet
    std::optional<PoolOccupancy> occupancy_;

    std::thread thread_;
};

}  // namespace poolscope
