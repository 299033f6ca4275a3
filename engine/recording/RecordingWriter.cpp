#include "recording/RecordingWriter.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "diagnostics/ModuleMap.h"
#include "diagnostics/StackSource.h"
#include "diagnostics/Symbolizer.h"
#include "recording/EventBlockCodec.h"
#include "recording/EventBlockTable.h"
#include "recording/RecordingError.h"
#include "recording/RecordingSchema.h"
#include "recording/SqliteDatabase.h"
#include "recording/StackBlockCodec.h"

namespace poolscope {

namespace {

// The schema's statements with every run of blanks as one space: SQLite keeps each CREATE
// statement's text in the file, and its alignment took a page of a small recording.
std::string compacted(const std::string& sql) {
    std::string text;
    for (const char c : sql) {
        const bool blank = c == ' ' || c == '\n';
        if (!blank || (!text.empty() && text.back() != ' ')) {
            text.push_back(blank ? ' ' : c);
        }
    }
    return text;
}

// SQLite stores signed 64-bit integers; unsigned figures keep their bits.
std::int64_t stored(std::uint64_t value) {
    return static_cast<std::int64_t>(value);
}

}  // namespace

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata)
    : RecordingWriter(path, metadata, Options{}) {}

RecordingWriter::RecordingWriter(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& metadata,
                                 Options options)
    : target_(path, options.replaceExisting),
      options_(std::move(options)),
      codec_(std::make_unique<EventBlockCodec>()),
      stackCodec_(std::make_unique<StackBlockCodec>()),
      summarizer_(options_.summarizer ? options_.summarizer() : nullptr) {
    options_.eventsPerBlock =
        std::clamp<std::size_t>(options_.eventsPerBlock, 1, EventBlockCodec::kMaxEvents);
    // A block may hold more than the queue: the writer then takes the queue's events into its
    // pending block each time the queue is half full, so that the queue never fills while a
    // block is still short.
    wakeAtEvents_ =
        std::clamp<std::size_t>(options_.queueCapacityEvents / 2, 1, options_.eventsPerBlock);
    database_ =
        std::make_unique<SqliteDatabase>(target_.writePath(), SqliteDatabase::Mode::CreateNew);
    database_->setBusyTimeout(options_.busyTimeout);
    // Before the first table: it is fixed once the file holds one (WAL mode keeps it so).
    database_->execute("PRAGMA page_size=" + std::to_string(RecordingSchema::kPageBytes));
    // Every committed transaction is in the operating system's hands when a commit returns, so
    // a crash of the process (the fault a recording guards against) loses none. Waiting for the
    // disk as well (NORMAL syncs at each checkpoint) would guard only against a crash of the
    // machine, at a cost of milliseconds at the start and end of every recorded run: a short
    // program's recording cost 8% of its time instead of 4. Set before the switch to WAL, which
    // is itself a write: under the default (FULL) it waited for the disk four times, 1 to 30 ms
    // on a disk that other work keeps busy.
    database_->execute("PRAGMA synchronous=OFF");
    // The file is new and holds nothing to protect yet: the switch's write goes through a
    // journal in memory rather than a "-journal" file made and removed beside it.
    database_->execute("PRAGMA journal_mode=MEMORY");
    database_->execute("PRAGMA journal_mode=WAL");
    database_->execute("PRAGMA application_id=" + std::to_string(RecordingSchema::kApplicationId));
    database_->execute("PRAGMA user_version=" + std::to_string(RecordingSchema::kVersion));
    database_->execute("BEGIN");
    database_->execute(compacted(RecordingSchema::createStatements()));
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
    database_->cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
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
    const bool blockReady =
        queuedEvents_ < wakeAtEvents_ && queuedEvents_ + events.size() >= wakeAtEvents_;
    queuedEvents_ += events.size();
    // Fewer events wait for the writer's next look (commitInterval): they would wait for
    // blockInterval in its pending block anyway, and waking it for each batch would cost the
    // program a context switch every time its events are drained.
    if (blockReady) {
        wake_.notify_one();
    }
}

std::size_t RecordingWriter::room() const {
    std::lock_guard lock(mutex_);
    return queuedEvents_ < options_.queueCapacityEvents
               ? options_.queueCapacityEvents - queuedEvents_
               : 0;
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
            wake_.wait_for(lock, options_.commitInterval, [this] {
                return stopping_ || queuedEvents_ >= wakeAtEvents_ || pendingPool_;
            });
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
        takeBatches(batches);
        writeDueBlocks(stopping);
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
    stackCodec_->discard();
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

void RecordingWriter::takeBatches(std::vector<std::vector<MemoryEvent>>& batches) {
    for (std::vector<MemoryEvent>& batch : batches) {
        if (batch.empty()) {
            continue;
        }
        if (pending_.empty()) {
            pendingSince_ = std::chrono::steady_clock::now();
        }
        pending_.insert(pending_.end(), batch.begin(), batch.end());
    }
    batches.clear();
}

void RecordingWriter::writeDueBlocks(bool all) {
    // Full blocks go at once; the rest waits for more events until it is blockInterval old.
    const bool due =
        all || (!pending_.empty() &&
                std::chrono::steady_clock::now() - pendingSince_ >= options_.blockInterval);
    std::size_t taken = 0;
    std::vector<EncodedBlock> blocks;
    while (pending_.size() - taken >= options_.eventsPerBlock || (due && taken < pending_.size())) {
        const std::size_t count = std::min(options_.eventsPerBlock, pending_.size() - taken);
        // Encoded before the transaction begins: the write lock is held only to insert.
        blocks.push_back({count, codec_->encode(std::span(pending_).subspan(taken, count))});
        taken += count;
    }
    if (blocks.empty() && !poolToWrite_) {
        return;
    }
    try {
        commitBlocks(blocks);
        lastCommitFailed_ = false;
    } catch (const std::exception& error) {
        noteUnwritten(taken, error.what());
    }
    // Committed or counted as dropped, the events leave the writer.
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(taken));
    if (!pending_.empty() && taken > 0) {
        pendingSince_ = std::chrono::steady_clock::now();
    }
    try {
        checkpointIfDue(false);
    } catch (const RecordingError&) {
        // The log keeps the blocks; the next checkpoint copies them.
    }
}

void RecordingWriter::commitBlocks(const std::vector<EncodedBlock>& blocks) {
    const std::int64_t firstSequence = nextSequence_;
    std::uint64_t written = 0;
    begin();
    try {
        writePoolMeta();
        std::int64_t lastTime = 0;
        for (const EncodedBlock& block : blocks) {
            const std::span<const MemoryEvent> events =
                std::span<const MemoryEvent>(pending_).subspan(written, block.events);
            EventBlockTable::insert(*database_, nextSequence_, events, block.data);
            nextSequence_ += static_cast<std::int64_t>(events.size());
            StackId lastStack = 0;
            for (const MemoryEvent& event : events) {
                // A stack goes in with the first block that names it; its names follow. A
                // run of events of one stack looks it up once.
                if (event.stackId != 0 && event.stackId != lastStack &&
                    stacksWritten_.insert(event.stackId).second) {
                    additions_.stacks.push_back(event.stackId);
                    insertStack(event.stackId);
                }
                lastStack = event.stackId;
                insertTagOf(event);
                // The pool's occupancy follows what happened, committed or not.
                if (occupancy_) {
                    occupancy_->apply(event);
                }
                lastTime = event.timeNanoseconds;
            }
            written += events.size();
        }
        // The stacks these blocks name first, in the same transaction: a committed event
        // never names a stack the file lacks.
        if (stackCodec_->pendingStacks() > 0) {
            database_
                ->cached(
                    "INSERT INTO stack_blocks (block, stack_count, encoding, data) "
                    "VALUES (?, ?, ?, ?)")
                .bind(1, nextStackBlock_)
                .bind(2, static_cast<std::int64_t>(stackCodec_->pendingStacks()))
                .bind(3, std::int64_t{StackBlockCodec::kEncoding})
                .bindBlob(4, stackCodec_->encode())
                .execute();
        }
        if (written > 0 && occupancy_) {
            database_
                ->cached(
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
        if (stackCodec_->pendingStacks() > 0) {
            stackCodec_->commit();
            ++nextStackBlock_;
        }
        poolToWrite_.reset();
        committedEvents_.fetch_add(written);
        committedBatches_.fetch_add(1);
    } catch (...) {
        rollBack();
        throw;
    }
    // After the commit: events dropped by a failed one are in neither the file nor its summary.
    summarize(firstSequence, std::span<const MemoryEvent>(pending_).first(written));
}

void RecordingWriter::summarize(std::int64_t firstSequence, std::span<const MemoryEvent> events) {
    if (!summarizer_ || events.empty()) {
        return;
    }
    try {
        summarizer_->apply(firstSequence, events);
        summarizedEvents_ += events.size();
    } catch (const std::exception&) {
        // Out of memory: the recording goes on without a summary, read by a pass instead.
        summarizer_.reset();
        return;
    }
    insertResumePointIfDue();
}

void RecordingWriter::insertResumePointIfDue() {
    if (summarizedEvents_ - eventsAtResumePoint_ <
        std::max(options_.resumePointEvents,
                 resumePointBytes_ * options_.resumePointEventsPerByte)) {
        return;
    }
    eventsAtResumePoint_ = summarizedEvents_;
    std::vector<RecordingSummarizer::Part> parts;
    try {
        parts = summarizer_->resumePoint();
    } catch (const std::exception&) {
        return;  // the next point holds what this one would have
    }
    if (parts.empty()) {
        return;
    }
    // In a transaction of its own, after the events it covers: a reader takes a point whose
    // parts are all there, the events before it committed.
    std::uint64_t bytes = 0;
    try {
        begin();
        insertParts("analysis_resume_points", parts);
        database_->execute("COMMIT");
        for (const RecordingSummarizer::Part& part : parts) {
            bytes += part.onlyNew ? 0 : part.data.size();
        }
    } catch (const std::exception&) {
        rollBack();
        return;  // not stored: the next point holds what this one would have
    }
    resumePointBytes_ = bytes;
    summarizer_->resumePointStored();
}

void RecordingWriter::insertParts(const char* table,
                                  const std::vector<RecordingSummarizer::Part>& parts) {
    // The last event they cover: a reader takes a summary's part only for a file that holds
    // exactly those events, a resume point's for one that holds them.
    for (const RecordingSummarizer::Part& part : parts) {
        database_
            ->cached(std::string("INSERT OR REPLACE INTO ") + table +
                     " (encoding, last_seq, data) VALUES (?, ?, ?)")
            .bind(1, std::int64_t{part.encoding})
            .bind(2, nextSequence_ - 1)
            .bindBlob(3, part.data)
            .execute();
    }
}

void RecordingWriter::insertSummary() {
    if (!summarizer_) {
        return;
    }
    std::vector<RecordingSummarizer::Part> parts;
    try {
        parts = summarizer_->finish();
    } catch (const std::exception&) {
        summarizer_.reset();
        return;
    }
    insertParts("analysis_summary", parts);
}

void RecordingWriter::writePoolMeta() {
    if (poolToWrite_) {
        setMetaInTransaction("source_id", std::to_string(poolToWrite_->sourceId));
        setMetaInTransaction("capacity_chunks", std::to_string(poolToWrite_->capacityChunks));
        setMetaInTransaction("chunk_bytes", std::to_string(poolToWrite_->chunkBytes));
    }
}

void RecordingWriter::insertLeaks(const std::vector<RecordedLeak>& leaks) {
    if (leaks.empty()) {
        return;
    }
    // What the events say of each allocation left behind, read back from the blocks: keeping
    // it for every allocation while the run goes would hold millions of them.
    std::unordered_map<AllocationId, AllocationFigures> figures;
    for (const RecordedLeak& leak : leaks) {
        figures.emplace(leak.id, AllocationFigures{});
    }
    std::unordered_set<AllocationId> seen;
    EventBlockTable::forEach(*database_, path(), *codec_, 0,
                             [&](std::int64_t, std::vector<MemoryEvent>&& events) {
                                 for (const MemoryEvent& event : events) {
                                     if (event.allocationId == 0) {
                                         continue;
                                     }
                                     const auto it = figures.find(event.allocationId);
                                     if (it != figures.end()) {
                                         it->second.add(event);
                                         seen.insert(event.allocationId);
                                     }
                                 }
                                 return true;
                             });
    SqliteDatabase::Statement insert(
        *database_,
        "INSERT OR REPLACE INTO allocations (allocation_id, first_ns, last_ns, bytes, tier, "
        "stack_id, thread_id, tag, leak) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const RecordedLeak& leak : leaks) {
        // An allocation none of the committed events names has nothing to be shown by.
        if (!seen.contains(leak.id)) {
            continue;
        }
        const AllocationFigures& allocation = figures.at(leak.id);
        insert.bind(1, stored(leak.id))
            .bind(2, allocation.firstNs)
            .bind(3, allocation.lastNs)
            .bind(4, stored(allocation.bytes))
            .bind(5, std::int64_t{allocation.tier})
            .bind(6, std::int64_t{allocation.stackId})
            .bind(7, std::int64_t{allocation.threadId})
            .bind(8, leak.tag)
            .bind(9, std::string(leak.releasedWithoutDispose ? "released-without-dispose"
                                                             : "live-at-end"))
            .execute();
    }
}

void RecordingWriter::insertStack(StackId stackId) {
    SqliteDatabase::Statement& insertModule = database_->cached(
        "INSERT INTO modules (module_id, path, build_id, load_address) "
        "VALUES (?, ?, ?, ?)");
    const StackSource& source = options_.stacks ? *options_.stacks : StackSource::process();
    const std::vector<LocatedFrame> frames = source.stack(stackId);
    stackCodec_->add(stackId, frames);
    for (const LocatedFrame& frame : frames) {
        if (const std::optional<ModuleLocation>& location = frame.location) {
            if (modulesWritten_.insert(location->module).second) {
                additions_.modules.push_back(location->module);
                const LoadedModule module = source.module(location->module);
                insertModule.bind(1, std::int64_t{location->module})
                    .bind(2, module.path)
                    .bind(3, module.buildId)
                    .bind(4, stored(module.loadAddress))
                    .execute();
            }
        }
        if (addressesSeen_.insert(frame.address).second) {
            addressesToName_.push_back(frame.address);
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
    const StackSource& source = options_.stacks ? *options_.stacks : StackSource::process();
    const std::string name = source.tagName(event.tagId());
    if (name.empty()) {
        return;  // a tag of another process (a replayed recording): nothing to name it by
    }
    database_->cached("INSERT OR REPLACE INTO tags (tag_id, name) VALUES (?, ?)")
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
        insertLeaks(leaks);
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
        insertSummary();
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
