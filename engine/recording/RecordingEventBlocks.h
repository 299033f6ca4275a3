#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>

#include "diagnostics/MemoryEvent.h"
#include "recording/EventBlockCodec.h"

namespace poolscope {

class RecordingReader;

// A recording's events block by block, in order, decoded on threads of their own: decoding
// (zstd and the columns) is most of what reading a version 3 recording costs, and its blocks
// decode independently, so a machine's cores decode several at once while the calling thread
// visits the events of the one before. `visit` runs on the calling thread, one block at a
// time, returns false to stop there, and must not read events from `reader` itself. A recording
// before version 3 is read page by page (RecordingEventPages). A damaged block is the
// RecordingError reading it sequentially gives, thrown after the blocks before it were visited.
class RecordingEventBlocks {
public:
    using Visit = std::function<bool(std::span<const MemoryEvent>)>;

    // `decoders` threads decode (0: one a core, at most four). From the event after
    // `afterSequence` (a version 3 recording; an older one is read from its start). Blocks
    // that begin at event `oneAtATimeFrom` or later are read one at a time, each once every
    // block before it was visited: a caller likely to stop there decodes none for nothing.
    // `fields`: the fields the blocks' events are decoded with (a recording before version 3
    // gives all of them).
    static void forEach(const RecordingReader& reader, const Visit& visit, unsigned decoders = 0,
                        std::int64_t afterSequence = 0,
                        std::int64_t oneAtATimeFrom = std::numeric_limits<std::int64_t>::max(),
                        EventBlockCodec::Fields fields = EventBlockCodec::Fields::All);
};

}  // namespace poolscope
