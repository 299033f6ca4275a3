#include "RecordChannel.h"

#include <cstring>
#include <ctime>

#include "PageMemory.h"
#include "ThreadState.h"
#include "TrackingState.h"
#include "native/PreloadWire.h"

namespace poolscope::preload {

namespace {

namespace wire = poolscope::PreloadWire;

// 64 KiB of records a packet: a few thousand records, one write each, small enough that the
// pipe (enlarged to 1 MiB) holds a burst of them.
constexpr std::size_t kPayloadBytes = 64 * 1024;
constexpr std::size_t kHeaderRoom = sizeof(wire::PacketHeader);
constexpr std::size_t kCarryRoom = kHeaderRoom + sizeof(wire::DroppedRecords);
constexpr std::size_t kCarryBytes = wire::kMaxPacketBytes;
// How long a packet may wait for room in the pipe before it is dropped.
constexpr std::int64_t kBudgetNanoseconds = 200'000'000;
// How long a signal handler waits for the locks: a thread stopped by the signal may hold them.
constexpr int kSignalLockAttempts = 100;

std::int64_t monotonicNanoseconds() {
    timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return std::int64_t{time.tv_sec} * 1'000'000'000 + time.tv_nsec;
}

bool lockWithin(pthread_mutex_t& mutex) {
    for (int attempt = 0; attempt < kSignalLockAttempts; ++attempt) {
        if (pthread_mutex_trylock(&mutex) == 0) {
            return true;
        }
        const timespec pause{0, 1'000'000};
        nanosleep(&pause, nullptr);
    }
    return false;
}

void stopBroken(PacketWriter& writer) {
    TrackingState::stop();
    writer.close();
}

}  // namespace

bool RecordChannel::initialize(PacketWriter& writer) {
    writer_ = &writer;
    for (Buffer& buffer : buffers_) {
        buffer.memory = static_cast<unsigned char*>(PageMemory::map(kHeaderRoom + kPayloadBytes));
        if (buffer.memory == nullptr) {
            return false;
        }
    }
    carry_.memory = static_cast<unsigned char*>(PageMemory::map(kCarryBytes));
    return carry_.memory != nullptr;
}

void RecordChannel::append(const void* head, std::size_t headBytes, const void* tail,
                           std::size_t tailBytes) {
    const std::size_t size = headBytes + tailBytes;
    while (!roomFor(size)) {
        makeRoom();
        if (!TrackingState::active()) {
            return;
        }
    }
    unsigned char* at = filling_->memory + kHeaderRoom + filling_->used;
    std::memcpy(at, head, headBytes);
    if (tailBytes > 0) {
        std::memcpy(at + headBytes, tail, tailBytes);
    }
    filling_->used += size;
    ++filling_->records;
}

bool RecordChannel::roomFor(std::size_t bytes) const {
    return filling_->used == 0 || filling_->used + bytes <= kPayloadBytes;
}

void RecordChannel::makeRoom() {
    unlock();
    flush();
    lock();
}

void RecordChannel::flush() {
    pthread_mutex_lock(&writerLock_);
    flushLocked();
    pthread_mutex_unlock(&writerLock_);
}

void RecordChannel::flushLocked() {
    lock();
    Buffer* full = filling_;
    filling_ = full == &buffers_[0] ? &buffers_[1] : &buffers_[0];
    unlock();
    sendLocked(*full);
    full->used = 0;
    full->records = 0;
}

void RecordChannel::flushFromSignal(const void* record, std::size_t bytes) {
    if (!lockWithin(writerLock_)) {
        return;
    }
    if (lockWithin(appendLock_)) {
        const bool fits = roomFor(bytes);
        unlock();
        if (!fits) {
            flushLocked();
        }
        lock();
        std::memcpy(filling_->memory + kHeaderRoom + filling_->used, record, bytes);
        filling_->used += bytes;
        ++filling_->records;
        unlock();
        flushLocked();
    }
    pthread_mutex_unlock(&writerLock_);
}

PacketWriter::Outcome RecordChannel::writeRaw(const void* bytes, std::size_t size) {
    pthread_mutex_lock(&writerLock_);
    const PacketWriter::Outcome outcome =
        writer_->write(static_cast<const unsigned char*>(bytes), size, kBudgetNanoseconds);
    pthread_mutex_unlock(&writerLock_);
    return outcome;
}

void RecordChannel::sendLocked(Buffer& buffer) {
    const bool carrying = droppedRecords_ > 0 || carry_.records > 0;
    if (carrying && !sendCarry(kBudgetNanoseconds)) {
        if (TrackingState::active()) {
            carryMetadata(buffer);
        }
        return;
    }
    if (buffer.records == 0) {
        return;
    }
    const wire::PacketHeader header{static_cast<std::uint32_t>(buffer.used), buffer.records};
    wire::put(buffer.memory, header);
    switch (writer_->write(buffer.memory, kHeaderRoom + buffer.used, kBudgetNanoseconds)) {
        case PacketWriter::Outcome::Written:
            break;
        case PacketWriter::Outcome::TimedOut:
            carryMetadata(buffer);
            break;
        case PacketWriter::Outcome::Broken:
            stopBroken(*writer_);
            break;
    }
}

bool RecordChannel::sendCarry(std::int64_t budget) {
    unsigned char* start = carry_.memory + sizeof(wire::DroppedRecords);
    std::uint32_t records = carry_.records;
    std::size_t payload = carry_.used;
    if (droppedRecords_ > 0) {
        wire::DroppedRecords dropped{};
        dropped.header = {wire::RecordKind::Dropped, 0, static_cast<std::uint16_t>(sizeof dropped),
                          currentThreadId(), monotonicNanoseconds()};
        dropped.records = droppedRecords_;
        wire::put(carry_.memory + kHeaderRoom, dropped);
        start = carry_.memory;
        ++records;
        payload += sizeof dropped;
    }
    wire::put(start, wire::PacketHeader{static_cast<std::uint32_t>(payload), records});
    switch (writer_->write(start, kHeaderRoom + payload, budget)) {
        case PacketWriter::Outcome::Written:
            carry_.used = 0;
            carry_.records = 0;
            droppedRecords_ = 0;
            return true;
        case PacketWriter::Outcome::TimedOut:
            return false;
        case PacketWriter::Outcome::Broken:
            stopBroken(*writer_);
            return false;
    }
    return false;
}

void RecordChannel::carryMetadata(const Buffer& buffer) {
    const unsigned char* records = buffer.memory + kHeaderRoom;
    std::size_t at = 0;
    while (at < buffer.used) {
        const auto header = wire::get<wire::RecordHeader>(records + at);
        const bool metadata =
            header.kind == wire::RecordKind::Stack || header.kind == wire::RecordKind::Module;
        if (!metadata) {
            ++droppedRecords_;
        } else if (kCarryRoom + carry_.used + header.bytes <= kCarryBytes) {
            std::memcpy(carry_.memory + kCarryRoom + carry_.used, records + at, header.bytes);
            carry_.used += header.bytes;
            ++carry_.records;
        } else {
            // More stacks waiting than a packet holds: the reader has been gone for long, and
            // records naming lost stacks would mislead; end the stream instead.
            stopBroken(*writer_);
            return;
        }
        at += header.bytes;
    }
}

void RecordChannel::lockForFork() {
    pthread_mutex_lock(&writerLock_);
    lock();
}

void RecordChannel::unlockAfterFork() {
    unlock();
    pthread_mutex_unlock(&writerLock_);
}

}  // namespace poolscope::preload
