#include "recording/RecordingWriter.h"

#include <cstdio>
#include <exception>
#include <string>

#include "diagnostics/ModuleMap.h"
#include "diagnostics/StackTable.h"
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

void removeIfPresent(const std::string& path) {
    std::remove(path.c_str());
}

}  // namespace

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata)
    : RecordingWriter(path, metadata, Options{}) {}

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata,
                                 Options options)
    : path_(path), options_(options) {
    // A stale write-ahead log of an earlier recording of the same name would be replayed into
    // this one.
    removeIfPresent(path);
    removeIfPresent(path + "-wal");
    removeIfPresent(path + "-shm");
    database_ = std::make_unique<SqliteDatabase>(path, SqliteDatabase::Mode::CreateNew);
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
    if (stopping_ || !writeError_.empty() ||
        queuedEvents_ + events.size() > options_.queueCapacityEvents) {
        dropped_.fetch_add(events.size(), std::memory_order_relaxed);
        return;
    }
    queue_.emplace_back(events.begin(), events.end());
    queuedEvents_ += events.size();
    wake_.notify_one();
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
        if (!batches.empty() || pool) {
            try {
                commitBatch(batches, pool, dropped_.load(std::memory_order_relaxed));
            } catch (const std::exception& error) {
                std::lock_guard lock(mutex_);
                writeError_ = error.what();
                return;
            }
        }
        if (options_.symbolizeInBackground && !addressesToName_.empty() && !stopping) {
            try {
                commitFrames(std::chrono::steady_clock::now() + options_.symbolizeBudget);
            } catch (const std::exception& error) {
                std::lock_guard lock(mutex_);
                writeError_ = error.what();
                return;
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

void RecordingWriter::commitBatch(const std::vector<std::vector<MemoryEvent>>& batches,
                                  const std::optional<PoolShape>& pool,
                                  std::uint64_t droppedSoFar) {
    database_->execute("BEGIN");
    try {
        if (pool) {
            setMetaInTransaction("source_id", std::to_string(pool->sourceId));
            setMetaInTransaction("capacity_chunks", std::to_string(pool->capacityChunks));
            setMetaInTransaction("chunk_bytes", std::to_string(pool->chunkBytes));
            occupancy_.emplace(pool->sourceId, pool->capacityChunks);
        }
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
                    insertStack(event.stackId);
                }
                if (occupancy_) {
                    occupancy_->apply(event);
                }
                lastTime = event.timeNanoseconds;
                written += 1;
            }
        }
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
                .bind(8, stored(droppedSoFar))
                .execute();
        }
        setMetaInTransaction("writer_dropped_events", std::to_string(droppedSoFar));
        database_->execute("COMMIT");
        committedEvents_.fetch_add(written);
        committedBatches_.fetch_add(1);
    } catch (...) {
        try {
            database_->execute("ROLLBACK");
        } catch (const RecordingError&) {
            // The transaction is gone with the error that ended it.
        }
        throw;
    }
}

void RecordingWriter::insertStack(StackId stackId) {
    SqliteDatabase::Statement insertFrame(*database_,
                                          "INSERT INTO stacks (stack_id, depth, address, "
                                          "module_id, module_offset) VALUES (?, ?, ?, ?, ?)");
    SqliteDatabase::Statement insertModule(*database_,
                                           "INSERT INTO modules (module_id, path, build_id, "
                                           "load_address) VALUES (?, ?, ?, ?)");
    const std::vector<std::uintptr_t> frames = StackTable::instance().frames(stackId);
    for (std::size_t depth = 0; depth < frames.size(); ++depth) {
        const std::uintptr_t address = frames[depth];
        insertFrame.bind(1, std::int64_t{stackId})
            .bind(2, static_cast<std::int64_t>(depth))
            .bind(3, static_cast<std::int64_t>(address));
        // The module of the call, one byte before the return address; the offset is the
        // return address's, as frames keep it.
        if (const std::optional<ModuleLocation> location =
                ModuleMap::instance().locate(address - 1)) {
            if (modulesWritten_.insert(location->module).second) {
                const LoadedModule module = ModuleMap::instance().module(location->module);
                insertModule.bind(1, std::int64_t{location->module})
                    .bind(2, module.path)
                    .bind(3, module.buildId)
                    .bind(4, stored(module.loadAddress))
                    .execute();
            }
            insertFrame.bind(4, std::int64_t{location->module})
                .bind(5, stored(location->offset + 1));
        } else {
            insertFrame.bindNull(4).bindNull(5);
        }
        insertFrame.execute();
        if (addressesSeen_.insert(address).second) {
            addressesToName_.push_back(address);
            unnamedAddresses_.fetch_add(1);
        }
    }
}

void RecordingWriter::insertFrames(std::chrono::steady_clock::time_point deadline) {
    SqliteDatabase::Statement insertFrame(
        *database_,
        "INSERT OR REPLACE INTO frames (address, inline_depth, function, file, line, module, "
        "inlined) VALUES (?, ?, ?, ?, ?, ?, ?)");
    while (!addressesToName_.empty() && std::chrono::steady_clock::now() < deadline) {
        const std::uintptr_t address = addressesToName_.front();
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
        addressesToName_.pop_front();
    }
}

void RecordingWriter::commitFrames(std::chrono::steady_clock::time_point deadline) {
    const std::size_t before = addressesToName_.size();
    database_->execute("BEGIN");
    try {
        insertFrames(deadline);
        database_->execute("COMMIT");
    } catch (...) {
        try {
            database_->execute("ROLLBACK");
        } catch (const RecordingError&) {
            // The transaction is gone with the error that ended it.
        }
        throw;
    }
    unnamedAddresses_.fetch_sub(before - addressesToName_.size());
}

void RecordingWriter::finish(const std::vector<RecordedLeak>& leaks,
                             std::uint64_t engineDroppedEvents) {
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
    if (!writeError_.empty()) {
        throw RecordingError("the recording " + path_ + " is incomplete: " + writeError_);
    }

    database_->execute("BEGIN");
    database_->execute(
        "INSERT OR REPLACE INTO allocations (allocation_id, first_ns, last_ns, bytes, tier, "
        "stack_id, thread_id) " +
        RecordingSchema::allocationsFromEvents());
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
        insertFrames(std::chrono::steady_clock::time_point::max());
        unnamedAddresses_.store(0);
    }
    setMetaInTransaction("engine_dropped_events", std::to_string(engineDroppedEvents));
    setMetaInTransaction("writer_dropped_events", std::to_string(droppedEvents()));
    setMetaInTransaction("event_count", std::to_string(nextSequence_ - 1));
    setMetaInTransaction("finished", "1");
    database_->execute("COMMIT");
    database_->execute("PRAGMA wal_checkpoint(TRUNCATE)");
    database_.reset();
}

}  // namespace poolscope
