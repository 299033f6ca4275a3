#include "diagnostics/EventStream.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "base/Clock.h"
#include "diagnostics/MemoryEventQueue.h"
#include "diagnostics/ThreadIdentity.h"

namespace poolscope {

namespace {

// A subscriber's queue is reached through a slot. A producer announces itself on the slot
// before it reads the queue pointer, and an unsubscriber clears the pointer and then waits for
// the announced producers to leave, so a queue is never freed under a producer.
struct SubscriberSlot {
    std::atomic<MemoryEventQueue*> queue{nullptr};
    std::atomic<int> producers{0};
};

SubscriberSlot g_slots[EventStream::kMaxSubscribers];

}  // namespace

std::atomic<int> EventStream::subscriberCount_{0};

std::unique_ptr<EventStream::Subscription> EventStream::subscribe(std::size_t capacity) {
    auto queue = std::make_unique<MemoryEventQueue>(capacity);
    for (int i = 0; i < kMaxSubscribers; ++i) {
        MemoryEventQueue* expected = nullptr;
        if (g_slots[i].queue.compare_exchange_strong(expected, queue.get())) {
            subscriberCount_.fetch_add(1);
            return std::unique_ptr<Subscription>(new Subscription(i, queue.release()));
        }
    }
    throw std::runtime_error("EventStream: all " + std::to_string(kMaxSubscribers) +
                             " subscriber slots are in use.");
}

EventStream::Subscription::~Subscription() {
    SubscriberSlot& slot = g_slots[slot_];
    slot.queue.store(nullptr);
    while (slot.producers.load() != 0) {
        std::this_thread::yield();
    }
    subscriberCount_.fetch_sub(1);
    delete queue_;
}

std::size_t EventStream::Subscription::drain(std::vector<MemoryEvent>& out, std::size_t maxEvents) {
    std::size_t taken = 0;
    if (carriedDrained_ < carried_.size()) {
        taken = std::min(maxEvents, carried_.size() - carriedDrained_);
        const auto first = carried_.begin() + static_cast<std::ptrdiff_t>(carriedDrained_);
        out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(taken));
        carriedDrained_ += taken;
        if (carriedDrained_ == carried_.size()) {
            carried_ = {};
            carriedDrained_ = 0;
        }
    }
    return taken + queue_->drain(out, maxEvents - taken);
}

std::uint64_t EventStream::Subscription::droppedCount() const {
    return droppedBefore_ + queue_->droppedCount();
}

void EventStream::Subscription::reserve(std::size_t capacity) {
    if (capacity <= queue_->capacity()) {
        return;
    }
    auto* grown = new MemoryEventQueue(capacity);
    SubscriberSlot& slot = g_slots[slot_];
    slot.queue.store(grown);
    // A producer that read the old queue has announced itself: once none is left, nothing
    // more goes into the old queue and it can be emptied and freed.
    while (slot.producers.load() != 0) {
        std::this_thread::yield();
    }
    queue_->drain(carried_, SIZE_MAX);
    droppedBefore_ += queue_->droppedCount();
    delete queue_;
    queue_ = grown;
}

std::size_t EventStream::Subscription::capacity() const {
    return queue_->capacity();
}

void EventStream::publish(MemoryEvent event) {
    if (event.timeNanoseconds == 0) {
        event.timeNanoseconds = monotonicNanoseconds();
    }
    if (event.threadId == 0) {
        event.threadId = currentThreadId();
    }
    for (SubscriberSlot& slot : g_slots) {
        if (slot.queue.load(std::memory_order_relaxed) == nullptr) {
            continue;
        }
        slot.producers.fetch_add(1);
        if (MemoryEventQueue* queue = slot.queue.load()) {
            queue->tryPush(event);
        }
        slot.producers.fetch_sub(1);
    }
}

}  // namespace poolscope
