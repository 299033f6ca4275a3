#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace poolscope {

// One block of a recording's events (table event_blocks) as bytes: the events column by
// column, each field delta or zigzag encoded as varints where that makes its numbers small
// (times and the ids of allocations rise slowly; a free's id lies near that of the allocation
// made or freed before it; most other fields repeat or are zero; a free's size, tag, address and
// stack, the same as its allocation's earlier in the block, are left out; an allocation at an
// address its thread freed a moment ago names it by its rank among the recent frees of its size),
// then compressed with zstd, with its checksum. Storing the columns apart lets zstd find each
// field's repetitions: a block takes a few bytes an event where a row took some forty. The sequence
// numbers are not stored: a block's events are numbered on from its first_seq. Decoding checks
// every size it reads before allocating for it, and a block that does not decode to exactly its
// events is refused, never half read. Each block decodes alone, so blocks decode in parallel.
class EventBlockCodec {
public:
    // The encoding column of event_blocks: what encode() writes. Blocks of encoding 1 (the
    // layout before allocations were told apart from frees) are still read.
    static constexpr int kEncoding = 2;
    // No block holds more; a larger count read from a file is damage.
    static constexpr std::size_t kMaxEvents = 1u << 20;

    // zstd's level: 1 keeps the writer's thread ahead of a program allocating millions of
    // times a second; higher levels save a little more and cost several times the time.
    explicit EventBlockCodec(int level = 1);
    ~EventBlockCodec();
    EventBlockCodec(const EventBlockCodec&) = delete;
    EventBlockCodec& operator=(const EventBlockCodec&) = delete;

    // At most kMaxEvents events (throws RecordingError naming the count otherwise).
    std::vector<unsigned char> encode(std::span<const MemoryEvent> events);
    // The events of a block of `path` numbered from firstSequence, as event_blocks stores it.
    // Throws RecordingError naming the file and the block's first sequence when the block is
    // damaged: truncated, garbled (zstd's checksum), of an unknown encoding, or decoding to
    // another number of events or values out of their fields' range.
    std::vector<MemoryEvent> decode(std::span<const unsigned char> data, std::int64_t eventCount,
                                    int encoding, const std::string& path,
                                    std::int64_t firstSequence);
    // Which fields of the events a decode fills in.
    enum class Fields {
        All,
        // Those an allocation analysis reads (kind, time, allocation id, bytes, stack, thread,
        // tier), the others left at their defaults: the columns of the others are not read,
        // nor the recent frees kept that an address is told from, which makes a decode a
        // third cheaper. Those columns are then not checked either; zstd's checksum still is.
        Allocations,
    };

    // The same into `events`, whose memory is reused: a reader decoding block after block
    // does not fault in fresh pages for each. `events` holds the block's events after, and
    // unspecified events after a throw.
    void decode(std::span<const unsigned char> data, std::int64_t eventCount, int encoding,
                const std::string& path, std::int64_t firstSequence,
                std::vector<MemoryEvent>& events, Fields fields = Fields::All);

private:
    int level_;
    std::unique_ptr<ZSTD_CCtx_s, std::size_t (*)(ZSTD_CCtx_s*)> compressor_;
    std::unique_ptr<ZSTD_DCtx_s, std::size_t (*)(ZSTD_DCtx_s*)> decompressor_;
    std::vector<unsigned char> columns_;  // reused between blocks
    std::vector<unsigned char> raw_;      // a decoded block's columns, reused too
    std::unique_ptr<unsigned char[]> scratch_;
    std::size_t scratchBytes_ = 0;
};

}  // namespace poolscope
