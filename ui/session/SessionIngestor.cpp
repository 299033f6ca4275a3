#include "session/SessionIngestor.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "analysis/AnalysisSummarizer.h"
#include "base/Clock.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "diagnostics/StackFrameSelection.h"
#include "diagnostics/Symbolizer.h"
#include "gc/GcHeap.h"
#include "link/LinkClient.h"
#include "native/LaunchedProgram.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "scenarios/ScenarioContext.h"
#include "session/LaunchedProgramSource.h"
#include "session/LinkProgramSource.h"

namespace poolscope {

namespace {

// Naming new stacks takes at most this much of a tick: the first lookups in a module read its
// debug information, which can take long, and must not hold the snapshots back.
constexpr std::chrono::milliseconds kStackResolutionBudget{12};
// A managed heap is copied for the view at most this often: a copy walks every object.
constexpr std::int64_t kHeapSnapshotIntervalNanoseconds = 250'000'000;
// A recording's timeline gets one sample per this much recorded time, as a live run would.
constexpr std::int64_t kRecordingSampleIntervalNanoseconds =
    std::int64_t{SessionIngestor::kSnapshotIntervalMilliseconds} * 1'000'000;

}  // namespace

void HeapSnapshotMailbox::post(std::shared_ptr<const GcHeapSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    latest_ = std::move(snapshot);
}

std::shared_ptr<const GcHeapSnapshot> HeapSnapshotMailbox::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(latest_, nullptr);
}

SessionIngestor::SessionIngestor(std::unique_ptr<EventStream::Subscription> subscription)
    : timer_(this), subscription_(std::move(subscription)) {
    connect(&timer_, &QTimer::timeout, this, &SessionIngestor::tick);
}

SessionIngestor::~SessionIngestor() {
    finishRecording();
}

void SessionIngestor::startLive() {
    reader_.reset();
    leaveProgram();
    state_ = std::make_unique<SessionState>(SessionState::liveResolvers(), monotonicNanoseconds());
    state_->setStackResolutionBudget(kStackResolutionBudget);
    // Nothing queued is thrown away here: a run started right after the session was made can
    // have published all its events before this thread gets here. While a recording was shown,
    // every tick already discarded what the engine did.
    timer_.start(kSnapshotIntervalMilliseconds);
    tick();
}

void SessionIngestor::openRecording(const QString& path) {
    std::unique_ptr<RecordingReader> reader;
    std::vector<RecordedEvent> first;
    std::size_t leaks = 0;
    try {
        reader = std::make_unique<RecordingReader>(path.toStdString());
        first = reader->events(0, 1);
        leaks = reader->leaks().size();
    } catch (const std::exception& error) {
        emit recordingFailed(path, QString::fromUtf8(error.what()));
        return;
    }
    context_.reset();
    heapMailbox_.reset();
    heap_.reset();
    running_ = false;
    leaveProgram();
    finishRecording();

    reader_ = std::move(reader);
    RecordingReader* source = reader_.get();
    SessionState::Resolvers resolvers;
    resolvers.stack = [source](StackId stackId) {
        try {
            return StackFrameSelection::select(source->stack(stackId));
        } catch (const std::exception&) {
            // A damaged stack table leaves this stack unnamed; the events still count.
            return std::vector<Frame>();
        }
    };
    resolvers.missingSymbols = [] { return Symbolizer::instance().missingSymbols(); };
    resolvers.tag = [names = reader_->tagNames()](std::uint16_t tagId) {
        const auto it = names.find(tagId);
        return it != names.end() ? QString::fromStdString(it->second)
                                 : QStringLiteral("tag %1").arg(tagId);
    };
    const std::int64_t origin = first.empty() ? 0 : first.front().event.timeNanoseconds;
    state_ = std::make_unique<SessionState>(std::move(resolvers), origin);
    state_->setFromRecording(true);
    const auto& metadata = reader_->metadata();
    state_->followPool(static_cast<std::uint16_t>(reader_->metaInteger("source_id")),
                       static_cast<int>(reader_->metaInteger("capacity_chunks")),
                       static_cast<std::uint64_t>(reader_->metaInteger("chunk_bytes")));
    state_->setDroppedEvents(
        static_cast<std::uint64_t>(reader_->metaInteger("engine_dropped_events") +
                                   reader_->metaInteger("writer_dropped_events")));
    state_->setUndisposedAllocations(static_cast<std::int64_t>(leaks));
    readSequence_ = 0;
    readDone_ = false;
    nextSampleTime_ = origin;
    lastEventTime_ = origin;
    const auto text = [&metadata](const char* key) {
        const auto it = metadata.find(key);
        return it == metadata.end() ? QString() : QString::fromStdString(it->second);
    };
    // Read here, off the GUI thread: a leak hunt's report holds every leak's stack.
    auto results = std::make_shared<const RecordedRunResults>(
        RecordedRunSummary::fromMetadata(path.toStdString(), metadata));
    emit recordingOpened(path, text("scenario"), text("parameters"), results);
    timer_.start(kSnapshotIntervalMilliseconds);
    tick();
}

void SessionIngestor::beginRun(quint16 sourceId, int capacity, quint64 chunkBytes,
                               std::shared_ptr<ScenarioContext> context,
                               std::shared_ptr<HeapSnapshotMailbox> heapMailbox,
                               std::shared_ptr<GcHeap> heap, const RunRecording& recording) {
    if (!state_ || reader_ || program_) {
        startLive();
    }
    finishRecording();
    state_->followPoolFromItsFirstEvent(sourceId, capacity, chunkBytes);
    context_ = std::move(context);
    heapMailbox_ = std::move(heapMailbox);
    heap_ = std::move(heap);
    lastHeapSnapshot_ = 0;
    try {
        recording_ =
            std::make_shared<RecordingWriter>(recording.path.toStdString(), recording.metadata,
                                              AnalysisSummarizer::recordingOptions());
        recording_->setPool(sourceId, capacity, static_cast<std::int64_t>(chunkBytes));
    } catch (const std::exception& error) {
        // The run goes on without a recording to save; the reason shows where saving is.
        emit runRecordingFinished(recording.path, QString::fromUtf8(error.what()));
    }
    running_ = true;
}

void SessionIngestor::endRun(std::shared_ptr<const ScenarioRunReport> report) {
    // A run stopped because the session attached to a program ends after the link began:
    // its recording was finished then, and the one open now is the program's.
    if (program_) {
        running_ = false;
        return;
    }
    // Everything the run published, with the allocations it left behind, is shown before its
    // recording closes: closing symbolizes every stack of the run and can take a while.
    if (state_) {
        state_->refreshAllocationTableAtNextSnapshot();
    }
    tick();
    running_ = false;
    heap_.reset();
    finishRecording(report ? RecordedRunSummary::toText(*report) : std::string());
    tick();
}

void SessionIngestor::finishRecording(const std::string& summary) {
    if (!recording_) {
        return;
    }
    const std::shared_ptr<RecordingWriter> recording = std::exchange(recording_, nullptr);
    const QString path = QString::fromStdString(recording->path());
    std::vector<RecordedLeak> leaks;
    if (state_) {
        state_->forEachLiveAllocation([&leaks](const LiveAllocation& row, const QString& tag) {
            leaks.push_back({row.id, tag.toStdString(), row.releasedWithoutDispose});
        });
    }
    QString error;
    try {
        std::vector<std::pair<std::string, std::string>> finalMetadata;
        if (!summary.empty()) {
            finalMetadata.emplace_back(RecordedRunSummary::kMetaKey, summary);
        }
        recording->finish(leaks, program_ ? state_->droppedEvents() : subscription_->droppedCount(),
                          finalMetadata);
    } catch (const std::exception& failure) {
        error = QString::fromUtf8(failure.what());
    }
    emit runRecordingFinished(path, error);
}

void SessionIngestor::addCheckpoint(const QString& label) {
    if (state_) {
        state_->addCheckpointMarker(reader_ ? lastEventTime_ : monotonicNanoseconds(), label);
    }
}

void SessionIngestor::shutDown() {
    timer_.stop();
    finishRecording();
    state_.reset();
}

void SessionIngestor::tick() {
    if (!state_) {
        return;
    }
    if (program_) {
        tickProgram();
        return;
    }
    if (reader_) {
        if (readSequence_ >= reader_->lastEventSequence() && readDone_) {
            drainEngine();
            return;
        }
        tickRecording();
    } else {
        tickLive();
    }
}

void SessionIngestor::tickLive() {
    drainEngine();
    state_->apply(batch_);
    if (recording_ && !batch_.empty()) {
        recording_->consume(batch_);
    }
    state_->setDroppedEvents(subscription_->droppedCount());
    const std::int64_t now = monotonicNanoseconds();
    if (heapMailbox_) {
        if (std::shared_ptr<const GcHeapSnapshot> heap = heapMailbox_->take()) {
            state_->setHeapSnapshot(std::move(heap));
        }
    }
    // A scenario waiting at a checkpoint published its heap there and changes nothing until it
    // goes on; copying the heap again would only redraw the same picture.
    const bool waiting = context_ && context_->waitingAtCheckpoint();
    if (heap_ && !waiting && now - lastHeapSnapshot_ >= kHeapSnapshotIntervalNanoseconds) {
        state_->setHeapSnapshot(std::make_shared<const GcHeapSnapshot>(heap_->snapshot()));
        lastHeapSnapshot_ = now;
    }
    if (context_) {
        const ScenarioProgress progress = context_->progress();
        state_->setProgress(running_, static_cast<int>(progress.completed),
                            static_cast<int>(progress.planned));
        state_->setPhase(now, QString::fromStdString(progress.phase),
                         QString::fromStdString(progress.explanation));
    } else {
        state_->setProgress(false, 0, 0);
    }
    state_->setUndisposedAllocations(MemoryDiagnostics::totalUndisposedAllocationCount());
    // A run working between checkpoints is sampled at every tick, so its timeline moves on
    // while it computes; otherwise a snapshot goes out only when something changed, and one
    // more after that so rates settle at zero. An idle window then has nothing to redraw.
    const bool working = running_ && !waiting;
    const bool changed = working || state_->changedSinceSnapshot();
    if (changed || !settledSnapshotSent_) {
        settledSnapshotSent_ = !changed;
        if (settledSnapshotSent_) {
            state_->settle();
        }
        emit snapshotReady(state_->takeSnapshot(now));
    }
    releaseSymbolsWhenIdle(now);
}

void SessionIngestor::drainEngine() {
    batch_.clear();
    subscription_->drain(batch_);
    const std::size_t capacity = subscription_->capacity();
    if (batch_.size() * 2 >= capacity && capacity < kMaxEventQueueCapacity) {
        subscription_->reserve(std::min(kMaxEventQueueCapacity, capacity * 4));
    }
}

void SessionIngestor::releaseSymbolsWhenIdle(std::int64_t now) {
    if (state_->namedStackCount() != namedStacks_ || state_->pendingStackCount() != 0) {
        namedStacks_ = state_->namedStackCount();
        lastStackNamed_ = now;
        symbolsHeld_ = true;
    } else if (symbolsHeld_ && now - lastStackNamed_ >= kSymbolIdleNanoseconds) {
        Symbolizer::instance().releaseMemory();
        symbolsHeld_ = false;
    }
}

void SessionIngestor::tickRecording() {
    // The live engine goes on publishing while a recording is shown; its queue must not fill.
    drainEngine();
    std::vector<RecordedEvent> events;
    try {
        events = reader_->events(readSequence_, kRecordingEventsPerTick);
    } catch (const std::exception& error) {
        readDone_ = true;  // what was read stays shown
        readSequence_ = reader_->lastEventSequence();
        timer_.start(kIdleRecordingIntervalMilliseconds);
        emit recordingFailed(QString::fromStdString(reader_->path()),
                             QString::fromUtf8(error.what()));
        return;
    }
    for (const RecordedEvent& recorded : events) {
        const std::int64_t time = recorded.event.timeNanoseconds;
        while (time >= nextSampleTime_ + kRecordingSampleIntervalNanoseconds) {
            nextSampleTime_ += kRecordingSampleIntervalNanoseconds;
            state_->sample(nextSampleTime_);
        }
        state_->apply(recorded.event);
        lastEventTime_ = std::max(lastEventTime_, time);
        readSequence_ = recorded.sequence;
    }
    const bool done = events.size() < kRecordingEventsPerTick;
    readDone_ = done;
    const std::int64_t last = reader_->lastEventSequence();
    state_->setProgress(!done, static_cast<int>(std::min<std::int64_t>(readSequence_, INT32_MAX)),
                        static_cast<int>(std::min<std::int64_t>(last, INT32_MAX)));
    if (done) {
        // Slower now: only the live queue needs emptying.
        timer_.start(kIdleRecordingIntervalMilliseconds);
    }
    emit snapshotReady(state_->takeSnapshot(lastEventTime_, done || !events.empty()));
}

}  // namespace poolscope

namespace poolscope {

void SessionIngestor::attach(const QString& socketPath, const RunRecording& recording) {
    std::unique_ptr<LinkClient> client;
    try {
        client = std::make_unique<LinkClient>(socketPath.toStdString());
    } catch (const std::exception& error) {
        emit attachFailed(socketPath, QString::fromUtf8(error.what()));
        return;
    }
    showProgram(std::make_unique<LinkProgramSource>(std::move(client)), recording);
}

void SessionIngestor::showLaunched(std::shared_ptr<LaunchedProgram> program,
                                   const RunRecording& recording) {
    showProgram(std::make_unique<LaunchedProgramSource>(std::move(program)), recording);
}

void SessionIngestor::showProgram(std::unique_ptr<ProgramSource> program,
                                  const RunRecording& recording) {
    context_.reset();
    heapMailbox_.reset();
    heap_.reset();
    running_ = false;
    reader_.reset();
    leaveProgram();
    finishRecording();

    program_ = std::move(program);
    programStacks_ = program_->stacks();
    programEndSeen_ = false;
    SessionState::Resolvers resolvers;
    resolvers.stack = [stacks = programStacks_](StackId stackId) {
        return stacks->symbolizedStack(stackId);
    };
    resolvers.missingSymbols = [] { return Symbolizer::instance().missingSymbols(); };
    resolvers.tag = [stacks = programStacks_](std::uint16_t tagId) {
        return QString::fromStdString(stacks->tagName(tagId));
    };
    state_ = std::make_unique<SessionState>(std::move(resolvers), program_->originNanoseconds());
    state_->setStackResolutionBudget(kStackResolutionBudget);

    // Kept as modules and offsets: the program's binaries name its stacks, when the recording
    // is read.
    RecordingWriter::Options options = AnalysisSummarizer::recordingOptions();
    options.symbolizeInBackground = false;
    options.stacks = programStacks_.get();
    std::vector<std::pair<std::string, std::string>> metadata = recording.metadata;
    for (auto& entry : program_->metadata()) {
        metadata.push_back(std::move(entry));
    }
    try {
        recording_ =
            std::make_shared<RecordingWriter>(recording.path.toStdString(), metadata, options);
    } catch (const std::exception& error) {
        emit runRecordingFinished(recording.path, QString::fromUtf8(error.what()));
    }
    emit attached(program_->description());
    timer_.start(kSnapshotIntervalMilliseconds);
    tick();
}

void SessionIngestor::detach() {
    if (program_) {
        program_->leave();
        tick();
    }
}

void SessionIngestor::leaveProgram() {
    if (!program_) {
        return;
    }
    program_->leave();
    if (!programEndSeen_) {
        // Its recording closes with what the program left live, before the state goes.
        finishRecording();
        emit linkEnded(program_->endReason());
    }
    program_.reset();
}

void SessionIngestor::tickProgram() {
    // This process's own queue must not fill while another program is shown.
    drainEngine();
    for (const LinkPool& pool : program_->takePools()) {
        // The newest pool is the one shown, as a new run's allocator is.
        state_->followPoolFromItsFirstEvent(pool.sourceId, pool.capacityChunks, pool.chunkBytes);
        if (recording_) {
            recording_->setPool(pool.sourceId, pool.capacityChunks,
                                static_cast<std::int64_t>(pool.chunkBytes));
        }
    }
    // Ended is read before the last drain, so nothing that came before the end is left behind.
    const bool ended = program_->ended();
    batch_.clear();
    program_->drain(batch_);
    state_->apply(batch_);
    if (recording_ && !batch_.empty()) {
        recording_->consume(batch_);
    }
    if (std::any_of(batch_.begin(), batch_.end(), [](const MemoryEvent& event) {
            return event.tier == MemoryTier::Descriptor;
        })) {
        state_->setDescriptorPaths(program_->descriptorPaths());
    }
    state_->setDroppedEvents(program_->droppedEvents());
    state_->setUndisposedAllocations(program_->undisposedAllocations());
    // Another program has no scenario progress; the status bar says whom it shows.
    state_->setProgress(false, 0, 0);
    const std::int64_t now = program_->nowNanoseconds();
    if (ended && !programEndSeen_) {
        programEndSeen_ = true;
        state_->refreshAllocationTableAtNextSnapshot();
        emit snapshotReady(state_->takeSnapshot(now));
        finishRecording();
        emit linkEnded(program_->endReason());
        timer_.start(kIdleRecordingIntervalMilliseconds);
        return;
    }
    const bool changed = !ended || state_->changedSinceSnapshot();
    if (changed || !settledSnapshotSent_) {
        settledSnapshotSent_ = !changed;
        if (settledSnapshotSent_) {
            state_->settle();
        }
        emit snapshotReady(state_->takeSnapshot(now, !ended));
    }
}

}  // namespace poolscope
