#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poolscope {

// The buffers made and not yet freed, by when their last piece is freed: the replay's next free
// is the earliest. It holds the live buffers alone, where sorting every free ahead of the replay
// held them all. Mostly a radix heap, whose keys must not fall below the last one brought to
// its front: a buffer is freed after it is made, so a key added is below that only when the
// buffer is freed before the earliest one pending, as a short-lived buffer is; those wait in a
// small heap of their own, ahead of the others.
class PendingFrees {
public:
    // A buffer freed at `sequence`; one recorded as freed before the last free taken (a damaged
    // list's) is freed next.
    void add(std::int64_t sequence, std::uint32_t slot) {
        const Entry entry{static_cast<std::uint64_t>(std::max(sequence, lastTaken_)), slot};
        if (entry.key < front_) {
            early_.push_back(entry);
            std::push_heap(early_.begin(), early_.end(), later);
        } else {
            buckets_[bucketOf(entry.key)].push_back(entry);
        }
        ++size_;
    }
    bool empty() const { return size_ == 0; }
    // Whether a buffer freed at `sequence` would be freed before every one pending: then it
    // need not wait here, and freedNow() notes its free as taken.
    bool freesFirst(std::int64_t sequence) {
        return sequence >= lastTaken_ && (empty() || sequence < nextSequence());
    }
    void freedNow(std::int64_t sequence) { lastTaken_ = sequence; }
    std::int64_t nextSequence() { return static_cast<std::int64_t>(next().key); }
    // The slot of the buffer freed next, taken off.
    std::uint32_t take() {
        const Entry entry = next();
        if (!early_.empty()) {
            std::pop_heap(early_.begin(), early_.end(), later);
            early_.pop_back();
        } else {
            buckets_[0].pop_back();
        }
        lastTaken_ = static_cast<std::int64_t>(entry.key);
        --size_;
        return entry.slot;
    }

private:
    struct Entry {
        std::uint64_t key = 0;
        std::uint32_t slot = 0;
    };

    static bool later(const Entry& a, const Entry& b) { return a.key > b.key; }

    // Bucket 0 holds the keys equal to the front, bucket b those whose highest bit apart from
    // it is bit b - 1.
    std::size_t bucketOf(std::uint64_t key) const {
        return static_cast<std::size_t>(std::bit_width(key ^ front_));
    }

    // The earliest entry: the early heap's, every one of which is below the front, or the
    // front's, once the smallest keys are brought there (those of the lowest bucket holding
    // any, its smallest the new front, the others spread over the buckets below).
    const Entry& next() {
        if (!early_.empty()) {
            return early_.front();
        }
        if (buckets_[0].empty()) {
            std::size_t lowest = 1;
            while (buckets_[lowest].empty()) {
                ++lowest;
            }
            std::uint64_t smallest = buckets_[lowest].front().key;
            for (const Entry& entry : buckets_[lowest]) {
                smallest = std::min(smallest, entry.key);
            }
            front_ = smallest;
            moving_.swap(buckets_[lowest]);
            for (const Entry& entry : moving_) {
                buckets_[bucketOf(entry.key)].push_back(entry);
            }
            moving_.clear();
        }
        return buckets_[0].back();
    }

    std::array<std::vector<Entry>, 65> buckets_;
    std::vector<Entry> moving_;
    std::vector<Entry> early_;  // a heap, by key
    std::uint64_t front_ = 0;
    std::int64_t lastTaken_ = 0;
    std::size_t size_ = 0;
};

}  // namespace poolscope
