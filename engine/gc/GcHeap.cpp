#include "gc/GcHeap.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "base/Clock.h"
#include "diagnostics/EventStream.h"

namespace poolscope {

namespace {

// Where a root lives, so that names are made only when a retention path asks for one.
struct RootSource {
    enum Kind : std::uint8_t { Handle, Static, FReachable } kind;
    std::uint32_t index;
};

bool keepsAlive(GcHandleKind kind) {
    return kind != GcHandleKind::WeakShort && kind != GcHandleKind::WeakLong;
}

void publishGcEvent(MemoryEventKind kind, const MemoryEvent& fields) {
    if (!EventStream::active()) {
        return;
    }
    MemoryEvent event = fields;
    event.kind = kind;
    event.tier = MemoryTier::Managed;
    event.sourceId = 0;
    EventStream::publish(event);
}

// Arrays longer than this would overflow the 64-bit size arithmetic below.
constexpr std::uint64_t kMaxArrayBytes = std::uint64_t{1} << 48;

}  // namespace

const char* gcHandleKindName(GcHandleKind kind) {
    switch (kind) {
        case GcHandleKind::FrameLocal:
            return "frame local";
        case GcHandleKind::Strong:
            return "strong handle";
        case GcHandleKind::Pinned:
            return "pinned handle";
        case GcHandleKind::WeakShort:
            return "short weak handle";
        case GcHandleKind::WeakLong:
            return "long weak handle";
        case GcHandleKind::FinalizerSelf:
            return "finalizer";
    }
    return "unknown";
}

const char* gcReasonName(GcReason reason) {
    switch (reason) {
        case GcReason::Gen0Budget:
            return "gen0-budget";
        case GcReason::Gen1Budget:
            return "gen1-budget";
        case GcReason::PromotionPressure:
            return "promotion-pressure";
        case GcReason::LargeObjectBudget:
            return "large-object-budget";
        case GcReason::OutOfSpace:
            return "out-of-space";
        case GcReason::Induced:
            return "induced";
    }
    return "unknown";
}

GcHeap::GcHeap() : GcHeap(Settings{}) {}

GcHeap::GcHeap(const Settings& settings)
    : settings_(settings),
      smallObjects_(settings.smallObjectReserveBytes),
      gen1Start_(smallObjects_.begin()),
      gen0Start_(smallObjects_.begin()),
      top_(smallObjects_.begin()),
      largeObjects_(settings.largeObjectReserveBytes) {
    types_.push_back(GcType{"Free", 0, {}, {}});
    types_.push_back(GcType{"Gap", 0, {}, {}});
    types_.push_back(GcType{"byte[]", 0, {}, {}});
    types_.push_back(GcType{"object[]", 0, {}, {}});
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
    types_.push_back(std::move(type));
    return static_cast<GcTypeId>(types_.size() - 1);
}

const GcType& GcHeap::type(GcTypeId id) const {
    std::lock_guard lock(mutex_);
    if (id >= types_.size()) {
        throw std::out_of_range("GcHeap::type: no type " + std::to_string(id) + ".");
    }
    return types_[id];
}

// ---- handle table -----------------------------------------------------------------------------

std::uint32_t GcHeap::newSlotLocked(GcObjectHeader* target, GcHandleKind kind,
                                    std::uint32_t frameId) {
    std::uint32_t slot = 0;
    if (!freeSlots_.empty()) {
        slot = freeSlots_.back();
        freeSlots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(handles_.size());
        handles_.emplace_back();
    }
    handles_[slot] = HandleSlot{target, kind, true, frameId};
    return slot;
}

void GcHeap::freeSlotLocked(std::uint32_t slot) {
    if (slot < handles_.size() && handles_[slot].inUse) {
        handles_[slot] = HandleSlot{};
        if (!handleNames_.empty()) {
            handleNames_.erase(slot);
        }
        freeSlots_.push_back(slot);
    }
}

GcHeap::HandleSlot& GcHeap::slotLocked(ObjectRef ref) {
    if (ref.isNull() || ref.slot >= handles_.size() || !handles_[ref.slot].inUse) {
        throw std::logic_error("GcHeap: the reference's frame or handle is gone (slot " +
                               std::to_string(ref.slot) + ").");
    }
    return handles_[ref.slot];
}

GcObjectHeader* GcHeap::targetLocked(ObjectRef ref) {
    return ref.isNull() ? nullptr : slotLocked(ref).target;
}

GcObjectHeader* GcHeap::objectLocked(ObjectRef ref) {
    GcObjectHeader* object = targetLocked(ref);
    if (object == nullptr) {
        throw std::invalid_argument("GcHeap: null reference.");
    }
    return object;
}

std::uint32_t GcHeap::pushFrame(GcFrame& frame) {
    std::lock_guard lock(mutex_);
    const std::uint32_t id = nextFrameId_++;
    frames_.emplace(id, &frame);
    return id;
}

void GcHeap::popFrame(GcFrame& frame) {
    std::lock_guard lock(mutex_);
    for (std::uint32_t slot : frame.slots_) {
        freeSlotLocked(slot);
    }
    frame.slots_.clear();
    frames_.erase(frame.id_);
}

ObjectRef GcHeap::newLocalLocked(GcFrame& frame, GcObjectHeader* target) {
    const std::uint32_t slot = newSlotLocked(target, GcHandleKind::FrameLocal, frame.id_);
    frame.slots_.push_back(slot);
    return ObjectRef{slot};
}

GcHandle GcHeap::allocateHandle(ObjectRef target, GcHandleKind kind, std::string name) {
    if (kind == GcHandleKind::FrameLocal || kind == GcHandleKind::FinalizerSelf) {
        throw std::invalid_argument("GcHeap::allocateHandle: frame locals come from GcFrame.");
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* object = targetLocked(target);
    const std::uint32_t slot = newSlotLocked(object, kind, 0);
    if (!name.empty()) {
        handleNames_[slot] = std::move(name);
    }
    return GcHandle(this, slot, kind);
}

void GcHeap::keepAlive(ObjectRef local) {
    std::lock_guard lock(mutex_);
    const HandleSlot slot = slotLocked(local);
    if (slot.kind != GcHandleKind::FrameLocal) {
        return;  // handles keep their objects alive on their own
    }
    newLocalLocked(*frames_.at(slot.frameId), slot.target);
}

// ---- allocation -------------------------------------------------------------------------------

GcObjectHeader* GcHeap::tryBumpLocked(std::uint64_t sizeBytes) {
    if (static_cast<std::uint64_t>(smallObjects_.end() - top_) < sizeBytes) {
        return nullptr;
    }
    auto* object = reinterpret_cast<GcObjectHeader*>(top_);
    // The space may hold bytes of objects a compaction moved away: objects start zeroed.
    std::memset(top_, 0, sizeBytes);
    top_ += sizeBytes;
    object->sizeBytes = sizeBytes;
    return object;
}

GcObjectHeader* GcHeap::allocateLocked(GcTypeId typeId, std::uint64_t sizeBytes) {
    GcObjectHeader* object = nullptr;
    if (sizeBytes >= settings_.largeObjectThresholdBytes) {
        if (largeAllocatedSinceGen2_ > 0 &&
            largeAllocatedSinceGen2_ + sizeBytes > settings_.largeObjectBudgetBytes) {
            collectLocked(2, GcReason::LargeObjectBudget);
        }
        object = largeObjects_.allocate(sizeBytes);
        if (object == nullptr) {
            collectLocked(2, GcReason::OutOfSpace);
            object = largeObjects_.allocate(sizeBytes);
        }
        if (object == nullptr) {
            throw std::bad_alloc();
        }
        largeAllocatedSinceGen2_ += object->sizeBytes;
    } else {
        if (gen0AllocatedBytes_ + sizeBytes > settings_.gen0BudgetBytes) {
            int generation = 0;
            GcReason reason = GcReason::Gen0Budget;
            const auto gen2Bytes = static_cast<std::uint64_t>(gen1Start_ - smallObjects_.begin());
            if (gen2Bytes > gen2BytesAfterLastGen2_ + settings_.gen2BudgetBytes) {
                generation = 2;
                reason = GcReason::PromotionPressure;
            } else if (static_cast<std::uint64_t>(gen0Start_ - gen1Start_) >=
                       settings_.gen1BudgetBytes) {
                generation = 1;
                reason = GcReason::Gen1Budget;
            }
            collectLocked(generation, reason);
        }
        object = tryBumpLocked(sizeBytes);
        if (object == nullptr) {
            collectLocked(2, GcReason::OutOfSpace);
            object = tryBumpLocked(sizeBytes);
        }
        if (object == nullptr) {
            throw std::bad_alloc();
        }
        gen0AllocatedBytes_ += sizeBytes;
    }
    object->typeId = typeId;
    object->flags = 0;
    object->forwardingAddress = 0;
    if (types_[typeId].finalizer) {
        object->set(GcObjectHeader::FinalizerRegistered);
        finalizationQueue_.push_back(object);
    }
    statistics_.allocatedBytes += object->sizeBytes;
    statistics_.allocatedObjects += 1;
    sampleAllocationLocked(object);
    return object;
}

void GcHeap::sampleAllocationLocked(GcObjectHeader* object) {
    bytesSinceSample_ += object->sizeBytes;
    if (bytesSinceSample_ < settings_.allocationSampleBytes) {
        return;
    }
    MemoryEvent event;
    event.allocationId = reinterpret_cast<std::uintptr_t>(object);
    event.bytes = object->sizeBytes;
    event.value = object->typeId;
    event.value2 = bytesSinceSample_;
    publishGcEvent(MemoryEventKind::GcAllocationSample, event);
    bytesSinceSample_ = 0;
}

ObjectRef GcHeap::allocate(GcFrame& frame, GcTypeId typeId) {
    std::lock_guard lock(mutex_);
    if (typeId < kFirstUserTypeId || typeId >= types_.size()) {
        throw std::invalid_argument("GcHeap::allocate: type " + std::to_string(typeId) +
                                    " is not a registered type; arrays have their own calls.");
    }
    const std::uint64_t size = std::max(
        kMinObjectBytes, alignObjectSize(sizeof(GcObjectHeader) + types_[typeId].payloadBytes));
    return newLocalLocked(frame, allocateLocked(typeId, size));
}

ObjectRef GcHeap::allocateByteArray(GcFrame& frame, std::uint64_t length) {
    if (length > kMaxArrayBytes) {
        throw std::bad_alloc();
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* array =
        allocateLocked(kByteArrayTypeId, alignObjectSize(kArrayOverheadBytes + length));
    *reinterpret_cast<std::uint64_t*>(array->payload()) = length;
    return newLocalLocked(frame, array);
}

ObjectRef GcHeap::allocateReferenceArray(GcFrame& frame, std::uint64_t length) {
    if (length > kMaxArrayBytes / sizeof(void*)) {
        throw std::bad_alloc();
    }
    std::lock_guard lock(mutex_);
    GcObjectHeader* array =
        allocateLocked(kReferenceArrayTypeId, kArrayOverheadBytes + length * sizeof(void*));
    *reinterpret_cast<std::uint64_t*>(array->payload()) = length;
    return newLocalLocked(frame, array);
}

// ---- object access ----------------------------------------------------------------------------

template <class Visit>
void GcHeap::forEachReferenceSlot(GcObjectHeader* object, Visit&& visit) {
    if (object->typeId == kReferenceArrayTypeId) {
        GcObjectHeader** elements = object->referenceElements();
        const std::uint64_t length = object->arrayLength();
        for (std::uint64_t i = 0; i < length; ++i) {
            visit(elements[i], i);
        }
    } else if (object->typeId >= kFirstUserTypeId) {
        const std::vector<GcReferenceField>& fields = types_[object->typeId].referenceFields;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            visit(*reinterpret_cast<GcObjectHeader**>(object->payload() + fields[i].offset), i);
        }
    }
}

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
    GcObjectHeader* object = objectLocked(holder);
    GcObjectHeader* target = targetLocked(value);
    *referenceSlot(object, types_, field) = target;
    // The write barrier: an older object now points at a younger one, which a young
    // collection would otherwise miss, since it does not trace the older generations.
    if (target != nullptr && !object->has(GcObjectHeader::Remembered) &&
        generationOfLocked(target) < generationOfLocked(object)) {
        object->set(GcObjectHeader::Remembered);
        rememberedSet_.push_back(object);
    }
}

ObjectRef GcHeap::getReference(GcFrame& frame, ObjectRef holder, std::size_t field) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* target = *referenceSlot(objectLocked(holder), types_, field);
    return target == nullptr ? ObjectRef{} : newLocalLocked(frame, target);
}

std::size_t GcHeap::referenceCount(ObjectRef holder) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* object = objectLocked(holder);
    if (object->typeId == kReferenceArrayTypeId) {
        return object->arrayLength();
    }
    return object->typeId >= kFirstUserTypeId ? types_[object->typeId].referenceFields.size() : 0;
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
    const std::span<std::byte> data = dataOf(objectLocked(object), types_);
    checkRange(data, offset, bytes.size());
    if (!bytes.empty()) {
        std::memcpy(data.data() + offset, bytes.data(), bytes.size());
    }
    // Reference fields are off limits: a raw write there would hide a reference from the
    // collector and skip the write barrier.
}

void GcHeap::readBytes(ObjectRef object, std::size_t offset, std::span<std::byte> out) {
    std::lock_guard lock(mutex_);
    const std::span<std::byte> data = dataOf(objectLocked(object), types_);
    checkRange(data, offset, out.size());
    if (!out.empty()) {
        std::memcpy(out.data(), data.data() + offset, out.size());
    }
}

std::uint64_t GcHeap::dataLength(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = objectLocked(object);
    return header->isArray() ? header->arrayLength() : types_[header->typeId].payloadBytes;
}

std::span<std::byte> GcHeap::pinnedData(const GcHandle& pinned) {
    if (pinned.heap_ != this || pinned.kind_ != GcHandleKind::Pinned) {
        throw std::logic_error(
            "GcHeap::pinnedData: only a pinned handle of this heap keeps the "
            "data in place.");
    }
    std::lock_guard lock(mutex_);
    return dataOf(objectLocked(pinned.ref()), types_);
}

bool GcHeap::isNull(ObjectRef ref) {
    std::lock_guard lock(mutex_);
    return targetLocked(ref) == nullptr;
}

bool GcHeap::sameObject(ObjectRef a, ObjectRef b) {
    std::lock_guard lock(mutex_);
    return targetLocked(a) == targetLocked(b);
}

GcTypeId GcHeap::typeOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    return objectLocked(object)->typeId;
}

int GcHeap::generationOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = objectLocked(object);
    return largeObjects_.contains(header) ? GcHeapSnapshot::kLargeObjectHeap
                                          : generationOfLocked(header);
}

std::uintptr_t GcHeap::addressOf(ObjectRef object) {
    std::lock_guard lock(mutex_);
    return reinterpret_cast<std::uintptr_t>(objectLocked(object));
}

// ---- statics ----------------------------------------------------------------------------------

GcHeap::StaticId GcHeap::defineStatic(std::string name) {
    std::lock_guard lock(mutex_);
    statics_.push_back(StaticSlot{std::move(name), nullptr});
    return static_cast<StaticId>(statics_.size() - 1);
}

void GcHeap::setStatic(StaticId id, ObjectRef value) {
    std::lock_guard lock(mutex_);
    statics_.at(id).target = targetLocked(value);
}

ObjectRef GcHeap::loadStatic(GcFrame& frame, StaticId id) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* target = statics_.at(id).target;
    return target == nullptr ? ObjectRef{} : newLocalLocked(frame, target);
}

// ---- finalization -----------------------------------------------------------------------------

void GcHeap::suppressFinalize(ObjectRef object) {
    std::lock_guard lock(mutex_);
    objectLocked(object)->set(GcObjectHeader::FinalizeSuppressed);
}

void GcHeap::reRegisterForFinalize(ObjectRef object) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* header = objectLocked(object);
    if (!types_[header->typeId].finalizer) {
        return;
    }
    header->clear(GcObjectHeader::FinalizeSuppressed);
    if (!header->has(GcObjectHeader::FinalizerRegistered)) {
        header->set(GcObjectHeader::FinalizerRegistered);
        finalizationQueue_.push_back(header);
    }
}

void GcHeap::waitForPendingFinalizers() {
    if (std::this_thread::get_id() == finalizerThread_.get_id()) {
        throw std::logic_error("GcHeap::waitForPendingFinalizers: called from a finalizer.");
    }
    std::unique_lock lock(mutex_);
    finalizersIdle_.wait(lock, [&] { return fReachableQueue_.empty() && finalizersRunning_ == 0; });
}

void GcHeap::notifyFinalizerThreadLocked() {
    if (!fReachableQueue_.empty()) {
        finalizerWork_.notify_one();
    }
}

void GcHeap::finalizerLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        finalizerWork_.wait(lock, [&] { return stopping_ || !fReachableQueue_.empty(); });
        if (fReachableQueue_.empty()) {
            break;  // stopping, and nothing is pending
        }
        GcObjectHeader* object = fReachableQueue_.front();
        fReachableQueue_.pop_front();
        ++finalizersRunning_;
        // The object leaves the f-reachable queue, so it needs another root while its
        // finalizer runs: without one, a collection on another thread could free it mid-call.
        const std::uint32_t self = newSlotLocked(object, GcHandleKind::FinalizerSelf, 0);
        // A survival after this point can only be a resurrection.
        object->set(GcObjectHeader::FinalizerRan);
        // A copy: registerType may grow types_ while the finalizer runs unlocked.
        const GcType::Finalizer finalizer = types_[object->typeId].finalizer;
        MemoryEvent event;
        event.allocationId = reinterpret_cast<std::uintptr_t>(object);
        event.value = object->typeId;
        publishGcEvent(MemoryEventKind::GcFinalizerRun, event);
        statistics_.finalizersRun += 1;
        lock.unlock();
        // Finalizers run without the heap lock, since they use the heap like any other code.
        // An exception escaping a finalizer ends the process, as it does in .NET.
        [&]() noexcept { finalizer(*this, ObjectRef{self}); }();
        lock.lock();
        freeSlotLocked(self);
        --finalizersRunning_;
        if (fReachableQueue_.empty() && finalizersRunning_ == 0) {
            finalizersIdle_.notify_all();
        }
    }
    finalizersIdle_.notify_all();
}

// ---- collection -------------------------------------------------------------------------------

int GcHeap::generationOfLocked(const GcObjectHeader* object) const {
    const auto* address = reinterpret_cast<const std::byte*>(object);
    if (!smallObjects_.contains(address)) {
        return 2;  // the LOH is logically part of generation 2
    }
    if (address < gen1Start_) {
        return 2;
    }
    return address < gen0Start_ ? 1 : 0;
}

bool GcHeap::isCondemnedLocked(const GcObjectHeader* object) const {
    const auto* address = reinterpret_cast<const std::byte*>(object);
    if (smallObjects_.contains(address)) {
        return address >= condemnedStart_;
    }
    return condemnedGeneration_ == 2;
}

void GcHeap::markLocked(GcObjectHeader* object, std::vector<GcObjectHeader*>& stack) {
    if (object != nullptr && !object->has(GcObjectHeader::Marked) && isCondemnedLocked(object)) {
        object->set(GcObjectHeader::Marked);
        stack.push_back(object);
    }
}

void GcHeap::markFromLocked(std::vector<GcObjectHeader*>& stack) {
    while (!stack.empty()) {
        GcObjectHeader* object = stack.back();
        stack.pop_back();
        forEachReferenceSlot(
            object, [&](GcObjectHeader* target, std::size_t) { markLocked(target, stack); });
    }
}

template <class Visit>
void GcHeap::forEachRootLocked(Visit&& visit) {
    for (std::uint32_t i = 0; i < handles_.size(); ++i) {
        HandleSlot& slot = handles_[i];
        if (slot.inUse && keepsAlive(slot.kind) && slot.target != nullptr) {
            visit(slot.target, RootSource{RootSource::Handle, i});
        }
    }
    for (std::uint32_t i = 0; i < statics_.size(); ++i) {
        if (statics_[i].target != nullptr) {
            visit(statics_[i].target, RootSource{RootSource::Static, i});
        }
    }
    std::uint32_t index = 0;
    for (GcObjectHeader*& object : fReachableQueue_) {
        visit(object, RootSource{RootSource::FReachable, index++});
    }
}

GcObjectHeader* GcHeap::forwardedLocked(GcObjectHeader* object) const {
    if (object == nullptr) {
        return nullptr;
    }
    const auto* address = reinterpret_cast<const std::byte*>(object);
    if (smallObjects_.contains(address) && address >= condemnedStart_) {
        return reinterpret_cast<GcObjectHeader*>(object->forwardingAddress);
    }
    return object;
}

template <class Visit>
void GcHeap::forEachSmallObjectLocked(std::byte* from, std::byte* to, Visit&& visit) {
    for (std::byte* at = from; at < to;) {
        auto* header = reinterpret_cast<GcObjectHeader*>(at);
        at += header->walkSize();
        visit(header);
    }
}

void GcHeap::collect(int generation, GcReason reason) {
    if (generation < 0 || generation > 2) {
        throw std::invalid_argument("GcHeap::collect: generation must be 0, 1 or 2, got " +
                                    std::to_string(generation) + ".");
    }
    std::lock_guard lock(mutex_);
    collectLocked(generation, reason);
}

void GcHeap::collectLocked(int generation, GcReason reason) {
    const std::int64_t startNanoseconds = monotonicNanoseconds();
    const std::uint64_t sequence = ++collectionCount_;
    statistics_.collections[generation] += 1;
    {
        MemoryEvent event;
        event.allocationId = sequence;
        event.bytes = static_cast<std::uint64_t>(top_ - smallObjects_.begin()) +
                      largeObjects_.usedBytes() - largeObjects_.freeBytes();
        event.chunkIndex = static_cast<std::uint32_t>(generation);
        event.chunkCount = static_cast<std::uint32_t>(reason);
        publishGcEvent(MemoryEventKind::GcStart, event);
    }
    condemnedGeneration_ = generation;
    condemnedStart_ = generation == 0   ? gen0Start_
                      : generation == 1 ? gen1Start_
                                        : smallObjects_.begin();

    // 1. Mark from the roots, and, in a young collection, from the remembered older objects.
    std::vector<GcObjectHeader*> stack;
    forEachRootLocked([&](GcObjectHeader* object, RootSource) { markLocked(object, stack); });
    if (generation < 2) {
        for (GcObjectHeader* holder : rememberedSet_) {
            if (!isCondemnedLocked(holder)) {
                forEachReferenceSlot(holder, [&](GcObjectHeader* target, std::size_t) {
                    markLocked(target, stack);
                });
            }
        }
    }
    markFromLocked(stack);

    const auto clearWeak = [&](GcHandleKind kind) {
        std::uint64_t cleared = 0;
        for (HandleSlot& slot : handles_) {
            if (slot.inUse && slot.kind == kind && slot.target != nullptr &&
                isCondemnedLocked(slot.target) && !slot.target->has(GcObjectHeader::Marked)) {
                slot.target = nullptr;
                ++cleared;
            }
        }
        if (cleared > 0) {
            MemoryEvent event;
            event.allocationId = sequence;
            event.value = cleared;
            event.value2 = kind == GcHandleKind::WeakLong ? 1 : 0;
            event.chunkIndex = static_cast<std::uint32_t>(generation);
            publishGcEvent(MemoryEventKind::GcWeakCleared, event);
        }
    };
    // 2. Short weak handles let go before finalization can bring anything back.
    clearWeak(GcHandleKind::WeakShort);

    // 3. Unreachable finalizable objects move to the f-reachable queue, which is a root: they
    // and everything they reference live on until their finalizer has run.
    std::vector<GcObjectHeader*> stillRegistered;
    stillRegistered.reserve(finalizationQueue_.size());
    for (GcObjectHeader* object : finalizationQueue_) {
        if (!isCondemnedLocked(object) || object->has(GcObjectHeader::Marked)) {
            stillRegistered.push_back(object);
            continue;
        }
        object->clear(GcObjectHeader::FinalizerRegistered);
        if (object->has(GcObjectHeader::FinalizeSuppressed)) {
            continue;  // dies now: its finalizer is not wanted
        }
        // Its finalizer has not run since it was registered, so surviving this collection is
        // not a resurrection.
        object->clear(GcObjectHeader::FinalizerRan);
        fReachableQueue_.push_back(object);
        markLocked(object, stack);
    }
    finalizationQueue_.swap(stillRegistered);
    markFromLocked(stack);

    // 4. Long weak handles follow objects through finalization: cleared only now.
    clearWeak(GcHandleKind::WeakLong);

    // 5. Compact, promote, fix up; sweep the LOH with generation 2.
    for (HandleSlot& slot : handles_) {
        // LOH objects never move, pinned or not.
        if (slot.inUse && slot.kind == GcHandleKind::Pinned && slot.target != nullptr &&
            smallObjects_.contains(slot.target) && isCondemnedLocked(slot.target)) {
            slot.target->set(GcObjectHeader::PinnedDuringGc);
        }
    }
    std::uint64_t promotedBytes = 0;
    std::uint64_t freedBytes = 0;
    std::uint64_t movedObjects = 0;
    std::uint64_t movedBytes = 0;
    compactLocked(generation, promotedBytes, freedBytes, movedObjects, movedBytes);

    gen0AllocatedBytes_ = 0;
    if (generation == 2) {
        largeAllocatedSinceGen2_ = 0;
        gen2BytesAfterLastGen2_ = static_cast<std::uint64_t>(gen1Start_ - smallObjects_.begin());
    }
    condemnedGeneration_ = -1;
    condemnedStart_ = nullptr;

    const std::int64_t pause = monotonicNanoseconds() - startNanoseconds;
    statistics_.lastGeneration = generation;
    statistics_.lastReason = reason;
    statistics_.lastPromotedBytes = promotedBytes;
    statistics_.lastFreedBytes = freedBytes;
    statistics_.lastMovedObjects = movedObjects;
    statistics_.lastPauseNanoseconds = pause;
    if (movedObjects > 0) {
        MemoryEvent event;
        event.allocationId = sequence;
        event.value = movedObjects;
        event.bytes = movedBytes;
        event.chunkIndex = static_cast<std::uint32_t>(generation);
        publishGcEvent(MemoryEventKind::GcObjectsMoved, event);
    }
    {
        MemoryEvent event;
        event.allocationId = sequence;
        event.bytes = freedBytes;
        event.value = promotedBytes;
        event.value2 = static_cast<std::uint64_t>(pause);
        event.chunkIndex = static_cast<std::uint32_t>(generation);
        event.chunkCount = static_cast<std::uint32_t>(reason);
        publishGcEvent(MemoryEventKind::GcEnd, event);
    }
    notifyFinalizerThreadLocked();
}

void GcHeap::compactLocked(int generation, std::uint64_t& promotedBytes, std::uint64_t& freedBytes,
                           std::uint64_t& movedObjects, std::uint64_t& movedBytes) {
    std::byte* const oldGen0Start = gen0Start_;
    std::byte* const oldGen1Start = gen1Start_;
    std::byte* const oldTop = top_;

    // Plan: in address order, each survivor slides to the lowest free address after the
    // previous one, so generations stay in bands and a boundary is simply where the destination
    // stood when the walk crossed it. A pinned survivor keeps its address; the space below it
    // that sliding cannot reach becomes a gap, and later survivors of the same band that fit
    // are placed into the gaps first (first fit), as .NET allocates into the free space around
    // pinned plugs. Gaps close when the walk crosses into generation 0, whose survivors form
    // a younger band than everything below: filling an older band's gap would over-promote.
    struct Gap {
        std::byte* fill;  // the next free byte
        std::byte* end;
    };
    std::byte* destination = condemnedStart_;
    std::byte* newGen1Start = generation == 0 ? oldGen1Start : nullptr;
    std::vector<GcObjectHeader*> survivors;
    std::vector<Gap> gaps;
    std::size_t firstOpenGap = 0;  // gaps before this index belong to an older band
    for (std::byte* at = condemnedStart_; at < oldTop;) {
        if (newGen1Start == nullptr && at >= oldGen0Start) {
            newGen1Start = destination;
            firstOpenGap = gaps.size();
        }
        auto* object = reinterpret_cast<GcObjectHeader*>(at);
        const std::uint64_t size = object->walkSize();
        if (!object->isFree() && object->has(GcObjectHeader::Marked)) {
            if (object->has(GcObjectHeader::PinnedDuringGc)) {
                if (at > destination) {
                    gaps.push_back(Gap{destination, at});
                }
                object->forwardingAddress = reinterpret_cast<std::uintptr_t>(at);
                destination = at + size;
            } else {
                // Full gaps at the front are passed for good: nothing smaller than an object
                // header would fit into them.
                while (firstOpenGap < gaps.size() &&
                       static_cast<std::uint64_t>(gaps[firstOpenGap].end -
                                                  gaps[firstOpenGap].fill) < kMinObjectBytes) {
                    ++firstOpenGap;
                }
                const auto fits =
                    std::find_if(gaps.begin() + static_cast<std::ptrdiff_t>(firstOpenGap),
                                 gaps.end(), [&](const Gap& gap) {
                                     return static_cast<std::uint64_t>(gap.end - gap.fill) >= size;
                                 });
                if (fits != gaps.end()) {
                    object->forwardingAddress = reinterpret_cast<std::uintptr_t>(fits->fill);
                    fits->fill += size;
                } else {
                    object->forwardingAddress = reinterpret_cast<std::uintptr_t>(destination);
                    destination += size;
                }
            }
            // Every survivor but an old generation 2 object changes generation.
            if (at >= oldGen1Start) {
                promotedBytes += size;
            }
            survivors.push_back(object);
        } else if (!object->isFree()) {
            freedBytes += size;
        }
        at += size;
    }
    if (newGen1Start == nullptr) {
        newGen1Start = destination;
    }
    std::byte* const newTop = destination;

    // Fix up every reference into the condemned range while the old headers, which hold the
    // forwarding addresses, are still in place.
    const auto fix = [&](GcObjectHeader*& reference, std::size_t) {
        reference = forwardedLocked(reference);
    };
    for (GcObjectHeader* object : survivors) {
        forEachReferenceSlot(object, fix);
    }
    if (generation < 2) {
        // By the write barrier's invariant, only remembered objects outside the condemned
        // range can point into it.
        for (GcObjectHeader* holder : rememberedSet_) {
            if (!isCondemnedLocked(holder)) {
                forEachReferenceSlot(holder, fix);
            }
        }
    } else {
        largeObjects_.forEachBlock([&](GcObjectHeader* object) {
            if (!object->isFree() && object->has(GcObjectHeader::Marked)) {
                forEachReferenceSlot(object, fix);
            }
        });
    }
    for (HandleSlot& slot : handles_) {
        if (slot.inUse) {
            slot.target = forwardedLocked(slot.target);
        }
    }
    for (StaticSlot& slot : statics_) {
        slot.target = forwardedLocked(slot.target);
    }
    for (GcObjectHeader*& object : fReachableQueue_) {
        object = forwardedLocked(object);
    }
    for (GcObjectHeader*& object : finalizationQueue_) {
        object = forwardedLocked(object);
    }

    // Move. Destinations never pass their sources, so a forward walk with memmove never
    // overwrites an object it has yet to move: a slide lands below its source, and a gap lies
    // below the pinned object that opened it, while every survivor placed into it comes from
    // above that pin, after the gap's own former occupants have moved out.
    for (GcObjectHeader*& object : survivors) {
        auto* to = reinterpret_cast<GcObjectHeader*>(object->forwardingAddress);
        const std::uint64_t size = object->sizeBytes;
        object->clear(GcObjectHeader::Marked);
        object->clear(GcObjectHeader::PinnedDuringGc);
        if (to != object) {
            std::memmove(to, object, size);
            movedObjects += 1;
            movedBytes += size;
        }
        object = to;
    }
    for (const Gap& gap : gaps) {
        writeFiller(gap.fill, static_cast<std::uint64_t>(gap.end - gap.fill));
    }
    // Keep a budget's worth of pages for the next allocations; give the rest back.
    if (static_cast<std::uint64_t>(oldTop - newTop) > settings_.gen0BudgetBytes) {
        smallObjects_.decommit(newTop + settings_.gen0BudgetBytes, oldTop);
    }
    gen1Start_ = newGen1Start;
    gen0Start_ = newTop;
    top_ = newTop;

    std::vector<GcObjectHeader*> largeSurvivors;
    if (generation == 2) {
        freedBytes += largeObjects_.sweep([&](GcObjectHeader* object) {
            if (!object->has(GcObjectHeader::Marked)) {
                return false;
            }
            object->clear(GcObjectHeader::Marked);
            largeSurvivors.push_back(object);
            return true;
        });
    }

    // Resurrection shows here: a survivor whose finalizer already ran.
    const auto reportResurrection = [&](GcObjectHeader* object) {
        if (object->has(GcObjectHeader::FinalizerRan)) {
            object->clear(GcObjectHeader::FinalizerRan);
            MemoryEvent event;
            event.allocationId = reinterpret_cast<std::uintptr_t>(object);
            event.value = object->typeId;
            publishGcEvent(MemoryEventKind::GcResurrection, event);
        }
    };
    std::for_each(survivors.begin(), survivors.end(), reportResurrection);
    std::for_each(largeSurvivors.begin(), largeSurvivors.end(), reportResurrection);

    survivors.insert(survivors.end(), largeSurvivors.begin(), largeSurvivors.end());
    rebuildRememberedSetLocked(survivors);
}

bool GcHeap::holdsYoungerReferenceLocked(GcObjectHeader* object) {
    const int generation = generationOfLocked(object);
    if (generation == 0) {
        return false;
    }
    bool younger = false;
    forEachReferenceSlot(object, [&](GcObjectHeader* target, std::size_t) {
        younger = younger || (target != nullptr && generationOfLocked(target) < generation);
    });
    return younger;
}

void GcHeap::rebuildRememberedSetLocked(const std::vector<GcObjectHeader*>& survivors) {
    // Promotion makes old-to-young references the barrier never saw (a promoted holder
    // of a less promoted object), so survivors are checked as well as the old set.
    std::vector<GcObjectHeader*> remembered;
    for (GcObjectHeader* holder : rememberedSet_) {
        if (isCondemnedLocked(holder)) {
            continue;  // it survived (and is among the survivors) or it died
        }
        if (holdsYoungerReferenceLocked(holder)) {
            remembered.push_back(holder);
        } else {
            holder->clear(GcObjectHeader::Remembered);
        }
    }
    for (GcObjectHeader* object : survivors) {
        object->clear(GcObjectHeader::Remembered);
        if (holdsYoungerReferenceLocked(object)) {
            object->set(GcObjectHeader::Remembered);
            remembered.push_back(object);
        }
    }
    rememberedSet_.swap(remembered);
}

// ---- introspection ----------------------------------------------------------------------------

GcHeapSnapshot GcHeap::snapshot() {
    std::lock_guard lock(mutex_);
    GcHeapSnapshot snapshot;
    const auto address = [](const void* pointer) {
        return reinterpret_cast<std::uintptr_t>(pointer);
    };
    const auto add = [&](GcObjectHeader* object, int generation) {
        snapshot.generationBytes[generation] += object->walkSize();
        if (object->isFree()) {
            return;
        }
        GcHeapSnapshot::Object info;
        info.address = address(object);
        info.sizeBytes = object->sizeBytes;
        info.typeId = object->typeId;
        info.typeName = types_[object->typeId].name;
        info.generation = generation;
        info.finalizerRegistered = object->has(GcObjectHeader::FinalizerRegistered) &&
                                   !object->has(GcObjectHeader::FinalizeSuppressed);
        forEachReferenceSlot(object, [&](GcObjectHeader* target, std::size_t field) {
            if (target != nullptr) {
                info.references.push_back(address(target));
                info.referenceFields.push_back(static_cast<std::uint32_t>(field));
            }
        });
        snapshot.objects.push_back(std::move(info));
    };
    forEachSmallObjectLocked(smallObjects_.begin(), top_, [&](GcObjectHeader* object) {
        add(object, generationOfLocked(object));
    });
    largeObjects_.forEachBlock([&](GcObjectHeader* object) {
        add(object, GcHeapSnapshot::kLargeObjectHeap);
        if (object->isFree()) {
            snapshot.largeObjectFreeBlocks.push_back({address(object), object->walkSize()});
            snapshot.largeObjectFreeBytes += object->walkSize();
        }
    });

    snapshot.types.reserve(types_.size());
    for (std::size_t id = 0; id < types_.size(); ++id) {
        GcHeapSnapshot::Type type;
        type.name = types_[id].name;
        type.isReferenceArray = id == kReferenceArrayTypeId;
        for (const GcReferenceField& field : types_[id].referenceFields) {
            type.referenceFieldNames.push_back(field.name);
        }
        snapshot.types.push_back(std::move(type));
    }
    for (GcObjectHeader* object : finalizationQueue_) {
        if (!object->has(GcObjectHeader::FinalizeSuppressed)) {
            snapshot.finalizationQueue.push_back(address(object));
        }
    }
    for (GcObjectHeader* object : fReachableQueue_) {
        snapshot.fReachableQueue.push_back(address(object));
    }
    for (std::uint32_t i = 0; i < handles_.size(); ++i) {
        const HandleSlot& slot = handles_[i];
        if (!slot.inUse || slot.kind == GcHandleKind::FrameLocal ||
            slot.kind == GcHandleKind::FinalizerSelf) {
            continue;
        }
        GcHeapSnapshot::Handle handle;
        handle.slot = i;
        handle.kind = slot.kind;
        handle.target = address(slot.target);
        if (const auto name = handleNames_.find(i); name != handleNames_.end()) {
            handle.name = name->second;
        }
        snapshot.handles.push_back(std::move(handle));
    }
    forEachNamedRootLocked([&](GcObjectHeader* object, std::string name) {
        snapshot.roots.push_back({std::move(name), address(object)});
    });

    snapshot.regions[2] = {address(smallObjects_.begin()), address(gen1Start_), 0};
    snapshot.regions[1] = {address(gen1Start_), address(gen0Start_), settings_.gen1BudgetBytes};
    snapshot.regions[0] = {address(gen0Start_), address(top_), settings_.gen0BudgetBytes};
    const std::uintptr_t largeStart = address(largeObjects_.begin());
    snapshot.regions[GcHeapSnapshot::kLargeObjectHeap] = {
        largeStart, largeStart + largeObjects_.usedBytes(), settings_.largeObjectBudgetBytes};
    snapshot.collectionCount = collectionCount_;
    return snapshot;
}

std::string GcHeap::handleRootNameLocked(std::uint32_t index) const {
    const HandleSlot& slot = handles_[index];
    if (slot.kind == GcHandleKind::FrameLocal) {
        const auto frame = frames_.find(slot.frameId);
        return "frame " + (frame != frames_.end() ? frame->second->name() : std::string("?"));
    }
    std::string name = gcHandleKindName(slot.kind);
    if (const auto given = handleNames_.find(index); given != handleNames_.end()) {
        name += " " + given->second;
    }
    return name;
}

template <class Visit>
void GcHeap::forEachNamedRootLocked(Visit&& visit) {
    forEachRootLocked([&](GcObjectHeader* object, RootSource source) {
        switch (source.kind) {
            case RootSource::Handle:
                visit(object, handleRootNameLocked(source.index));
                break;
            case RootSource::Static:
                visit(object, "static " + statics_[source.index].name);
                break;
            case RootSource::FReachable:
                visit(object, std::string("f-reachable queue"));
                break;
        }
    });
}

std::optional<RetentionPath> GcHeap::retentionPath(ObjectRef target,
                                                   std::optional<std::string> rootName) {
    std::lock_guard lock(mutex_);
    GcObjectHeader* wanted = objectLocked(target);
    struct Visit {
        GcObjectHeader* parent;
        std::uint32_t field;  // in the parent; for a root, the index into roots
    };
    std::vector<std::string> rootNames;
    std::unordered_map<GcObjectHeader*, Visit> visited;
    std::deque<GcObjectHeader*> queue;
    // Breadth first from all roots at once: the first visit of an object is by a shortest path.
    forEachNamedRootLocked([&](GcObjectHeader* object, std::string name) {
        if ((rootName && name != *rootName) || visited.contains(object)) {
            return;
        }
        rootNames.push_back(std::move(name));
        visited.emplace(object, Visit{nullptr, static_cast<std::uint32_t>(rootNames.size() - 1)});
        queue.push_back(object);
    });
    while (!queue.empty() && !visited.contains(wanted)) {
        GcObjectHeader* object = queue.front();
        queue.pop_front();
        forEachReferenceSlot(object, [&](GcObjectHeader* child, std::size_t field) {
            if (child != nullptr &&
                visited.emplace(child, Visit{object, static_cast<std::uint32_t>(field)}).second) {
                queue.push_back(child);
            }
        });
    }
    const auto found = visited.find(wanted);
    if (found == visited.end()) {
        return std::nullopt;
    }
    RetentionPath path;
    for (GcObjectHeader* object = wanted;;) {
        const Visit& visit = visited.at(object);
        RetentionPath::Step step;
        step.address = reinterpret_cast<std::uintptr_t>(object);
        step.typeId = object->typeId;
        step.typeName = types_[object->typeId].name;
        path.steps.push_back(step);
        if (visit.parent == nullptr) {
            path.rootName = rootNames[visit.field];
            break;
        }
        path.steps.back().viaField =
            visit.parent->typeId == kReferenceArrayTypeId
                ? "[" + std::to_string(visit.field) + "]"
                : types_[visit.parent->typeId].referenceFields[visit.field].name;
        object = visit.parent;
    }
    std::reverse(path.steps.begin(), path.steps.end());
    return path;
}

std::string RetentionPath::toString() const {
    std::string text = rootName;
    for (const Step& step : steps) {
        text += step.viaField.empty() ? " -> " : " -" + step.viaField + "-> ";
        text += step.typeName;
    }
    return text;
}

GcStatistics GcHeap::statistics() {
    std::lock_guard lock(mutex_);
    GcStatistics statistics = statistics_;
    statistics.generationBytes[0] = static_cast<std::uint64_t>(top_ - gen0Start_);
    statistics.generationBytes[1] = static_cast<std::uint64_t>(gen0Start_ - gen1Start_);
    statistics.generationBytes[2] = static_cast<std::uint64_t>(gen1Start_ - smallObjects_.begin());
    statistics.generationBytes[3] = largeObjects_.usedBytes() - largeObjects_.freeBytes();
    statistics.bytesInUse = statistics.generationBytes[0] + statistics.generationBytes[1] +
                            statistics.generationBytes[2] + statistics.generationBytes[3];
    return statistics;
}

}  // namespace poolscope
