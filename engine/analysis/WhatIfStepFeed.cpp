#include "analysis/WhatIfStepFeed.h"

#include <utility>

namespace poolscope {

WhatIfStepFeed::WhatIfStepFeed(Make make)
    : make_(std::move(make)), making_([this] { this->make(); }) {}

WhatIfStepFeed::~WhatIfStepFeed() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    making_.join();
}

std::span<const WhatIfStep> WhatIfStepFeed::next() {
    std::unique_lock lock(mutex_);
    released_ = taken_;  // the chunk handed out before is done with
    changed_.notify_all();
    changed_.wait(lock, [this] { return made_ > taken_ || finished_; });
    if (made_ == taken_) {
        if (error_) {
            std::rethrow_exception(error_);
        }
        return {};
    }
    return chunks_[taken_++ % kChunks];
}

void WhatIfStepFeed::make() {
    std::vector<WhatIfStep> chunk;
    std::exception_ptr error;
    try {
        for (;;) {
            make_(chunk, kChunk);
            if (chunk.empty()) {
                break;
            }
            std::unique_lock lock(mutex_);
            // A slot is refilled once the replay is done with the chunk it held.
            changed_.wait(lock, [this] { return stop_ || made_ - released_ < kChunks; });
            if (stop_) {
                return;
            }
            chunks_[made_ % kChunks].swap(chunk);
            ++made_;
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
