#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

class MemoryEventQueue;

// The process-wide stream of MemoryEvents. Each subscriber gets its own bounded queue that it
// drains in batches; producers publish to every open queue. With no subscriber, publishing
// costs one relaxed atomic load (EventStream::active()).
class EventStream {
public:
    class Subscription {
    public:
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

        // Appends up to maxEvents events in publication order per producer thread.
        std::size_t drain(std::vector<MemoryEvent>& out, std::size_t maxEvents = SIZE_MAX);
        // Events lost because this subscriber fell behind and its queue was full.
        std::uint64_t droppedCount() const;
        std::size_t capacity() const;
        // Grows the queue to hold at least `capacity` events. The events queued so far are
        // kept, in order, ahead of those published later; the drop count is kept too. For the
        // draining thread only: a subscriber sizes its queue from the rate it sees.
        void reserve(std::size_t capacity);

    private:
        friend class EventStream;
        Subscription(int slot, MemoryEventQueue* queue) : slot_(slot), queue_(queue) {}
        int slot_;
        MemoryEventQueue* queue_;
        std::vector<MemoryEvent> carried_;  // from the queue reserve() replaced, drained first
        std::size_t carriedDrained_ = 0;
        std::uint64_t droppedBefore_ = 0;
    };

    static constexpr int kMaxSubscribers = 8;
    static constexpr std::size_t kDefaultCapacity = 1u << 16;

    static bool active() { return subscriberCount_.load(std::memory_order_relaxed) != 0; }

    // Throws std::runtime_error when kMaxSubscribers are already open.
    static std::unique_ptr<Subscription> subscribe(std::size_t capacity = kDefaultCapacity);

    // Fills in the time and thread when they are zero. Call only when active().
    static void publish(MemoryEvent event);

private:
    static std::atomic<int> subscriberCount_;
};

}  // namespace poolscope
