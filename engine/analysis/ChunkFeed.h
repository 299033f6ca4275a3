#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace poolscope {

// Chunks of a stage's output made a few ahead on a thread of its own while the next stage takes
// the ones before: the what-if replay's stages (the large buffers decoded from a recording's
// summary or resume points, put in order as steps, replayed through the pool model) each keep a
// core busy for seconds on a recording with millions of large buffers, and none holds every
// buffer at once. Chunks change hands by swapping vectors, so nothing is copied and their memory
// is reused. Damage is thrown to the taker when it reaches the damaged chunk.
template <typename Item>
class ChunkFeed {
public:
    static constexpr std::size_t kChunk = 4096;

    // Makes the next items, at most `most`, into `chunk` (replacing what it held); none after
    // the last.
    using Make = std::function<void(std::vector<Item>& chunk, std::size_t most)>;

    explicit ChunkFeed(Make make) : make_(std::move(make)), making_([this] { this->make(); }) {}

    ~ChunkFeed() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        making_.join();
    }

    ChunkFeed(const ChunkFeed&) = delete;
    ChunkFeed& operator=(const ChunkFeed&) = delete;

    // Replaces `chunk` with the next chunk, empty after the last; the vector it held is the
    // maker's to fill again.
    void next(std::vector<Item>& chunk) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return made_ > taken_ || finished_; });
        if (made_ == taken_) {
            if (error_) {
                std::rethrow_exception(error_);
            }
            chunk.clear();
            return;
        }
        chunks_[taken_++ % kChunks].swap(chunk);
        changed_.notify_all();
    }

private:
    static constexpr std::uint64_t kChunks = 4;

    void make() {
        std::vector<Item> chunk;
        std::exception_ptr error;
        try {
            for (;;) {
                make_(chunk, kChunk);
                if (chunk.empty()) {
                    break;
                }
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stop_ || made_ - taken_ < kChunks; });
                if (stop_) {
                    return;
                }
                chunks_[made_++ % kChunks].swap(chunk);
                changed_.notify_all();
            }
        } catch (...) {
            error = std::current_exception();
        }
        const std::lock_guard lock(mutex_);
        error_ = error;
        finished_ = true;
        changed_.notify_all();
    }

    Make make_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Item> chunks_[kChunks];
    std::uint64_t made_ = 0;   // chunks made
    std::uint64_t taken_ = 0;  // chunks taken
    bool finished_ = false;
    bool stop_ = false;
    std::exception_ptr error_;
    std::thread making_;  // last: it starts once the rest is made
};

}  // namespace poolscope
