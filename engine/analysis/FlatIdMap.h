#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace poolscope {

// A map from 64-bit ids (allocation ids, stack ids, thread ids) to small values, kept in one
// array with linear probing: a recording's analysis looks an id up for every event, and the
// node of a std::unordered_map costs an allocation per insert and a cache miss per lookup.
// Erasing shifts the entries after it back, so that lookups never wade through tombstones in
// a map whose entries come and go millions of times. Any key may be stored, 0 as well.
template <typename Value>
class FlatIdMap {
public:
    FlatIdMap() { rehash(16); }

    std::size_t size() const { return size_; }

    // The value of `key`, or nullptr.
    Value* find(std::uint64_t key) {
        for (std::size_t at = home(key);; at = (at + 1) & mask_) {
            Entry& entry = entries_[at];
            if (!entry.used) {
                return nullptr;
            }
            if (entry.key == key) {
                return &entry.value;
            }
        }
    }

    const Value* find(std::uint64_t key) const { return const_cast<FlatIdMap*>(this)->find(key); }

    // Asks the processor for the entry `key` is looked up at first and the one after it,
    // without waiting: a caller that knows its next keys hides the cache misses of a lookup
    // behind the work before it. A lookup that misses, and an erase, read on into the next
    // entry, which often starts on the next cache line.
    void prefetch(std::uint64_t key) const {
        const std::size_t at = home(key);
        __builtin_prefetch(&entries_[at]);
        const Entry& next = entries_[(at + 1) & mask_];
        __builtin_prefetch(&next.key);
        __builtin_prefetch(&next.used);
    }

    // The value of `key`, made from `made` when the map has none; true when it was made.
    std::pair<Value*, bool> tryEmplace(std::uint64_t key, const Value& made) {
        // At most half full: linear probing's misses (every insert is one) wade through
        // several times more entries at three quarters full.
        if ((size_ + 1) * 2 > entries_.size()) {
            rehash(entries_.size() * 2);
        }
        std::size_t at = home(key);
        for (;; at = (at + 1) & mask_) {
            Entry& entry = entries_[at];
            if (!entry.used) {
                break;
            }
            if (entry.key == key) {
                return {&entry.value, false};
            }
        }
        entries_[at] = Entry{key, made, true};
        ++size_;
        return {&entries_[at].value, true};
    }

    // Removes `key`, which must be in the map; pointers to other values may move.
    void erase(std::uint64_t key) {
        std::size_t hole = home(key);
        while (entries_[hole].key != key || !entries_[hole].used) {
            hole = (hole + 1) & mask_;
        }
        // Every entry after the hole that probing could not reach past the hole moves into it.
        for (std::size_t at = (hole + 1) & mask_; entries_[at].used; at = (at + 1) & mask_) {
            const std::size_t wanted = home(entries_[at].key);
            if (((at - wanted) & mask_) >= ((at - hole) & mask_)) {
                entries_[hole] = entries_[at];
                hole = at;
            }
        }
        entries_[hole].used = false;
        --size_;
    }

    template <typename Visit>
    void forEach(Visit&& visit) const {
        for (const Entry& entry : entries_) {
            if (entry.used) {
                visit(entry.key, entry.value);
            }
        }
    }

    void clear() {
        entries_.clear();  // rehash() would move the entries over
        rehash(16);
    }

private:
    struct Entry {
        std::uint64_t key = 0;
        Value value{};
        bool used = false;
    };

    // Fibonacci hashing: consecutive ids, as allocation ids are, spread over the whole array.
    std::size_t home(std::uint64_t key) const {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    void rehash(std::size_t capacity) {
        std::vector<Entry> old = std::move(entries_);
        entries_.assign(capacity, Entry{});
        mask_ = capacity - 1;
        shift_ = 64 - std::countr_zero(capacity);
        size_ = 0;
        for (const Entry& entry : old) {
            if (entry.used) {
                tryEmplace(entry.key, entry.value);
            }
        }
    }

    std::vector<Entry> entries_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;
};

}  // namespace poolscope
