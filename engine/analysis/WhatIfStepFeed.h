#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "analysis/WhatIfSteps.h"

namespace poolscope {

// The replay's steps (WhatIfSteps) made a few chunks ahead on a thread of their own while the
// replay takes the ones before: the buffers decoded from a recording's summary or its resume
// points and put in order there take one core, the pool model the other, and neither holds
// every buffer at once. A chunk stays the replay's until it asks for the next; damage is thrown
// to the replay when it reaches the damaged chunk.
class WhatIfStepFeed {
public:
    static constexpr std::size_t kChunk = 4096;

    // Makes the next steps, at most `most`, into `chunk`; none after the last.
    using Make = std::function<void(std::vector<WhatIfStep>& chunk, std::size_t most)>;

    explicit WhatIfStepFeed(Make make);
    ~WhatIfStepFeed();
    WhatIfStepFeed(const WhatIfStepFeed&) = delete;
    WhatIfStepFeed& operator=(const WhatIfStepFeed&) = delete;

    // The next chunk, empty after the last; valid until the next call.
    std::span<const WhatIfStep> next();

private:
    static constexpr std::uint64_t kChunks = 4;

    void make();

    Make make_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::array<std::vector<WhatIfStep>, kChunks> chunks_;
    std::uint64_t made_ = 0;      // chunks made
    std::uint64_t taken_ = 0;     // chunks handed to the replay
    std::uint64_t released_ = 0;  // chunks the replay is done with
    bool finished_ = false;
    bool stop_ = false;
    std::exception_ptr error_;
    std::thread making_;  // last: it starts once the rest is made
};

}  // namespace poolscope
