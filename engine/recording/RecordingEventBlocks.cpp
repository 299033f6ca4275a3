#include "recording/RecordingEventBlocks.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "recording/EventBlockCodec.h"
#include "recording/EventBlockTable.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"

namespace poolscope {

namespace {

// One thread reads the stored blocks into a ring of slots, the decoders take them in turn,
// and the caller takes them back in order. A slot is free again once its events were visited,
// so the ring bounds the memory: a few blocks whatever the recording's length.
class DecodingPipeline {
public:
    DecodingPipeline(const RecordingReader& reader, unsigned decoders, std::int64_t afterSequence,
                     std::int64_t oneAtATimeFrom, EventBlockCodec::Fields fields)
        : reader_(reader),
          afterSequence_(afterSequence),
          oneAtATimeFrom_(oneAtATimeFrom),
          fields_(fields),
          slots_(2 * decoders + 2) {
        reading_ = std::thread([this] { read(); });
        for (unsigned i = 0; i < decoders; ++i) {
            decoders_.emplace_back([this] { decode(); });
        }
    }

    ~DecodingPipeline() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        reading_.join();
        for (std::thread& decoder : decoders_) {
            decoder.join();
        }
    }

    DecodingPipeline(const DecodingPipeline&) = delete;
    DecodingPipeline& operator=(const DecodingPipeline&) = delete;

    // The next block's events, valid until release(); false after the last block.
    bool next(std::span<const MemoryEvent>& events) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] {
            return (consumed_ < read_ && slot(consumed_).state == State::Decoded) ||
                   (readingDone_ && consumed_ == read_);
        });
        if (consumed_ == read_) {
            if (readError_) {
                std::rethrow_exception(readError_);
            }
            return false;
        }
        const Slot& current = slot(consumed_);
        if (current.error) {
            std::rethrow_exception(current.error);
        }
        events = current.events;
        // The block holding the event after afterSequence_ may begin before it.
        if (current.firstSequence <= afterSequence_) {
            events = events.subspan(std::min<std::size_t>(
                events.size(),
                static_cast<std::size_t>(afterSequence_ - current.firstSequence + 1)));
        }
        return true;
    }

    void release() {
        {
            const std::lock_guard lock(mutex_);
            slot(consumed_).state = State::Free;
            ++consumed_;
        }
        changed_.notify_all();
    }

private:
    enum class State { Free, Encoded, Decoded };
    struct Slot {
        State state = State::Free;
        EventBlockTable::Encoded encoded;
        std::int64_t firstSequence = 0;
        std::vector<MemoryEvent> events;
        std::exception_ptr error;
    };

    Slot& slot(std::uint64_t block) { return slots_[block % slots_.size()]; }

    void read() {
        try {
            reader_.forEachEncodedBlock(
                [this](EventBlockTable::Encoded&& block) {
                    std::unique_lock lock(mutex_);
                    const bool ahead = block.firstSequence < oneAtATimeFrom_;
                    changed_.wait(lock, [this, ahead] {
                        return stop_ ||
                               (ahead ? read_ - consumed_ < slots_.size() : read_ == consumed_);
                    });
                    if (stop_) {
                        return false;
                    }
                    Slot& free = slot(read_);
                    free.encoded = std::move(block);
                    free.state = State::Encoded;
                    ++read_;
                    changed_.notify_all();
                    return true;
                },
                afterSequence_);
        } catch (...) {
            const std::lock_guard lock(mutex_);
            readError_ = std::current_exception();
        }
        {
            const std::lock_guard lock(mutex_);
            readingDone_ = true;
        }
        changed_.notify_all();
    }

    void decode() {
        EventBlockCodec codec;
        std::unique_lock lock(mutex_);
        for (;;) {
            changed_.wait(lock, [this] { return stop_ || claimed_ < read_ || readingDone_; });
            if (stop_ || claimed_ == read_) {
                return;
            }
            Slot& claimed = slot(claimed_);
            ++claimed_;
            // The slot is this decoder's until it is marked decoded: the reader waits for the
            // caller to free it, the caller for it to be decoded.
            const EventBlockTable::Encoded encoded = std::move(claimed.encoded);
            std::vector<MemoryEvent> events = std::move(claimed.events);
            lock.unlock();
            std::exception_ptr error;
            try {
                codec.decode(encoded.data, encoded.eventCount, encoded.encoding, reader_.path(),
                             encoded.firstSequence, events, fields_);
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            claimed.events = std::move(events);
            claimed.firstSequence = encoded.firstSequence;
            claimed.error = error;
            claimed.state = State::Decoded;
            changed_.notify_all();
        }
    }

    const RecordingReader& reader_;
    const std::int64_t afterSequence_;
    const std::int64_t oneAtATimeFrom_;
    const EventBlockCodec::Fields fields_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Slot> slots_;
    std::uint64_t read_ = 0;      // blocks handed to the ring
    std::uint64_t claimed_ = 0;   // blocks a decoder took
    std::uint64_t consumed_ = 0;  // blocks visited
    bool readingDone_ = false;
    std::exception_ptr readError_;
    bool stop_ = false;
    std::thread reading_;
    std::vector<std::thread> decoders_;
};

}  // namespace

void RecordingEventBlocks::forEach(const RecordingReader& reader, const Visit& visit,
                                   unsigned decoders, std::int64_t afterSequence,
                                   std::int64_t oneAtATimeFrom, EventBlockCodec::Fields fields) {
    if (reader.schemaVersion() < 3) {
        std::vector<MemoryEvent> events;
        bool going = true;
        // The pages left after a stop are still read (RecordingEventPages reads to the end),
        // but no longer visited.
        RecordingEventPages::forEach(reader, [&](const std::vector<RecordedEvent>& page) {
            if (!going) {
                return;
            }
            events.clear();
            for (const RecordedEvent& recorded : page) {
                events.push_back(recorded.event);
            }
            going = visit(events);
        });
        return;
    }
    if (decoders == 0) {
        // One thread visits the events in order, and a few decoders keep ahead of it; each
        // more holds two more decoded blocks (up to 16 MiB each) and saves no time.
        decoders = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    }
    DecodingPipeline pipeline(reader, decoders, afterSequence, oneAtATimeFrom, fields);
    std::span<const MemoryEvent> events;
    while (pipeline.next(events)) {
        if (!visit(events)) {
            return;  // the pipeline stops its threads as it goes
        }
        pipeline.release();
    }
}

}  // namespace poolscope
