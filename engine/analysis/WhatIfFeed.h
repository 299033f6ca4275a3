#pragma once

#include <algorithm>
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

#include "analysis/AnalysisSummaryCodec.h"
#include "analysis/WhatIfCollector.h"

namespace poolscope {

// Buffers in the order they were made, a chunk at a time: from a list, or decoded from a
// recording's summary as the replay goes, which then never holds them all.
class WhatIfFeed {
public:
    static constexpr std::size_t kChunk = 4096;

    virtual ~WhatIfFeed() = default;
    // The next chunk, empty after the last; valid until the next call.
    virtual std::span<const WhatIfBuffer> next() = 0;
};

class WhatIfListFeed final : public WhatIfFeed {
public:
    explicit WhatIfListFeed(std::span<const WhatIfBuffer> buffers) : buffers_(buffers) {}

    std::span<const WhatIfBuffer> next() override {
        const std::size_t count = std::min(kChunk, buffers_.size() - at_);
        const std::span<const WhatIfBuffer> chunk = buffers_.subspan(at_, count);
        at_ += count;
        return chunk;
    }

private:
    std::span<const WhatIfBuffer> buffers_;
    std::size_t at_ = 0;
};

// Buffers decoded a few chunks ahead on a thread of their own while the replay takes the ones
// before (a summary's, or those of a recording's resume points): the two take a core each. A
// chunk stays the replay's until it asks for the next; damage is thrown to the replay when it
// reaches the damaged chunk.
class WhatIfStreamFeed final : public WhatIfFeed {
public:
    // Decodes the next buffers, at most `most`, into `chunk`; none after the last.
    using Decode = std::function<void(std::vector<WhatIfBuffer>& chunk, std::size_t most)>;

    explicit WhatIfStreamFeed(Decode decode);
    ~WhatIfStreamFeed() override;
    WhatIfStreamFeed(const WhatIfStreamFeed&) = delete;
    WhatIfStreamFeed& operator=(const WhatIfStreamFeed&) = delete;

    std::span<const WhatIfBuffer> next() override;

private:
    static constexpr std::uint64_t kChunks = 4;

    void decode();

    Decode decode_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::array<std::vector<WhatIfBuffer>, kChunks> chunks_;
    std::uint64_t decoded_ = 0;   // chunks decoded
    std::uint64_t taken_ = 0;     // chunks handed to the replay
    std::uint64_t released_ = 0;  // chunks the replay is done with
    bool finished_ = false;
    bool stop_ = false;
    std::exception_ptr error_;
    std::thread decoding_;  // last: it starts once the rest is made
};

}  // namespace poolscope
