#include "session/SessionState.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "diagnostics/MemoryDiagnostics.h"

namespace poolscope {

const LiveAllocation* AllocationTable::find(AllocationId id) const {
    const auto it = std::lower_bound(
        rows.begin(), rows.end(), id,
        [](const LiveAllocation& row, AllocationId wanted) { return row.id < wanted; });
    return it != rows.end() && it->id == id ? &*it : nullptr;
}

const std::vector<Frame>* StackCatalog::stack(StackId id) const {
    const auto it = stacks.find(id);
    return it == stacks.end() ? nullptr : &it->second;
}

Frame StackCatalog::topFrame(StackId id) const {
    const std::vector<Frame>* frames = stack(id);
    return frames == nullptr || frames->empty() ? Frame{} : frames->front();
}

QString StackCatalog::tagName(std::uint16_t tagId) const {
    const auto it = tagNames.find(tagId);
    return it == tagNames.end() ? QString() : it->second;
}

SessionState::Resolvers SessionState::liveResolvers() {
    Resolvers resolvers;
    resolvers.stack = [](StackId stackId) { return MemoryDiagnostics::symbolizedStack(stackId); };
    resolvers.missingSymbols = [] { return Symbolizer::instance().missingSymbols(); };
    resolvers.tag = [](std::uint16_t tagId) {
        return QString::fromStdString(MemoryDiagnostics::tagName(tagId));
    };
    return resolvers;
}

SessionState::SessionState(Resolvers resolvers, std::int64_t timeOriginNanoseconds)
    : resolvers_(std::move(resolvers)),
      timeOrigin_(timeOriginNanoseconds),
      occupancy_(0, 0),
      stacks_(std::make_shared<StackCatalog>()),
      publishedStacks_(stacks_) {
    lastSnapshotTime_ = timeOriginNanoseconds;
}

void SessionState::followPool(std::uint16_t sourceId, int capacity, std::uint64_t chunkBytes) {
    pendingPool_.reset();
    poolSourceId_ = sourceId;
    chunkBytes_ = chunkBytes;
    occupancy_ = PoolOccupancy(sourceId, capacity);
    slotOwners_.assign(static_cast<std::size_t>(std::max(capacity, 0)), 0);
    peakRented_ = 0;
    retainedAtPeak_ = 0;
    peakUnpooled_ = 0;
    peakSmall_ = 0;
}

void SessionState::followPoolFromItsFirstEvent(std::uint16_t sourceId, int capacity,
                                               std::uint64_t chunkBytes) {
    pendingPool_ = PoolShape{sourceId, capacity, chunkBytes};
}

double SessionState::secondsAt(std::int64_t nanoseconds) const {
    return static_cast<double>(nanoseconds - timeOrigin_) / 1e9;
}

void SessionState::apply(std::span<const MemoryEvent> events) {
    for (const MemoryEvent& event : events) {
        apply(event);
    }
}

SessionState::Entry& SessionState::entryFor(const MemoryEvent& event) {
    auto [it, inserted] = live_.try_emplace(event.allocationId);
    Entry& entry = it->second;
    if (inserted) {
        entry.row.id = event.allocationId;
        entry.row.createdNanoseconds = event.timeNanoseconds;
        entry.row.threadId = event.threadId;
        entry.row.stackId = event.stackId;
        entry.row.tagId = static_cast<std::uint16_t>(event.value);
        entry.row.sourceId = event.sourceId;
        entry.row.tier = event.tier;
        noteStack(event.stackId);
        noteTag(entry.row.tagId);
    }
    return entry;
}

void SessionState::addChunk(const MemoryEvent& event) {
    Entry& entry = entryFor(event);
    entry.chunks.push_back({event.slot, event.bytes, event.value2});
    entry.chunksLive += 1;
    entry.row.bytes += event.bytes;
    allocationsChanged_ = true;
    if (event.kind == MemoryEventKind::Rent && event.sourceId == poolSourceId_ && event.slot >= 0 &&
        static_cast<std::size_t>(event.slot) < slotOwners_.size()) {
        slotOwners_[static_cast<std::size_t>(event.slot)] = event.allocationId;
    }
}

void SessionState::releaseChunk(const MemoryEvent& event) {
    if (event.kind == MemoryEventKind::Return && event.sourceId == poolSourceId_ &&
        event.slot >= 0 && static_cast<std::size_t>(event.slot) < slotOwners_.size()) {
        slotOwners_[static_cast<std::size_t>(event.slot)] = 0;
    }
    const auto it = live_.find(event.allocationId);
    if (it == live_.end()) {
        return;  // allocated before the session listened
    }
    Entry& entry = it->second;
    entry.chunksLive -= entry.chunksLive > 0 ? 1 : 0;
    if (entry.chunksLive == 0 && !entry.row.releasedWithoutDispose) {
        live_.erase(it);
    }
    allocationsChanged_ = true;
}

void SessionState::apply(const MemoryEvent& event) {
    ++eventsApplied_;
    changed_ = true;
    if (pendingPool_ && event.sourceId == pendingPool_->sourceId) {
        followPool(pendingPool_->sourceId, pendingPool_->capacity, pendingPool_->chunkBytes);
    }
    occupancy_.apply(event);
    if (occupancy_.rentedChunks() > peakRented_) {
        peakRented_ = occupancy_.rentedChunks();
        retainedAtPeak_ = occupancy_.retainedChunks();
    }
    peakUnpooled_ = std::max(peakUnpooled_, occupancy_.unpooledBytesLive());
    peakSmall_ = std::max(peakSmall_, occupancy_.smallBytesLive());
    nativeTiers_.apply(event);
    switch (event.kind) {
        case MemoryEventKind::Rent:
        case MemoryEventKind::UnpooledAllocate:
        case MemoryEventKind::SmallRent:
            addChunk(event);
            break;
        case MemoryEventKind::Return:
        case MemoryEventKind::UnpooledFree:
        case MemoryEventKind::SmallReturn:
            releaseChunk(event);
            break;
        case MemoryEventKind::Undisposed:
            if (const auto it = live_.find(event.allocationId); it != live_.end()) {
                it->second.row.releasedWithoutDispose = true;
                allocationsChanged_ = true;
            }
            break;
        case MemoryEventKind::ImageBufferCreated:
            if (const auto it = live_.find(event.allocationId); it != live_.end()) {
                it->second.row.imageWidth = static_cast<std::int32_t>(event.value);
                it->second.row.imageHeight = static_cast<std::int32_t>(event.value2);
                it->second.row.pixelType = static_cast<PixelTypeId>(event.chunkIndex);
                allocationsChanged_ = true;
            }
            break;
        case MemoryEventKind::Trim:
            if (event.sourceId == poolSourceId_ && event.value > 0) {
                pendingMarkers_.push_back({secondsAt(event.timeNanoseconds),
                                           TimelineMarker::Kind::Trim, -1,
                                           QStringLiteral("trim -%1").arg(event.value)});
            }
            break;
        case MemoryEventKind::LimitRefused:
            pendingMarkers_.push_back(
                {secondsAt(event.timeNanoseconds), TimelineMarker::Kind::LimitRefused, -1,
                 QStringLiteral("refused %1 MiB")
                     .arg(static_cast<double>(event.bytes) / 1048576.0, 0, 'f', 1)});
            break;
        case MemoryEventKind::GcEnd: {
            const int generation = static_cast<int>(std::min<std::uint32_t>(event.chunkIndex, 2));
            collections_[generation] += 1;
            pendingMarkers_.push_back({secondsAt(event.timeNanoseconds),
                                       TimelineMarker::Kind::Collection, generation,
                                       QStringLiteral("gen %1").arg(generation)});
            break;
        }
        case MemoryEventKind::SlotCreated:
        case MemoryEventKind::ChunkFreed:
        case MemoryEventKind::ReleaseRetained:
        case MemoryEventKind::GcStart:
        case MemoryEventKind::GcAllocationSample:
        case MemoryEventKind::GcFinalizerRun:
        case MemoryEventKind::GcWeakCleared:
        case MemoryEventKind::GcResurrection:
        case MemoryEventKind::GcObjectsMoved:
            break;
    }
}

void SessionState::noteStack(StackId stackId) {
    if (stackId == 0 || stacks_->stacks.contains(stackId) || !resolvers_.stack ||
        !pendingStackIds_.insert(stackId).second) {
        return;
    }
    pendingStacks_.push_back(stackId);
}

void SessionState::resolvePendingStacks() {
    const auto started = std::chrono::steady_clock::now();
    std::size_t resolved = 0;
    while (resolved < pendingStacks_.size() &&
           std::chrono::steady_clock::now() - started < stackResolutionBudget_) {
        resolveStack(pendingStacks_[resolved]);
        pendingStackIds_.erase(pendingStacks_[resolved]);
        ++resolved;
    }
    pendingStacks_.erase(pendingStacks_.begin(),
                         pendingStacks_.begin() + static_cast<std::ptrdiff_t>(resolved));
}

void SessionState::resolveStack(StackId stackId) {
    if (!stacksChanged_) {
        stacks_ = std::make_shared<StackCatalog>(*stacks_);  // the published one stays as it is
        stacksChanged_ = true;
    }
    std::vector<Frame> frames = resolvers_.stack(stackId);
    stacks_->missingSymbols += static_cast<int>(std::count_if(
        frames.begin(), frames.end(), [](const Frame& f) { return f.function.empty(); }));
    stacks_->stacks.emplace(stackId, std::move(frames));
    if (resolvers_.missingSymbols) {
        stacks_->missingSymbolModules = resolvers_.missingSymbols();
    }
}

void SessionState::noteTag(std::uint16_t tagId) {
    if (tagId == 0 || stacks_->tagNames.contains(tagId) || !resolvers_.tag) {
        return;
    }
    if (!stacksChanged_) {
        stacks_ = std::make_shared<StackCatalog>(*stacks_);
        stacksChanged_ = true;
    }
    stacks_->tagNames.emplace(tagId, resolvers_.tag(tagId));
}

void SessionState::forEachLiveAllocation(
    const std::function<void(const LiveAllocation&, const QString&)>& visit) const {
    for (const auto& [id, entry] : live_) {
        visit(entry.row, stacks_->tagName(entry.row.tagId));
    }
}

void SessionState::setHeapSnapshot(std::shared_ptr<const GcHeapSnapshot> heap) {
    changed_ = changed_ || heap != heap_;
    heap_ = std::move(heap);
}

void SessionState::setPhase(std::int64_t timeNanoseconds, const QString& phase,
                            const QString& explanation) {
    if (phase == phase_ && explanation == explanation_) {
        return;
    }
    phase_ = phase;
    explanation_ = explanation;
    changed_ = true;
    if (!phase.isEmpty()) {
        addCheckpointMarker(timeNanoseconds, phase);
    }
}

void SessionState::addCheckpointMarker(std::int64_t timeNanoseconds, const QString& label) {
    changed_ = true;
    pendingMarkers_.push_back(
        {secondsAt(timeNanoseconds), TimelineMarker::Kind::Checkpoint, -1, label});
}

void SessionState::setProgress(bool running, int completed, int planned) {
    changeTo(running_, running);
    changeTo(completed_, completed);
    changeTo(planned_, planned);
}

std::shared_ptr<const AllocationTable> SessionState::buildAllocationTable(
    std::int64_t nowNanoseconds) {
    auto table = std::make_shared<AllocationTable>();
    table->timeNanoseconds = nowNanoseconds;
    table->rows.reserve(live_.size());
    for (const auto& [id, entry] : live_) {
        LiveAllocation row = entry.row;
        row.firstChunk = static_cast<std::uint32_t>(table->chunks.size());
        row.chunkCount = static_cast<std::uint32_t>(entry.chunks.size());
        table->chunks.insert(table->chunks.end(), entry.chunks.begin(), entry.chunks.end());
        table->bytes += row.bytes;
        if (row.tier == MemoryTier::Unpooled && !row.releasedWithoutDispose) {
            table->unpooledBytes += row.bytes;
        }
        table->rows.push_back(row);
    }
    return table;
}

void SessionState::setDescriptorPaths(std::unordered_map<AllocationId, QString> paths) {
    descriptorPaths_ =
        std::make_shared<const std::unordered_map<AllocationId, QString>>(std::move(paths));
    changed_ = true;
}

void SessionState::sample(std::int64_t nowNanoseconds) {
    TimelineSample sample;
    sample.seconds = secondsAt(nowNanoseconds);
    const bool peakPassed = peakRented_ > occupancy_.rentedChunks();
    const int rented = peakPassed ? peakRented_ : occupancy_.rentedChunks();
    const int retained = peakPassed ? retainedAtPeak_ : occupancy_.retainedChunks();
    sample.rentedBytes = static_cast<std::uint64_t>(rented) * chunkBytes_;
    sample.retainedBytes = static_cast<std::uint64_t>(retained) * chunkBytes_;
    sample.unpooledBytes = std::max(peakUnpooled_, occupancy_.unpooledBytesLive());
    sample.smallBytes = std::max(peakSmall_, occupancy_.smallBytesLive());
    peakRented_ = occupancy_.rentedChunks();
    retainedAtPeak_ = occupancy_.retainedChunks();
    peakUnpooled_ = occupancy_.unpooledBytesLive();
    peakSmall_ = occupancy_.smallBytesLive();
    nativeTiers_.sampleInto(sample);
    if (heap_) {
        std::copy(std::begin(heap_->generationBytes), std::end(heap_->generationBytes),
                  std::begin(sample.managedBytes));
        sample.managedBytes[3] = heap_->largeObjectLiveBytes();
        sample.largeObjectFreeBytes = heap_->largeObjectFreeBytes;
    }
    pendingSamples_.push_back(sample);
    samplesTaken_ += 1;
}

std::shared_ptr<const SessionSnapshot> SessionState::takeSnapshot(std::int64_t nowNanoseconds,
                                                                  bool addSample) {
    if (pendingPool_) {
        followPool(pendingPool_->sourceId, pendingPool_->capacity, pendingPool_->chunkBytes);
    }
    changed_ = false;
    auto snapshot = std::make_shared<SessionSnapshot>();
    PoolSnapshot& pool = snapshot->pool;
    snapshot->timeOriginNanoseconds = timeOrigin_;
    pool.secondsSinceStart = secondsAt(nowNanoseconds);
    pool.capacityChunks = occupancy_.capacity();
    pool.rentedChunks = occupancy_.rentedChunks();
    pool.retainedChunks = occupancy_.retainedChunks();
    pool.emptySlots = occupancy_.emptySlots();
    pool.chunkBytes = static_cast<std::int64_t>(chunkBytes_);
    pool.unpooledBytesLive = occupancy_.unpooledBytesLive();
    pool.undisposedAllocations = undisposed_;
    pool.eventsReceived = eventsApplied_;
    pool.eventsDropped = droppedEvents_;
    pool.totalChunkRents = occupancy_.chunkRents();
    pool.totalChunkReturns = occupancy_.chunkReturns();
    pool.workloadRunning = running_;
    pool.iterationsCompleted = completed_;
    pool.iterationsPlanned = planned_;

    snapshot->slotStates = occupancy_.slotStates();
    snapshot->slotOwners = slotOwners_;
    snapshot->smallBytesLive = occupancy_.smallBytesLive();
    snapshot->trimPasses = occupancy_.trimPasses();

    if (addSample) {
        sample(nowNanoseconds);
    }
    snapshot->firstSampleIndex = samplesTaken_ - pendingSamples_.size();
    snapshot->newSamples = std::move(pendingSamples_);
    pendingSamples_.clear();
    snapshot->newMarkers = std::move(pendingMarkers_);
    pendingMarkers_.clear();

    if (allocationsChanged_ &&
        (!table_ || tableRefreshRequested_ ||
         nowNanoseconds - lastTableBuild_ >= kAllocationTableIntervalNanoseconds ||
         nowNanoseconds < lastTableBuild_)) {
        tableRefreshRequested_ = false;
        table_ = buildAllocationTable(nowNanoseconds);
        lastTableBuild_ = nowNanoseconds;
        allocationsChanged_ = false;
    }
    snapshot->allocations = table_;
    resolvePendingStacks();
    if (stacksChanged_) {
        publishedStacks_ = stacks_;
        stacksChanged_ = false;
    }
    snapshot->stacks = publishedStacks_;
    snapshot->descriptorPaths = descriptorPaths_;
    snapshot->gcHeap = heap_;
    std::copy(std::begin(collections_), std::end(collections_),
              std::begin(snapshot->gcCollections));
    snapshot->phase = phase_;
    snapshot->explanation = explanation_;

    const std::int64_t elapsed = nowNanoseconds - lastSnapshotTime_;
    if (elapsed > 0) {
        const double rate =
            static_cast<double>(eventsApplied_ - eventsAtLastSnapshot_) * 1e9 / elapsed;
        // Smoothed over about a second, so the status bar does not flicker.
        eventsPerSecond_ = eventsPerSecond_ == 0.0 ? rate : 0.8 * eventsPerSecond_ + 0.2 * rate;
    }
    eventsAtLastSnapshot_ = eventsApplied_;
    lastSnapshotTime_ = nowNanoseconds;
    snapshot->eventsPerSecond = eventsPerSecond_;
    snapshot->fromRecording = fromRecording_;
    return snapshot;
}

}  // namespace poolscope
