#pragma once

#include <pthread.h>
#include <cstddef>
#include <cstdint>

#include "PacketWriter.h"
#include "RecordLock.h"

namespace poolscope::preload {

// The one ordered queue of records of the process. Hooks append whole records under the append
// lock; packets leave under the writer lock, taken before the append lock, so the append lock is
// held only to copy bytes and swap buffers, never across a write or a call that allocates.
//
// Two buffers: while one is written, hooks fill the other. When a packet must be dropped (the
// reader did not take it within the budget), the stacks and modules it announced are carried
// into a packet of their own, with a Dropped record counting the rest, sent before the next one:
// later records may name them, so they are never lost with the packet.
class RecordChannel {
public:
    // `budgetNanoseconds`: how long a packet may wait for room in the pipe before it is dropped.
    bool initialize(PacketWriter& writer, std::int64_t budgetNanoseconds);

    void lock() { appendLock_.lock(); }
    void unlock() { appendLock_.unlock(); }

    // Appends one record, `head` followed by `tail` (the variable part, may be empty), unless
    // tracking stopped. The caller holds the append lock; a full buffer is sent first, which
    // lets go of the lock for that time.
    void append(const void* head, std::size_t headBytes, const void* tail = nullptr,
                std::size_t tailBytes = 0);

    // Under the append lock: whether `bytes` of records fit the buffer being filled; if not,
    // makeRoom() sends it, letting go of the lock meanwhile.
    bool roomFor(std::size_t bytes) const;
    void makeRoom();

    // Sends what is buffered. Takes both locks; the caller holds neither.
    void flush();
    // exec: sends what is buffered and keeps the writer lock, so that no other thread's packet
    // is half written when the image is replaced (the new image's hello must start where a
    // packet ended); let go of when the exec failed. What hooks append meanwhile stays behind.
    void holdForExec() {
        pthread_mutex_lock(&writerLock_);
        flushLocked();
    }
    void releaseAfterExec() { pthread_mutex_unlock(&writerLock_); }
    // Appends a last record and sends everything, for a signal handler: gives up after a
    // bounded wait for the locks, which a thread the signal stopped may hold for good.
    void flushFromSignal(const void* record, std::size_t bytes);

    // Writes bytes outside packets (the Hello) or runs `action` with the writer lock held, for
    // moving the descriptor while no packet is under way.
    PacketWriter::Outcome writeRaw(const void* bytes, std::size_t size);
    template <typename Action>
    auto withWriter(Action action) {
        pthread_mutex_lock(&writerLock_);
        auto result = action(*writer_);
        pthread_mutex_unlock(&writerLock_);
        return result;
    }

    // fork: the parent holds both locks across the fork so the child inherits them in a known
    // state; the child then starts its own.
    void lockForFork();
    void unlockAfterFork();

private:
    struct Buffer {
        unsigned char* memory;
        std::size_t used;  // bytes of records after the header room
        std::uint32_t records;
    };

    void sendLocked(Buffer& buffer);
    bool sendCarry(std::int64_t budget);
    void carryMetadata(const Buffer& buffer);
    void flushLocked();

    PacketWriter* writer_ = nullptr;
    RecordLock appendLock_;
    pthread_mutex_t writerLock_ = PTHREAD_MUTEX_INITIALIZER;
    Buffer buffers_[2] = {};
    Buffer* filling_ = &buffers_[0];
    Buffer carry_ = {};
    std::uint64_t droppedRecords_ = 0;
    std::int64_t budgetNanoseconds_ = 0;
};

}  // namespace poolscope::preload
