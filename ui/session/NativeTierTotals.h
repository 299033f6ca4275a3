#pragma once

#include <cstdint>

#include "session/SessionSnapshot.h"

namespace poolscope {

// A launched program's heap bytes, mapped bytes and open descriptors, kept from its events for
// the timeline. Like the pool's figures, a sample holds the peak since the sample before, so a
// burst made and freed between two samples still shows.
class NativeTierTotals {
public:
    // Counts the event when it makes or frees something on a native tier.
    void apply(const MemoryEvent& event);
    // Writes the peaks since the last sample into `sample`, and starts the next from now.
    void sampleInto(TimelineSample& sample);

private:
    struct Figures {
        std::uint64_t heapBytes = 0;
        std::uint64_t mappedBytes = 0;
        std::uint64_t descriptors = 0;
    };

    Figures now_;
    Figures peak_;
};

}  // namespace poolscope
