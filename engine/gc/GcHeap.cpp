#include "gc/GcHeap.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "gc/GcCollector.h"
#include "gc/GcEvents.h"
#include "gc/GcHeapInspector.h"
#include "gc/GcOutOfMemory.h"

namespace poolscope {

namespace {
// Arrays longer than this would overflow the 64-bit size arithmetic below.
constexpr std::uint64_t kMaxArrayBytes = std::uint64_t{1} << 48;
}  // namespace

GcHeap::GcHeap() : GcHeap(Settings{}) {}

GcHeap::GcHeap(const Settings& settings) : state_(settings) {
    finalizerThread_ = std::thread([this] { finalizerLoop(); });
}

GcHeap::~GcHeap() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    finalizerWork_.notify_all();
    finalizerThread_.join();
}

// ---- types ------------------------------------------------------------------------------------

GcTypeId GcHeap::registerType(GcType type) {
    for (const GcReferenceField& field : type.referenceFields) {
        if (field.offset % sizeof(void*) != 0 || field.offset + sizeof(void*) > type.payloadBytes) {
            throw std::invalid_argument("GcHeap::registerType: field '" + field.name + "' of '" +
                                        type.name + "' is misaligned or outside the payload.");
        }
    }
    std::lock_guard lock(mutex_);
    state_.types.push_back(std::move(type));
    return static_cast<GcTypeId>(state_.types.size() - 1);
}

const GcType& GcHeap::type(GcTypeId id) const {
    std::lock_guard lock(mutex_);
    if (id >= state_.types.size()) {
        throw std::out_of_range("GcHeap::type: no type " + std::to_string(id) + ".");
    }
    return state_.types[id];
}

// ---- frames and handles -----------------------------------------------------------------------

std::uint32_t GcHeap::pushFrame(GcFrame& frame) {
    std::lock_guard lock(mutex_);
    return state_.handles.addFrame(frame);
}

void GcHeap::popFrame(GcFrame& frame) {
    std::lock_guard lock(mutex_);
    for (std::uint32_t slot : frame.slots_) {
        state_.handles.free(slot);
    }
    frame.slots_.clear();
    state_.handles.removeFrame(frame.id_);
}

ObjectRef GcHeap::newLocalLocked(GcFrame& frame, GcObjectHeader* target) {
    const std::uint32_t slot = state_.handles.add(target, GcHandleKind::FrameLocal, frame.id_);
    frame.slots_.push_back(slot);
    return ObjectRef{slot};
}

GcHandle GcHeap::allocateHandle(ObjectRef target, GcHandleKind kind, std::string name) {
    if (kind == GcHandleKind::FrameLocal || kind == GcHandleKind::FinalizerSelf) {
        throw std::invalid_argument("GcHeap::allocateHandle: frame locals come from GcFrame.");
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* object = state_.handles.target(target);
    const std::uint32_t slot = state_.handles.add(object, kind);
    state_.handles.setName(slot, std::move(name));
    return GcHandle(this, slot, kind);
}

void GcHeap::keepAlive(ObjectRef local) {
    std::lock_guard lock(mutex_);
    const GcHandleTable::Slot slot = state_.handles.at(local);
    if (slot.kind != GcHandleKind::FrameLocal) {
        return;  // handles keep their objects alive on their own
    }
    newLocalLocked(state_.handles.frame(slot.frameId), slot.target);
}

// ---- allocation -------------------------------------------------------------------------------

GcObjectHeader* GcHeap::allocateLargeLocked(std::uint64_t sizeBytes) {
    if (state_.largeAllocatedSinceGen2 > 0 &&
        state_.largeAllocatedSinceGen2 + sizeBytes > state_.settings.largeObjectBudgetBytes) {
        collectLocked(2, GcReason::LargeObjectBudget);
    }
    GcObjectHeader* object = state_.largeObjects.allocate(sizeBytes);
    if (object == nullptr) {
        collectLocked(2, GcReason::OutOfSpace);
        object = state_.largeObjects.allocate(sizeBytes);
    }
    if (object == nullptr) {
        throw GcOutOfMemory::heapFull(
            "large object heap", sizeBytes, state_.settings.largeObjectReserveBytes,
            state_.largeObjects.usedBytes() - state_.largeObjects.freeBytes());
    }
    state_.largeAllocatedSinceGen2 += object->sizeBytes;
    return object;
}

GcObjectHeader* GcHeap::allocateSmallLocked(std::uint64_t sizeBytes) {
    const GcHeapSettings& settings = state_.settings;
    GcSmallObjectHeap& small = state_.smallObjects;
    if (state_.gen0AllocatedBytes + sizeBytes > settings.gen0BudgetBytes) {
        int generation = 0;
        GcReason reason = GcReason::Gen0Budget;
        if (small.bytesOf(2) > state_.gen2BytesAfterLastGen2 + settings.gen2BudgetBytes) {
            generation = 2;
            reason = GcReason::PromotionPressure;
        } else if (small.bytesOf(1) >= settings.gen1BudgetBytes) {
            generation = 1;
            reason = GcReason::Gen1Budget;
        }
        collectLocked(generation, reason);
    }
    GcObjectHeader* object = small.tryBump(sizeBytes);
    if (object == nullptr) {
        collectLocked(2, GcReason::OutOfSpace);
        object = small.tryBump(sizeBytes);
    }
    if (object == nullptr) {
        throw GcOutOfMemory::heapFull("small object heap", sizeBytes,
                                      settings.smallObjectReserveBytes, small.usedBytes());
    }
    state_.gen0AllocatedBytes += sizeBytes;
    return object;
}

GcObjectHeader* GcHeap::allocateLocked(GcTypeId typeId, std::uint64_t sizeBytes) {
    GcObjectHeader* object = sizeBytes >= state_.settings.largeObjectThresholdBytes
                                 ? allocateLargeLocked(sizeBytes)
                                 : allocateSmallLocked(sizeBytes);
    object->typeId = typeId;
    object->flags = 0;
    object->forwardingAddress = 0;
    if (state_.types[typeId].finalizer) {
        object->set(GcObjectHeader::FinalizerRegistered);
        state_.finalizationQueue.push_back(object);
    }
    state_.statistics.allocatedBytes += object->sizeBytes;
    state_.statistics.allocatedObjects += 1;
    sampleAllocationLocked(object);
    return object;
}

void GcHeap::sampleAllocationLocked(GcObjectHeader* object) {
    state_.bytesSinceSample += object->sizeBytes;
    if (state_.bytesSinceSample < state_.settings.allocationSampleBytes) {
        return;
    }
    MemoryEvent event;
    event.allocationId = reinterpret_cast<std::uintptr_t>(object);
    event.bytes = object->sizeBytes;
    event.value = object->typeId;
    event.value2 = state_.bytesSinceSample;
    publishGcEvent(MemoryEventKind::GcAllocationSample, event);
    state_.bytesSinceSample = 0;
}

ObjectRef GcHeap::allocate(GcFrame& frame, GcTypeId typeId) {
    std::lock_guard lock(mutex_);
    if (typeId < kFirstUserTypeId || typeId >= state_.types.size()) {
        throw std::invalid_argument("GcHeap::allocate: type " + std::to_string(typeId) +
                                    " is not a registered type; arrays have their own calls.");
    }
    const std::uint64_t size =
        std::max(kMinObjectBytes,
                 alignObjectSize(sizeof(GcObjectHeader) + state_.types[typeId].payloadBytes));
    return newLocalLocked(frame, allocateLocked(typeId, size));
}

ObjectRef GcHeap::allocateByteArray(GcFrame& frame, std::uint64_t length) {
    if (length > kMaxArrayBytes) {
        throw GcOutOfMemory::arrayTooLong("byte", length, kMaxArrayBytes);
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* array =
        allocateLocked(kByteArrayTypeId, alignObjectSize(kArrayOverheadBytes + length));
    *reinterpret_cast<std::uint64_t*>(array->payload()) = length;
    return newLocalLocked(frame, array);
}

ObjectRef GcHeap::allocateReferenceArray(GcFrame& frame, std::uint64_t length) {
    if (length > kMaxArrayBytes / sizeof(void*)) {
        throw GcOutOfMemory::arrayTooLong("reference", length, kMaxArrayBytes / sizeof(void*));
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* array =
        allocateLocked(kReferenceArrayTypeId, kArrayOverheadBytes + length * sizeof(void*));
    *reinterpret_cast<std::uint64_t*>(array->payload()) = length;
    return newLocalLocked(frame, array);
}

// ---- object access ----------------------------------------------------------------------------

namespace {
GcObjectHeader** referenceSlot(GcObjectHeader* object, const std::deque<GcType>& types,
                               std::size_t field) {
    if (object->typeId == kReferenceArrayTypeId) {
        if (field >= object->arrayLength()) {
            throw std::out_of_range("GcHeap: element " + std::to_string(field) +
                                    " is outside an array of " +
                                    std::to_string(object->arrayLength()) + ".");
        }
        return object->referenceElements() + field;
    }
    const GcType& type = types[object->typeId];
    if (object->typeId < kFirstUserTypeId || field >= type.referenceFields.size()) {
        throw std::out_of_range("GcHeap: '" + type.name + "' has no reference field " +
                                std::to_string(field) + ".");
    }
    return reinterpret_cast<GcObjectHeader**>(object->payload() +
                                              type.referenceFields[field].offset);
}
}  // namespace

void GcHeap::setReference(ObjectRef holder, std::size_t field, ObjectRef value) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* object = state_.handles.object(holder);
    GcObjectHeader* target = state_.handles.target(value);
    *referenceSlot(object, state_.types, field) = target;
    // The write barrier: an older object now points at a younger one, which a young
    // collection would otherwise miss, since it does not trace the older generations.
    if (target != nullptr && !object->has(GcObjectHeader::Remembered) &&
        state_.smallObjects.generationOf(target) < state_.smallObjects.generationOf(object)) {
        object->set(GcObjectHeader::Remembered);
        state_.rememberedSet.push_back(object);
    }
}

ObjectRef GcHeap::getReference(GcFrame& frame, ObjectRef holder, std::size_t field) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* target = *referenceSlot(state_.handles.object(holder), state_.types, field);
    return target == nullptr ? ObjectRef{} : newLocalLocked(frame, target);
}

std::size_t GcHeap::referenceCount(ObjectRef holder) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* object = state_.handles.object(holder);
    if (object->typeId == kReferenceArrayTypeId) {
        return object->arrayLength();
    }
    return object->typeId >= kFirstUserTypeId ? state_.types[object->typeId].referenceFields.size()
                                              : 0;
}

namespace {
std::span<std::byte> dataOf(GcObjectHeader* object, const std::deque<GcType>& types) {
    if (object->typeId == kByteArrayTypeId) {
        return {object->arrayData(), object->arrayLength()};
    }
    if (object->typeId == kReferenceArrayTypeId) {
        return {};  // references are not plain data
    }
    return {object->payload(), types[object->typeId].payloadBytes};
}

void checkRange(std::span<std::byte> data, std::size_t offset, std::size_t count) {
    if (offset > data.size() || count > data.size() - offset) {
        throw std::out_of_range("GcHeap: bytes [" + std::to_string(offset) + ", " +
                                std::to_string(offset + count) + ") are outside the object's " +
                                std::to_string(data.size()) + " bytes of data.");
    }
}
}  // namespace

void GcHeap::writeBytes(ObjectRef object, std::size_t offset, std::span<const std::byte> bytes) {
    std::lock_guard lock(mutex_);
    const std::span<std::byte> data = dataOf(state_.handles.object(object), state_.types);
    checkRange(data, offset, bytes.size());
    if (!bytes.empty()) {
        std::memcpy(data.data() + offset, bytes.data(), bytes.size());
    }
    // Reference fields are off limits: a raw write there would hide a reference from the
    // collector and skip the write barrier.
}

void GcHeap::readBytes(ObjectRef object, std::size_t offset, std::span<std::byte> out) {
    std::lock_guard lock(mutex_);
    const std::span<std::byte> data = dataOf(state_.handles.object(object), state_.types);
    checkRange(data, offset, out.size());
    if (!out.empty()) {
        std::memcpy(out.data(), data.data() + offset, out.size());
    }
}

std::uint64_t GcHeap::dataLength(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = state_.handles.object(object);
    return header->isArray() ? header->arrayLength() : state_.types[header->typeId].payloadBytes;
}

std::span<std::byte> GcHeap::pinnedData(const GcHandle& pinned) {
    if (pinned.heap_ != this || pinned.kind_ != GcHandleKind::Pinned) {
        throw std::logic_error(
            "GcHeap::pinnedData: only a pinned handle of this heap keeps the "
            "data in place.");
    }
    std::lock_guard lock(mutex_);
    return dataOf(state_.handles.object(pinned.ref()), state_.types);
}

bool GcHeap::isNull(ObjectRef ref) {
    std::lock_guard lock(mutex_);
    return state_.handles.target(ref) == nullptr;
}

bool GcHeap::sameObject(ObjectRef a, ObjectRef b) {
    std::lock_guard lock(mutex_);
    return state_.handles.target(a) == state_.handles.target(b);
}

GcTypeId GcHeap::typeOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    return state_.handles.object(object)->typeId;
}

int GcHeap::generationOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = state_.handles.object(object);
    return state_.largeObjects.contains(header) ? GcHeapSnapshot::kLargeObjectHeap
                                                : state_.smallObjects.generationOf(header);
}

std::uintptr_t GcHeap::addressOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    return reinterpret_cast<std::uintptr_t>(state_.handles.object(object));
}

// ---- statics ----------------------------------------------------------------------------------

GcHeap::StaticId GcHeap::defineStatic(std::string name) {
    std::lock_guard lock(mutex_);
    state_.statics.push_back(GcHeapState::StaticSlot{std::move(name), nullptr});
    return static_cast<StaticId>(state_.statics.size() - 1);
}

void GcHeap::setStatic(StaticId id, ObjectRef value) {
    std::lock_guard lock(mutex_);
    state_.statics.at(id).target = state_.handles.target(value);
}

ObjectRef GcHeap::loadStatic(GcFrame& frame, StaticId id) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* target = state_.statics.at(id).target;
    return target == nullptr ? ObjectRef{} : newLocalLocked(frame, target);
}

// ---- finalization -----------------------------------------------------------------------------

void GcHeap::suppressFinalize(ObjectRef object) {
    std::lock_guard lock(mutex_);
    state_.handles.object(object)->set(GcObjectHeader::FinalizeSuppressed);
}

void GcHeap::reRegisterForFinalize(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = state_.handles.object(object);
    if (!state_.types[header->typeId].finalizer) {
        return;
    }
    header->clear(GcObjectHeader::FinalizeSuppressed);
    if (!header->has(GcObjectHeader::FinalizerRegistered)) {
        header->set(GcObjectHeader::FinalizerRegistered);
        state_.finalizationQueue.push_back(header);
    }
}

void GcHeap::waitForPendingFinalizers() {
    if (std::this_thread::get_id() == finalizerThread_.get_id()) {
        throw std::logic_error("GcHeap::waitForPendingFinalizers: called from a finalizer.");
    }
    std::unique_lock lock(mutex_);
    finalizersIdle_.wait(lock,
                         [&] { return state_.fReachableQueue.empty() && finalizersRunning_ == 0; });
}

void GcHeap::holdFinalizers(bool held) {
    {
        std::lock_guard lock(mutex_);
        finalizersHeld_ = held;
    }
    finalizerWork_.notify_all();
}

void GcHeap::finalizerLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        // Stopping overrides a hold, so the destructor still runs what is pending.
        finalizerWork_.wait(lock, [&] {
            return stopping_ || (!finalizersHeld_ && !state_.fReachableQueue.empty());
        });
        if (state_.fReachableQueue.empty()) {
            break;  // stopping, and nothing is pending
        }
        GcObjectHeader* object = state_.fReachableQueue.front();
        state_.fReachableQueue.pop_front();
        ++finalizersRunning_;
        // The object leaves the f-reachable queue, so it needs another root while its
        // finalizer runs: without one, a collection on another thread could free it mid-call.
        const std::uint32_t self = state_.handles.add(object, GcHandleKind::FinalizerSelf);
        // A survival after this point can only be a resurrection.
        object->set(GcObjectHeader::FinalizerRan);
        // A copy: registerType may grow state_.types while the finalizer runs unlocked.
        const GcType::Finalizer finalizer = state_.types[object->typeId].finalizer;
        MemoryEvent event;
        event.allocationId = reinterpret_cast<std::uintptr_t>(object);
        event.value = object->typeId;
        publishGcEvent(MemoryEventKind::GcFinalizerRun, event);
        state_.statistics.finalizersRun += 1;
        lock.unlock();
        // Finalizers run without the heap lock, since they use the heap like any other code.
        // An exception escaping a finalizer ends the process, as it does in .NET.
        [&]() noexcept { finalizer(*this, ObjectRef{self}); }();
        lock.lock();
        state_.handles.free(self);
        --finalizersRunning_;
        if (state_.fReachableQueue.empty() && finalizersRunning_ == 0) {
            finalizersIdle_.notify_all();
        }
    }
    finalizersIdle_.notify_all();
}

// ---- collection and introspection -------------------------------------------------------------

void GcHeap::collect(int generation, GcReason reason) {
    if (generation < 0 || generation > 2) {
        throw std::invalid_argument("GcHeap::collect: generation must be 0, 1 or 2, got " +
                                    std::to_string(generation) + ".");
    }
    std::lock_guard lock(mutex_);
    collectLocked(generation, reason);
}

void GcHeap::collectLocked(int generation, GcReason reason) {
    GcCollector(state_, generation).collect(reason);
    if (!state_.fReachableQueue.empty()) {
        finalizerWork_.notify_one();
    }
}

GcHeapSnapshot GcHeap::snapshot() {
    std::lock_guard lock(mutex_);
    return GcHeapInspector(state_).snapshot();
}

std::optional<RetentionPath> GcHeap::retentionPath(ObjectRef target,
                                                   std::optional<std::string> rootName) {
    std::lock_guard lock(mutex_);
    return GcHeapInspector(state_).retentionPath(state_.handles.object(target), rootName);
}

GcStatistics GcHeap::statistics() {
    std::lock_guard lock(mutex_);
    GcStatistics statistics = state_.statistics;
    const GcSmallObjectHeap& small = state_.smallObjects;
    statistics.generationBytes[0] = small.bytesOf(0);
    statistics.generationBytes[1] = small.bytesOf(1);
    statistics.generationBytes[2] = small.bytesOf(2);
    statistics.generationBytes[3] =
        state_.largeObjects.usedBytes() - state_.largeObjects.freeBytes();
    statistics.bytesInUse = statistics.generationBytes[0] + statistics.generationBytes[1] +
                            statistics.generationBytes[2] + statistics.generationBytes[3];
    return statistics;
}

}  // namespace poolscope
