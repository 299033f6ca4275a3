#include "recording/RecordingWriter.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <string>
#include <unordered_map>

#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/ModuleMap.h"
#include "diagnostics/StackSource.h"
#include "diagnostics/Symbolizer.h"
#include "recording/RecordingError.h"
#include "recording/RecordingSchema.h"
#include "recording/SqliteDatabase.h"

namespace poolscope {

namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO events (seq, time_ns, kind, allocation_id, bytes, value, value2, stack_id, "
    "thread_id, slot, chunk_index, chunk_count, source_id, tier) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// SQLite stores signed 64-bit integers; unsigned figures keep their bits.
std::int64_t stored(std::uint64_t value) {
    return static_cast<std::int64_t>(value);
}

std::uint64_t eventsIn(const std::vector<std::vector<MemoryEvent>>& batches) {
    std::uint64_t events = 0;
    for (const std::vector<MemoryEvent>& batch : batches) {
        events += batch.size();
    }
    return events;
}

// What one transaction's events say of an allocation; the allocations table folds these
// together (the earliest and latest time, the bytes its rent events handed out: a pooled
// group rents one chunk per event).
struct AllocationFigures {
    std::int64_t firstNs = INT64_MAX;
    std::int64_t lastNs = INT64_MIN;
    std::uint64_t bytes = 0;
    int tier = INT32_MAX;
    StackId stackId = 0;
    std::uint32_t threadId = UINT32_MAX;
};

bool isRent(MemoryEventKind kind) {
    return kind == MemoryEventKind::Rent || kind == MemoryEventKind::UnpooledAllocate ||
           kind == MemoryEventKind::SmallRent;
}

}  // namespace

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata)
    : RecordingWriter(path, metadata, Options{}) {}

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata,
                                 Options options)
    : target_(path, options.replaceExisting), options_(std::move(options)) {
    database_ =
        std::make_unique<SqliteDatabase>(target_.writePath(), SqliteDatabase::Mode::CreateNew);
    database_->setBusyTimeout(options_.busyTimeout);
    database_->execute("PRAGMA journal_mode=WAL");
    // In WAL mode NORMAL keeps every committed transaction across a crash of the process;
    // only a power loss can take the last ones back.
    database_->execute("PRAGMA synchronous=NORMAL");
    database_->execute("PRAGMA application_id=" + std::to_string(RecordingSchema::kApplicationId));
    database_->execute("PRAGMA user_version=" + std::to_string(RecordingSchema::kVersion));
    database_->execute("BEGIN");
    database_->execute(RecordingSchema::createStatements());
    setMetaInTransaction("format", RecordingSchema::kFormat);
    setMetaInTransaction("schema_version", std::to_string(RecordingSchema::kVersion));
    for (const auto& [key, value] : metadata) {
        setMetaInTransaction(key, value);
    }
    SqliteDatabase::Statement kind(*database_,
                                   "INSERT INTO event_kinds (kind, name) VALUES (?, ?)");
    // Every kind the engine names, so that the table follows the enum as it grows.
    for (int k = 0; k <= UINT8_MAX; ++k) {
        const std::string name = memoryEventKindName(static_cast<MemoryEventKind>(k));
        if (name == "unknown") {
            break;
        }
        kind.bind(1, std::int64_t{k}).bind(2, name).execute();
    }
    database_->execute("COMMIT");
    // The file alone is a recording from the start: its header and tables leave the log now.
    checkpointIfDue(true);
    thread_ = std::thread([this] { writeLoop(); });
}

RecordingWriter::~RecordingWriter() {
    try {
        finish({}, 0);
    } catch (const std::exception&) {
        // A destructor cannot report; finish() is where errors are seen.
    }
}

void RecordingWriter::setMetaInTransaction(const std::string& key, const std::string& value) {
    SqliteDatabase::Statement(*database_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        .bind(1, key)
        .bind(2, value)
        .execute();
}

void RecordingWriter::setPool(std::uint16_t sourceId, int capacityChunks, std::int64_t chunkBytes) {
    std::lock_guard lock(mutex_);
    pendingPool_ = PoolShape{sourceId, capacityChunks, chunkBytes};
    wake_.notify_one();
}

void RecordingWriter::consume(std::span<const MemoryEvent> events) {
    if (events.empty()) {
        return;
    }
    std::lock_guard lock(mutex_);
    if (stopping_ || queuedEvents_ + events.size() > options_.queueCapacityEvents) {
        droppedQueueFull_.fetch_add(events.size(), std::memory_order_relaxed);
        return;
    }
    queue_.emplace_back(events.begin(), events.end());
    queuedEvents_ += events.size();
    wake_.notify_one();
}

std::string RecordingWriter::writeFailure() const {
    std::lock_guard lock(mutex_);
    return writeFailure_;
}

void RecordingWriter::writeLoop() {
    for (;;) {
        std::vector<std::vector<MemoryEvent>> batches;
        std::optional<PoolShape> pool;
        bool stopping = false;
        {
            std::unique_lock lock(mutex_);
            // Naming waits its turn too: it takes at most symbolizeBudget per commitInterval,
            // so that it never competes with the program for long.
            wake_.wait_for(lock, options_.commitInterval,
                           [this] { return stopping_ || !queue_.empty() || pendingPool_; });
            // Let a burst of batches gather, so one transaction commits many.
            while (!queue_.empty()) {
                batches.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            queuedEvents_ = 0;
            pool = std::exchange(pendingPool_, std::nullopt);
            stopping = stopping_;
        }
        if (pool) {
            occupancy_.emplace(pool->sourceId, pool->capacityChunks);
            poolToWrite_ = pool;
        }
        if (!batches.empty() || poolToWrite_) {
            try {
                commitBatch(batches);
                lastCommitFailed_ = false;
            } catch (const std::exception& error) {
                noteUnwritten(eventsIn(batches), error.what());
            }
            try {
                checkpointIfDue(false);
            } catch (const RecordingError&) {
                // The log keeps the batches; the next checkpoint copies them.
            }
        }
        if (options_.symbolizeInBackground && !addressesToName_.empty() && !stopping) {
            try {
                commitFrames(std::chrono::steady_clock::now() + options_.symbolizeBudget);
            } catch (const RecordingError&) {
                // The addresses stay queued; they are named after a later batch or at the end.
            }
        }
        if (stopping) {
            std::lock_guard lock(mutex_);
            if (queue_.empty()) {
                return;
            }
        }
    }
}

void RecordingWriter::noteUnwritten(std::uint64_t events, const std::string& error) {
    droppedUnwritten_.fetch_add(events);
    const bool wasWriting = !lastCommitFailed_;
    lastCommitFailed_ = true;
    {
        std::lock_guard lock(mutex_);
        if (writeFailure_.empty()) {
            writeFailure_ = error;
        }
    }
    if (wasWriting && options_.onWriteFailure) {
        options_.onWriteFailure(error);
    }
}

void RecordingWriter::begin() {
    additions_ = Additions{nextSequence_, nextSnapshot_, {}, {}, {}, 0};
    // IMMEDIATE takes the write lock first, waiting up to busyTimeout for another
    // connection's, so that a busy database fails here, before anything is inserted.
    database_->execute("BEGIN IMMEDIATE");
}

void RecordingWriter::rollBack() {
    try {
        database_->execute("ROLLBACK");
    } catch (const RecordingError&) {
        // The transaction is gone with the error that ended it, or never began.
    }
    nextSequence_ = additions_.nextSequence;
    nextSnapshot_ = additions_.nextSnapshot;
    for (const StackId stackId : additions_.stacks) {
        stacksWritten_.erase(stackId);
    }
    for (const std::uint32_t module : additions_.modules) {
        modulesWritten_.erase(module);
    }
    for (const std::uint16_t tag : additions_.tags) {
        tagsWritten_.erase(tag);
    }
    for (std::size_t i = 0; i < additions_.addresses; ++i) {
        addressesSeen_.erase(addressesToName_.back());
        addressesToName_.pop_back();
    }
    unnamedAddresses_.fetch_sub(additions_.addresses);
    additions_ = Additions{nextSequence_, nextSnapshot_, {}, {}, {}, 0};
}

void RecordingWriter::setDropMeta() {
    const std::uint64_t queueFull = droppedQueueFull_.load();
    const std::uint64_t unwritten = droppedUnwritten_.load();
    setMetaInTransaction("writer_dropped_events", std::to_string(queueFull + unwritten));
    if (queueFull + unwritten == 0) {
        return;
    }
    std::string reason;
    if (queueFull > 0) {
        reason = std::to_string(queueFull) +
                 " events: the queue was full (the writer fell behind the run)";
    }
    if (unwritten > 0) {
        reason += (reason.empty() ? "" : "; ") + std::to_string(unwritten) +
                  " events: could not be committed: " + writeFailure();
    }
    setMetaInTransaction("writer_dropped_reason", reason);
}

void RecordingWriter::checkpointIfDue(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - lastCheckpoint_ < options_.checkpointInterval) {
        return;
    }
    lastCheckpoint_ = now;
    // PASSIVE never waits: it copies what no reader still needs and leaves the rest for later.
    database_->execute("PRAGMA wal_checkpoint(PASSIVE)");
}

void RecordingWriter::commitBatch(const std::vector<std::vector<MemoryEvent>>& batches) {
    begin();
    try {
        writePoolMeta();
        SqliteDatabase::Statement insert(*database_, kInsertEvent);
        std::uint64_t written = 0;
        std::int64_t lastTime = 0;
        for (const std::vector<MemoryEvent>& batch : batches) {
            for (const MemoryEvent& event : batch) {
                insert.bind(1, nextSequence_++)
                    .bind(2, event.timeNanoseconds)
                    .bind(3, std::int64_t{static_cast<std::uint8_t>(event.kind)})
                    .bind(4, stored(event.allocationId))
                    .bind(5, stored(event.bytes))
                    .bind(6, stored(event.value))
                    .bind(7, stored(event.value2))
                    .bind(8, std::int64_t{event.stackId})
                    .bind(9, std::int64_t{event.threadId})
                    .bind(10, std::int64_t{event.slot})
                    .bind(11, std::int64_t{event.chunkIndex})
                    .bind(12, std::int64_t{event.chunkCount})
                    .bind(13, std::int64_t{event.sourceId})
                    .bind(14, std::int64_t{static_cast<std::uint8_t>(event.tier)})
                    .execute();
                // A stack goes in with the first event that names it; its names follow.
                if (event.stackId != 0 && stacksWritten_.insert(event.stackId).second) {
                    additions_.stacks.push_back(event.stackId);
                    insertStack(event.stackId);
                }
                insertTagOf(event);
                // The pool's occupancy follows what happened, committed or not.
                if (occupancy_) {
                    occupancy_->apply(event);
                }
                lastTime = event.timeNanoseconds;
                written += 1;
            }
        }
        insertAllocations(batches);
        if (written > 0 && occupancy_) {
            SqliteDatabase::Statement(
                *database_,
                "INSERT INTO snapshots (seq, time_ns, last_event_seq, rented_chunks, "
                "retained_chunks, unpooled_bytes, small_bytes, writer_dropped) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(1, nextSnapshot_++)
                .bind(2, lastTime)
                .bind(3, nextSequence_ - 1)
                .bind(4, std::int64_t{occupancy_->rentedChunks()})
                .bind(5, std::int64_t{occupancy_->retainedChunks()})
                .bind(6, stored(occupancy_->unpooledBytesLive()))
                .bind(7, stored(occupancy_->smallBytesLive()))
                .bind(8, stored(droppedEvents()))
                .execute();
        }
        setDropMeta();
        database_->execute("COMMIT");
        poolToWrite_.reset();
        committedEvents_.fetch_add(written);
        committedBatches_.fetch_add(1);
    } catch (...) {
        rollBack();
        throw;
    }
}

void RecordingWriter::writePoolMeta() {
    if (poolToWrite_) {
        setMetaInTransaction("source_id", std::to_string(poolToWrite_->sourceId));
        setMetaInTransaction("capacity_chunks", std::to_string(poolToWrite_->capacityChunks));
        setMetaInTransaction("chunk_bytes", std::to_string(poolToWrite_->chunkBytes));
    }
}

void RecordingWriter::insertAllocations(const std::vector<std::vector<MemoryEvent>>& batches) {
    std::unordered_map<AllocationId, AllocationFigures> figures;
    for (const std::vector<MemoryEvent>& batch : batches) {
        for (const MemoryEvent& event : batch) {
            if (event.allocationId == 0) {
                continue;
            }
            AllocationFigures& allocation = figures[event.allocationId];
            allocation.firstNs = std::min(allocation.firstNs, event.timeNanoseconds);
            allocation.lastNs = std::max(allocation.lastNs, event.timeNanoseconds);
            allocation.bytes += isRent(event.kind) ? event.bytes : 0;
            allocation.tier = std::min(allocation.tier, static_cast<int>(event.tier));
            allocation.stackId = std::max(allocation.stackId, event.stackId);
            allocation.threadId = std::min(allocation.threadId, event.threadId);
        }
    }
    // An allocation whose events span batches folds into the row its first batch made.
    SqliteDatabase::Statement upsert(
        *database_,
        "INSERT INTO allocations (allocation_id, first_ns, last_ns, bytes, tier, stack_id, "
        "thread_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (allocation_id) DO UPDATE SET "
        "first_ns = MIN(first_ns, excluded.first_ns), last_ns = MAX(last_ns, excluded.last_ns), "
        "bytes = bytes + excluded.bytes, tier = MIN(tier, excluded.tier), "
        "stack_id = MAX(stack_id, excluded.stack_id), "
        "thread_id = MIN(thread_id, excluded.thread_id)");
    for (const auto& [id, allocation] : figures) {
        upsert.bind(1, stored(id))
            .bind(2, allocation.firstNs)
            .bind(3, allocation.lastNs)
            .bind(4, stored(allocation.bytes))
            .bind(5, std::int64_t{allocation.tier})
            .bind(6, std::int64_t{allocation.stackId})
            .bind(7, std::int64_t{allocation.threadId})
            .execute();
    }
}

void RecordingWriter::insertStack(StackId stackId) {
    SqliteDatabase::Statement insertFrame(*database_,
                                          "INSERT INTO stacks (stack_id, depth, address, "
                                          "module_id, module_offset) VALUES (?, ?, ?, ?, ?)");
    SqliteDatabase::Statement insertModule(*database_,
                                           "INSERT INTO modules (module_id, path, build_id, "
                                           "load_address) VALUES (?, ?, ?, ?)");
    const StackSource& source = options_.stacks ? *options_.stacks : StackSource::process();
    const std::vector<LocatedFrame> frames = source.stack(stackId);
    for (std::size_t depth = 0; depth < frames.size(); ++depth) {
        const std::uintptr_t address = frames[depth].address;
        insertFrame.bind(1, std::int64_t{stackId})
            .bind(2, static_cast<std::int64_t>(depth))
            .bind(3, static_cast<std::int64_t>(address));
        if (const std::optional<ModuleLocation>& location = frames[depth].location) {
            if (modulesWritten_.insert(location->module).second) {
                additions_.modules.push_back(location->module);
                const LoadedModule module = source.module(location->module);
                insertModule.bind(1, std::int64_t{location->module})
                    .bind(2, module.path)
                    .bind(3, module.buildId)
                    .bind(4, stored(module.loadAddress))
                    .execute();
            }
            insertFrame.bind(4, std::int64_t{location->module}).bind(5, stored(location->offset));
        } else {
            insertFrame.bindNull(4).bindNull(5);
        }
        insertFrame.execute();
        if (addressesSeen_.insert(address).second) {
            addressesToName_.push_back(address);
            additions_.addresses += 1;
            unnamedAddresses_.fetch_add(1);
        }
    }
}

void RecordingWriter::insertTagOf(const MemoryEvent& event) {
    const bool allocates = event.kind == MemoryEventKind::Rent ||
                           event.kind == MemoryEventKind::UnpooledAllocate ||
                           event.kind == MemoryEventKind::SmallRent;
    if (!allocates || event.tagId() == 0 || !tagsWritten_.insert(event.tagId()).second) {
        return;
    }
    additions_.tags.push_back(event.tagId());
    const std::string name = MemoryDiagnostics::tagName(event.tagId());
    if (name.empty()) {
        return;  // a tag of another process (a replayed recording): nothing to name it by
    }
    SqliteDatabase::Statement(*database_,
                              "INSERT OR REPLACE INTO tags (tag_id, name) VALUES (?, ?)")
        .bind(1, std::int64_t{event.tagId()})
        .bind(2, name)
        .execute();
}

std::size_t RecordingWriter::insertFrames(std::chrono::steady_clock::time_point deadline) {
    SqliteDatabase::Statement insertFrame(
        *database_,
        "INSERT OR REPLACE INTO frames (address, inline_depth, function, file, line, module, "
        "inlined) VALUES (?, ?, ?, ?, ?, ?, ?)");
    // The addresses leave the queue only once their transaction commits.
    std::size_t named = 0;
    for (; named < addressesToName_.size() && std::chrono::steady_clock::now() < deadline;
         ++named) {
        const std::uintptr_t address = addressesToName_[named];
        const std::vector<Frame> frames = Symbolizer::instance().symbolize(address);
        for (std::size_t depth = 0; depth < frames.size(); ++depth) {
            const Frame& frame = frames[depth];
            insertFrame.bind(1, static_cast<std::int64_t>(address))
                .bind(2, static_cast<std::int64_t>(depth))
                .bind(3, frame.function)
                .bind(4, frame.file)
                .bind(5, std::int64_t{frame.line})
                .bind(6, frame.module)
                .bind(7, std::int64_t{frame.inlined ? 1 : 0})
                .execute();
        }
    }
    return named;
}

void RecordingWriter::forgetNamed(std::size_t named) {
    addressesToName_.erase(addressesToName_.begin(),
                           addressesToName_.begin() + static_cast<std::ptrdiff_t>(named));
    unnamedAddresses_.fetch_sub(named);
}

void RecordingWriter::commitFrames(std::chrono::steady_clock::time_point deadline) {
    begin();
    std::size_t named = 0;
    try {
        named = insertFrames(deadline);
        database_->execute("COMMIT");
    } catch (...) {
        rollBack();
        throw;
    }
    forgetNamed(named);
}

void RecordingWriter::finish(
    const std::vector<RecordedLeak>& leaks, std::uint64_t engineDroppedEvents,
    const std::vector<std::pair<std::string, std::string>>& finalMetadata) {
    {
        std::lock_guard lock(mutex_);
        if (finished_) {
            return;
        }
        finished_ = true;
        stopping_ = true;
        wake_.notify_one();
    }
    thread_.join();

    std::size_t named = 0;
    try {
        begin();
        SqliteDatabase::Statement markLeak(
            *database_, "UPDATE allocations SET tag = ?, leak = ? WHERE allocation_id = ?");
        for (const RecordedLeak& leak : leaks) {
            markLeak.bind(1, leak.tag)
                .bind(2, std::string(leak.releasedWithoutDispose ? "released-without-dispose"
                                                                 : "live-at-end"))
                .bind(3, stored(leak.id))
                .execute();
        }
        if (options_.symbolizeInBackground) {
            named = insertFrames(std::chrono::steady_clock::time_point::max());
        }
        // A pool whose batch could not be committed is still named.
        writePoolMeta();
        setMetaInTransaction("engine_dropped_events", std::to_string(engineDroppedEvents));
        setDropMeta();
        setMetaInTransaction("event_count", std::to_string(nextSequence_ - 1));
        for (const auto& [key, value] : finalMetadata) {
            setMetaInTransaction(key, value);
        }
        setMetaInTransaction("finished", "1");
        database_->execute("COMMIT");
    } catch (const RecordingError& error) {
        rollBack();
        throw RecordingError("the recording " + path() + " is incomplete: " + error.what());
    }
    forgetNamed(named);
    database_->execute("PRAGMA wal_checkpoint(TRUNCATE)");
    database_.reset();
    target_.commit();
    target_.release();
    closed_ = true;
    if (const std::uint64_t unwritten = unwrittenEvents(); unwritten > 0) {
        throw RecordingError("the recording " + path() + " lacks " + std::to_string(unwritten) +
                             " events that could not be committed: " + writeFailure());
    }
}

}  // namespace poolscope
