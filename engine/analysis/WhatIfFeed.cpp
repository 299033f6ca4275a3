#include "analysis/WhatIfFeed.h"

#include <utility>

namespace poolscope {

WhatIfStreamFeed::WhatIfStreamFeed(Decode decode)
    : decode_(std::move(decode)), decoding_([this] { this->decode(); }) {}

WhatIfStreamFeed::~WhatIfStreamFeed() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    decoding_.join();
}

std::span<const WhatIfBuffer> WhatIfStreamFeed::next() {
    std::unique_lock lock(mutex_);
    released_ = taken_;  // the chunk handed out before is done with
    changed_.notify_all();
    changed_.wait(lock, [this] { return decoded_ > taken_ || finished_; });
    if (decoded_ == taken_) {
        if (error_) {
            std::rethrow_exception(error_);
        }
        return {};
    }
    return chunks_[taken_++ % kChunks];
}

void WhatIfStreamFeed::decode() {
    std::vector<WhatIfBuffer> chunk;
    std::exception_ptr error;
    try {
        for (;;) {
            decode_(chunk, kChunk);
            if (chunk.empty()) {
                break;
            }
            std::unique_lock lock(mutex_);
            // A slot is refilled once the replay is done with the chunk it held.
            changed_.wait(lock, [this] { return stop_ || decoded_ - released_ < kChunks; });
            if (stop_) {
                return;
            }
            chunks_[decoded_ % kChunks].swap(chunk);
            ++decoded_;
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

}  // namespace poolscope
