#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "analysis/PendingFrees.h"
#include "analysis/StackIndex.h"
#include "analysis/WhatIfCollector.h"

namespace poolscope {

// One step of the what-if replay, in the recording's order: a large buffer made, a buffer
// freed, or the pool's retained chunks released.
struct WhatIfStep {
    enum class Kind : std::uint8_t { Make, Free, Release };

    Kind kind = Kind::Make;
    // The buffer's slot, which its free names too; a freed buffer's slot is another's later.
    std::uint32_t slot = 0;
    // Make: its call site, an index into WhatIfSteps::siteStacks().
    std::uint32_t site = 0;
    std::int64_t nanoseconds = 0;
    // Make: its bytes and pieces (the mappings or chunks the recording shows), and the chunks
    // the pool is asked for (as many as the recorded pool gave it, or as its bytes fill).
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::uint64_t chunks = 0;
};

// Puts a recording's large buffers, given in the order they were made, and its releases into
// the order the replay takes them: each step is the next of the buffers' makings, their frees
// (the earliest pending) and the releases, each buffer with a slot and its call site numbered.
// None of it needs the pool model: run on a thread of its own (ChunkFeed), between the buffers'
// decoding and the replay, it takes that work off both, which a recording with millions of large
// buffers keeps busy for seconds.
class WhatIfSteps {
public:
    // The next buffers into `chunk` (replacing what it held), about `most` of them, which the
    // steps do not depend on; none after the last. A damaged source throws.
    using Buffers = std::function<void(std::vector<WhatIfBuffer>& chunk, std::size_t most)>;

    // `releases` in order; `chunkBytes`, the pool's chunk size, counts a buffer's chunks.
    WhatIfSteps(Buffers buffers, std::span<const WhatIfRelease> releases, std::uint64_t chunkBytes);

    // The next steps, at most `most`, into `steps` (replacing what it held); none after the
    // last.
    void next(std::vector<WhatIfStep>& steps, std::size_t most);

    // The stack of each call site, by the index the steps give it.
    const std::vector<StackId>& siteStacks() const { return siteStacks_; }

private:
    void refill(std::size_t most);
    std::uint32_t takeSlot();

    Buffers buffers_;
    std::span<const WhatIfRelease> releases_;
    std::uint64_t chunkBytes_;
    std::vector<WhatIfBuffer> chunk_;
    std::vector<std::uint32_t> chunkSites_;  // the site of each buffer of chunk_
    std::size_t at_ = 0;
    bool fed_ = true;
    std::size_t release_ = 0;
    PendingFrees frees_;
    std::vector<std::int64_t> freedNanoseconds_;  // by slot
    std::vector<std::uint32_t> freeSlots_;
    StackIndex siteIndex_;
    std::vector<StackId> siteStacks_;
};

}  // namespace poolscope
