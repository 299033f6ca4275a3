#include "recording/EventBlockCodec.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>

#include "diagnostics/AllocationEvents.h"
#include "recording/RecordingError.h"

namespace poolscope {

namespace {

// The columns, in the order a block stores them. Encoding 1 has the first fourteen; encoding 2
// adds the last three.
enum Column : std::size_t {
    Kind,
    Time,
    // Encoding 1: every event's allocation id. Encoding 2: a free's, from the id of the
    // allocation made or freed before it (a free follows its allocation, or frees one after
    // another in the order they were made), and the id of the other kinds (a collection's
    // sequence number, an object's address).
    Allocation,
    Bytes,
    Value,
    // Encoding 1: every event's value2. Encoding 2: that of the events that make no
    // allocation, a free's address among them when its allocation is in an earlier block.
    Value2,
    Stack,
    Thread,
    Slot,
    ChunkIndex,
    ChunkCount,
    Source,
    Tier,
    // 1 where the event's bytes, value, value2 and stack id are those of the allocation's
    // event before it in the block (a free repeats its allocation's): they are then left out
    // of their columns.
    Repeat,
    // Encoding 2: the id of each event that makes an allocation, from the one made before.
    Made,
    // Encoding 2: the address of an allocation that reuses no recently freed one, from the
    // address of the allocation made before.
    Address,
    // Encoding 2: for an allocation, 0, or k when its address is the k-th most recently freed
    // one of its thread and size (see FreedAddresses).
    Reuse,
    kColumns
};

constexpr std::size_t kColumnsOfEncoding1 = Repeat + 1;

std::size_t columnsOf(int encoding) {
    return encoding == 1 ? kColumnsOfEncoding1 : kColumns;
}

// The allocation's event before, found by the allocation id's low bits: direct-mapped, so that
// encoder and decoder agree on it without hashing, and most frees find their allocation,
// which came shortly before.
class RecentAllocations {
public:
    RecentAllocations() : slots_(kSlots) {}

    const MemoryEvent* find(AllocationId id) const {
        const Slot& slot = slots_[id & (kSlots - 1)];
        return slot.event != nullptr && slot.event->allocationId == id ? slot.event : nullptr;
    }
    // `event` must stay where it is while the block is encoded or decoded.
    void note(const MemoryEvent& event) {
        if (event.allocationId != 0) {
            slots_[event.allocationId & (kSlots - 1)].event = &event;
        }
    }

private:
    static constexpr std::size_t kSlots = 1u << 14;
    struct Slot {
        const MemoryEvent* event = nullptr;
    };
    std::vector<Slot> slots_;
};

// The same for a decode of the fields an allocation analysis reads: the size and stack a
// repeat copies are kept in the table itself, which stays in cache, where reading them from
// the allocation's event, decoded up to a block before, cost a cache miss for most frees.
class RecentSizesAndStacks {
public:
    struct Slot {
        AllocationId allocationId = 0;  // 0: none, as no event of allocation 0 is noted
        std::uint64_t bytes = 0;
        StackId stackId = 0;
    };

    RecentSizesAndStacks() : slots_(kSlots) {}

    const Slot* find(AllocationId id) const {
        const Slot& slot = slots_[id & (kSlots - 1)];
        return id != 0 && slot.allocationId == id ? &slot : nullptr;
    }
    void note(const MemoryEvent& event) {
        if (event.allocationId != 0) {
            slots_[event.allocationId & (kSlots - 1)] = {event.allocationId, event.bytes,
                                                         event.stackId};
        }
    }

private:
    static constexpr std::size_t kSlots = 1u << 14;
    std::vector<Slot> slots_;
};

// The addresses each thread freed last in each size class, newest first. An allocator hands a
// thread back what it freed a moment ago in the same size class (glibc's per-thread caches hold
// seven of a class; most other allocators' free lists are last in, first out too): such an
// allocation's address is written as its rank among those, one small number where an address
// takes several bytes that zstd cannot shrink. Encoder and decoder see the same events in the
// same order, so both keep the same lists.
class FreedAddresses {
public:
    FreedAddresses() : rings_(kRings) {}

    void freed(std::uint32_t thread, std::uint64_t address, std::uint64_t bytes) {
        Ring& ring = of(thread, bytes);
        if (ring.count == kDepth) {
            ring.start = (ring.start + 1) & (kDepth - 1);
            ring.count -= 1;
        }
        ring.addresses[(ring.start + ring.count) & (kDepth - 1)] = address;
        ring.count += 1;
    }

    // The rank of `address` among the thread's freed addresses of the class of `bytes`,
    // newest 1, taken off the list; 0 when it is not there.
    std::uint64_t take(std::uint32_t thread, std::uint64_t address, std::uint64_t bytes) {
        Ring& ring = of(thread, bytes);
        for (std::uint32_t rank = 1; rank <= ring.count; ++rank) {
            if (ring.at(ring.count - rank) == address) {
                ring.remove(ring.count - rank);
                return rank;
            }
        }
        return 0;
    }

    // The address of the given rank, taken off the list; false when the list has no such.
    bool addressOf(std::uint32_t thread, std::uint64_t bytes, std::uint64_t rank,
                   std::uint64_t& address) {
        Ring& ring = of(thread, bytes);
        if (rank > ring.count) {
            return false;
        }
        const auto at = static_cast<std::uint32_t>(ring.count - rank);
        address = ring.at(at);
        ring.remove(at);
        return true;
    }

private:
    static constexpr std::uint32_t kRings = 1024;  // thread and size class pairs, by a hash
    static constexpr std::uint32_t kDepth = 8;     // a power of two
    struct Ring {
        std::uint64_t sizeClass = 0;
        std::uint32_t thread = 0;
        bool used = false;
        std::uint32_t start = 0;
        std::uint32_t count = 0;
        std::array<std::uint64_t, kDepth> addresses{};

        // The i-th oldest address.
        std::uint64_t& at(std::uint32_t i) { return addresses[(start + i) & (kDepth - 1)]; }
        void remove(std::uint32_t i) {
            for (; i + 1 < count; ++i) {
                at(i) = at(i + 1);
            }
            count -= 1;
        }
    };

    // What a malloc rounds a request to: glibc adds an 8-byte header and rounds to 16 bytes.
    // Wrapping for sizes near 2^64 is harmless: both sides wrap alike.
    static std::uint64_t sizeClass(std::uint64_t bytes) { return (bytes + 23) >> 4; }

    // A pair sharing its ring's slot with another starts the ring afresh.
    Ring& of(std::uint32_t thread, std::uint64_t bytes) {
        const std::uint64_t sizeClass = FreedAddresses::sizeClass(bytes);
        const std::uint64_t key = (sizeClass * 0x9E3779B97F4A7C15ull) ^ thread;
        Ring& ring = rings_[(key * 0xC2B2AE3D27D4EB4Full) >> 54];
        if (!ring.used || ring.thread != thread || ring.sizeClass != sizeClass) {
            ring.used = true;
            ring.thread = thread;
            ring.sizeClass = sizeClass;
            ring.start = 0;
            ring.count = 0;
        }
        return ring;
    }

    std::vector<Ring> rings_;
};

bool repeats(const MemoryEvent& event, const MemoryEvent* before) {
    return before != nullptr && before->bytes == event.bytes && before->value == event.value &&
           before->value2 == event.value2 && before->stackId == event.stackId;
}

constexpr std::size_t kMaxVarintBytes = 10;

// One column written into memory that holds its longest varints: no check a byte, as a
// vector's push_back makes, on the writer's thread that must keep up with a busy program.
class ColumnWriter {
public:
    explicit ColumnWriter(unsigned char* begin) : begin_(begin), at_(begin) {}
    void put(std::uint64_t value) {
        while (value >= 0x80) {
            *at_++ = static_cast<unsigned char>(value | 0x80);
            value >>= 7;
        }
        *at_++ = static_cast<unsigned char>(value);
    }
    const unsigned char* begin() const { return begin_; }
    std::size_t size() const { return static_cast<std::size_t>(at_ - begin_); }

private:
    unsigned char* begin_;
    unsigned char* at_;
};

void putVarint(std::vector<unsigned char>& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<unsigned char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<unsigned char>(value));
}

std::uint64_t zigzag(std::int64_t value) {
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
    return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

// A rising field (times, ids, addresses) as the signed step from the event before, wrapping
// as unsigned numbers do, so that every 64-bit value round-trips.
std::uint64_t step(std::uint64_t value, std::uint64_t previous) {
    return zigzag(static_cast<std::int64_t>(value - previous));
}

// What a decode found wrong, before the caller names the file and block.
struct BlockDamage {
    std::string problem;
};

// A varint of four bytes or more, or one near its column's end, read from `at`: apart from
// ColumnReader::next(), so that next() stays small enough to inline.
struct LongerVarint {
    std::uint64_t value = 0;
    const unsigned char* after = nullptr;
};

[[gnu::noinline]] LongerVarint readLongerVarint(const unsigned char* at, const unsigned char* end,
                                                const char* name) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
        if (at == end) {
            throw BlockDamage{std::string("its ") + name + " column ends early"};
        }
        const unsigned char byte = *at++;
        if (i == kMaxVarintBytes - 1 && byte > 1) {
            break;  // past 64 bits
        }
        value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            return {value, at};
        }
    }
    throw BlockDamage{std::string("its ") + name + " column holds a number over 64 bits"};
}

[[noreturn, gnu::noinline]] void refuseTooLarge(const char* name, std::uint64_t value,
                                                std::uint64_t max) {
    throw BlockDamage{std::string("its ") + name + " column holds " + std::to_string(value) +
                      ", more than the field holds (" + std::to_string(max) + ")"};
}

// Reads one column's varints, refusing any that runs past the column or past 64 bits. Every
// member is inlined and none hands its address on: a reader's position then stays in a
// register or on the stack, where the compiler knows that a decoded event's byte-sized fields
// (kind, tier), which may alias anything, do not overwrite it, and need not read it again
// after each store.
class ColumnReader {
public:
    ColumnReader() = default;
    ColumnReader(const unsigned char* begin, const unsigned char* end, const char* name)
        : at_(begin), end_(end), name_(name) {}

    // Most numbers of a block fit in one to three bytes, read here without a check a byte
    // while the column holds a longest varint more.
    [[gnu::always_inline]] std::uint64_t next() {
        if (end_ - at_ >= static_cast<std::ptrdiff_t>(kMaxVarintBytes)) [[likely]] {
            std::uint64_t byte = at_[0];
            if (byte < 0x80) {
                at_ += 1;
                return byte;
            }
            std::uint64_t value = byte & 0x7f;
            byte = at_[1];
            value |= (byte & 0x7f) << 7;
            if (byte < 0x80) {
                at_ += 2;
                return value;
            }
            byte = at_[2];
            value |= (byte & 0x7f) << 14;
            if (byte < 0x80) {
                at_ += 3;
                return value;
            }
        }
        const LongerVarint longer = readLongerVarint(at_, end_, name_);
        at_ = longer.after;
        return longer.value;
    }

    [[gnu::always_inline]] std::uint64_t next(std::uint64_t max) {
        const std::uint64_t value = next();
        if (value > max) [[unlikely]] {
            refuseTooLarge(name_, value, max);
        }
        return value;
    }

    [[gnu::always_inline]] const unsigned char* position() const { return at_; }
    // Only after checking that `bytes` are left.
    [[gnu::always_inline]] void skip(std::size_t bytes) { at_ += bytes; }

    [[gnu::always_inline]] void expectEnd() const {
        if (at_ != end_) {
            throw BlockDamage{std::string("its ") + name_ + " column holds more than its events"};
        }
    }

private:
    const unsigned char* at_ = nullptr;
    const unsigned char* end_ = nullptr;
    const char* name_ = "";
};

constexpr std::array<const char*, kColumns> kColumnNames{
    "kind",     "time",   "allocation id", "bytes",       "value",       "value2",
    "stack id", "thread", "slot",          "chunk index", "chunk count", "source id",
    "tier",     "repeat", "made id",       "address",     "reuse"};

// The most a block's columns can take for `events` events: every varint at its longest.
std::uint64_t largestColumns(std::uint64_t events) {
    return kMaxVarintBytes + kColumns * (kMaxVarintBytes + events * kMaxVarintBytes);
}

// Where each kind of event takes its allocation id and its value2 from, in encoding 2: an
// allocation's id rises by one from the last made, a free's lies near the id of the allocation
// made or freed before it, and the other kinds number their own.
enum class Role { Makes, Ends, Other };

Role roleOf(MemoryEventKind kind) {
    return isAllocation(kind) ? Role::Makes : isFree(kind) ? Role::Ends : Role::Other;
}

// Into `events`, whose memory is reused from block to block: every field of every event is
// written, those `Fields` leaves out as their defaults.
template <EventBlockCodec::Fields kFields>
void decodeColumns(const std::vector<unsigned char>& raw, std::size_t eventCount, int encoding,
                   std::vector<MemoryEvent>& events) {
    constexpr bool kAll = kFields == EventBlockCodec::Fields::All;
    const unsigned char* const end = raw.data() + raw.size();
    ColumnReader header(raw.data(), end, "header");
    const std::uint64_t stored = header.next();
    if (stored != eventCount) {
        throw BlockDamage{"it holds " + std::to_string(stored) + " events, its row says " +
                          std::to_string(eventCount)};
    }
    const std::size_t columnCount = columnsOf(encoding);
    std::array<ColumnReader, kColumns> columns;
    for (std::size_t c = 0; c < columnCount; ++c) {
        const std::uint64_t length = header.next();
        const unsigned char* const at = header.position();
        if (length > static_cast<std::uint64_t>(end - at)) {
            throw BlockDamage{std::string("its ") + kColumnNames[c] + " column of " +
                              std::to_string(length) + " bytes runs past the block's end"};
        }
        columns[c] = ColumnReader(at, at + length, kColumnNames[c]);
        header.skip(static_cast<std::size_t>(length));
    }
    if (header.position() != end) {
        throw BlockDamage{"it holds bytes after its last column"};
    }

    constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
    const bool byRole = encoding >= 2;
    events.resize(eventCount);
    std::conditional_t<kAll, RecentAllocations, RecentSizesAndStacks> recent;
    FreedAddresses freed;
    std::uint64_t time = 0;
    std::uint64_t allocation = 0;  // encoding 1: every event's; 2: the other kinds'
    std::uint64_t made = 0;
    std::uint64_t lastAllocation = 0;  // the id of the last allocation made or freed
    std::uint64_t address = 0;  // encoding 1: every event's value2; 2: the fresh allocations'
    std::uint64_t otherValue2 = 0;
    for (MemoryEvent& event : events) {
        if constexpr (!kAll) {
            event = MemoryEvent{};
        }
        event.kind = static_cast<MemoryEventKind>(columns[Kind].next(UINT8_MAX));
        time += static_cast<std::uint64_t>(unzigzag(columns[Time].next()));
        event.timeNanoseconds = static_cast<std::int64_t>(time);
        const Role role = byRole ? roleOf(event.kind) : Role::Other;
        if (role == Role::Makes) {
            made += static_cast<std::uint64_t>(unzigzag(columns[Made].next()));
            event.allocationId = made;
            lastAllocation = made;
        } else if (role == Role::Ends) {
            lastAllocation += static_cast<std::uint64_t>(unzigzag(columns[Allocation].next()));
            event.allocationId = lastAllocation;
        } else {
            allocation += static_cast<std::uint64_t>(unzigzag(columns[Allocation].next()));
            event.allocationId = allocation;
        }
        event.threadId = static_cast<std::uint32_t>(columns[Thread].next(kU32));
        if (columns[Repeat].next(1) == 1) {
            const auto* before = recent.find(event.allocationId);
            if (event.allocationId == 0 || before == nullptr) {
                throw BlockDamage{"its repeat column refers to an earlier event of allocation " +
                                  std::to_string(event.allocationId) +
                                  " that the block does not hold"};
            }
            event.bytes = before->bytes;
            event.stackId = before->stackId;
            if constexpr (kAll) {
                event.value = before->value;
                event.value2 = before->value2;
            } else {
                recent.note(event);
                event.tier = static_cast<MemoryTier>(columns[Tier].next(UINT8_MAX));
                continue;
            }
        } else {
            event.bytes = columns[Bytes].next();
            if constexpr (!kAll) {
                event.stackId = static_cast<StackId>(columns[Stack].next(kU32));
                recent.note(event);
                event.tier = static_cast<MemoryTier>(columns[Tier].next(UINT8_MAX));
                continue;
            }
            event.value = columns[Value].next();
            if (role == Role::Makes) {
                const std::uint64_t rank = columns[Reuse].next();
                if (rank == 0) {
                    address += static_cast<std::uint64_t>(unzigzag(columns[Address].next()));
                    event.value2 = address;
                } else if (!freed.addressOf(event.threadId, event.bytes, rank, event.value2)) {
                    throw BlockDamage{"its reuse column names the address freed " +
                                      std::to_string(rank) + " frees of its size back by thread " +
                                      std::to_string(event.threadId) +
                                      ", which the block does not hold"};
                }
            } else if (byRole) {
                otherValue2 += static_cast<std::uint64_t>(unzigzag(columns[Value2].next()));
                event.value2 = otherValue2;
            } else {
                address += static_cast<std::uint64_t>(unzigzag(columns[Value2].next()));
                event.value2 = address;
            }
            event.stackId = static_cast<StackId>(columns[Stack].next(kU32));
        }
        const std::int64_t slot = unzigzag(columns[Slot].next());
        if (slot < INT32_MIN || slot > INT32_MAX) {
            throw BlockDamage{"its slot column holds " + std::to_string(slot) +
                              ", outside a slot's range"};
        }
        event.slot = static_cast<std::int32_t>(slot);
        event.chunkIndex = static_cast<std::uint32_t>(columns[ChunkIndex].next(kU32));
        event.chunkCount = static_cast<std::uint32_t>(columns[ChunkCount].next(kU32));
        event.sourceId = static_cast<std::uint16_t>(columns[Source].next(UINT16_MAX));
        event.tier = static_cast<MemoryTier>(columns[Tier].next(UINT8_MAX));
        if (role == Role::Ends) {
            freed.freed(event.threadId, event.value2, event.bytes);
        }
        recent.note(event);
    }
    for (std::size_t c = 0; c < columnCount; ++c) {
        if (kAll || c == Kind || c == Time || c == Allocation || c == Made || c == Thread ||
            c == Repeat || c == Bytes || c == Stack || c == Tier) {
            columns[c].expectEnd();
        }
    }
}

}  // namespace

EventBlockCodec::EventBlockCodec(int level)
    : level_(level), compressor_(nullptr, ZSTD_freeCCtx), decompressor_(nullptr, ZSTD_freeDCtx) {}

EventBlockCodec::~EventBlockCodec() = default;

std::vector<unsigned char> EventBlockCodec::encode(std::span<const MemoryEvent> events) {
    if (events.size() > kMaxEvents) {
        throw RecordingError("an event block of " + std::to_string(events.size()) +
                             " events is more than a block holds (" + std::to_string(kMaxEvents) +
                             ")");
    }
    const std::size_t columnBytes = std::max<std::size_t>(events.size(), 1) * kMaxVarintBytes;
    if (scratchBytes_ < kColumns * columnBytes) {
        scratchBytes_ = kColumns * columnBytes;
        scratch_.reset(new unsigned char[scratchBytes_]);
    }
    std::vector<ColumnWriter> columns;
    columns.reserve(kColumns);
    for (std::size_t c = 0; c < kColumns; ++c) {
        columns.emplace_back(scratch_.get() + c * columnBytes);
    }
    RecentAllocations recent;
    FreedAddresses freed;
    std::uint64_t time = 0;
    std::uint64_t allocation = 0;
    std::uint64_t made = 0;
    std::uint64_t lastAllocation = 0;
    std::uint64_t address = 0;
    std::uint64_t otherValue2 = 0;
    for (const MemoryEvent& event : events) {
        columns[Kind].put(static_cast<std::uint8_t>(event.kind));
        columns[Time].put(step(static_cast<std::uint64_t>(event.timeNanoseconds), time));
        time = static_cast<std::uint64_t>(event.timeNanoseconds);
        const Role role = roleOf(event.kind);
        if (role == Role::Makes) {
            columns[Made].put(step(event.allocationId, made));
            made = event.allocationId;
            lastAllocation = made;
        } else if (role == Role::Ends) {
            columns[Allocation].put(step(event.allocationId, lastAllocation));
            lastAllocation = event.allocationId;
        } else {
            columns[Allocation].put(step(event.allocationId, allocation));
            allocation = event.allocationId;
        }
        columns[Thread].put(event.threadId);
        const bool repeated =
            event.allocationId != 0 && repeats(event, recent.find(event.allocationId));
        columns[Repeat].put(repeated ? 1 : 0);
        if (!repeated) {
            columns[Bytes].put(event.bytes);
            columns[Value].put(event.value);
            if (role == Role::Makes) {
                const std::uint64_t rank = freed.take(event.threadId, event.value2, event.bytes);
                columns[Reuse].put(rank);
                if (rank == 0) {
                    columns[Address].put(step(event.value2, address));
                    address = event.value2;
                }
            } else {
                columns[Value2].put(step(event.value2, otherValue2));
                otherValue2 = event.value2;
            }
            columns[Stack].put(event.stackId);
        }
        columns[Slot].put(zigzag(event.slot));
        columns[ChunkIndex].put(event.chunkIndex);
        columns[ChunkCount].put(event.chunkCount);
        columns[Source].put(event.sourceId);
        columns[Tier].put(static_cast<std::uint8_t>(event.tier));
        if (role == Role::Ends) {
            freed.freed(event.threadId, event.value2, event.bytes);
        }
        recent.note(event);
    }
    columns_.clear();
    putVarint(columns_, events.size());
    for (const ColumnWriter& column : columns) {
        putVarint(columns_, column.size());
        columns_.insert(columns_.end(), column.begin(), column.begin() + column.size());
    }

    if (!compressor_) {
        compressor_.reset(ZSTD_createCCtx());
        if (!compressor_) {
            throw RecordingError("zstd could not make a compression context");
        }
        ZSTD_CCtx_setParameter(compressor_.get(), ZSTD_c_compressionLevel, level_);
        // The checksum is how a reader tells a garbled block from a sound one.
        ZSTD_CCtx_setParameter(compressor_.get(), ZSTD_c_checksumFlag, 1);
    }
    std::vector<unsigned char> data(ZSTD_compressBound(columns_.size()));
    const std::size_t written = ZSTD_compress2(compressor_.get(), data.data(), data.size(),
                                               columns_.data(), columns_.size());
    if (ZSTD_isError(written)) {
        throw RecordingError(std::string("zstd could not compress an event block: ") +
                             ZSTD_getErrorName(written));
    }
    data.resize(written);
    return data;
}

std::vector<MemoryEvent> EventBlockCodec::decode(std::span<const unsigned char> data,
                                                 std::int64_t eventCount, int encoding,
                                                 const std::string& path,
                                                 std::int64_t firstSequence) {
    std::vector<MemoryEvent> events;
    decode(data, eventCount, encoding, path, firstSequence, events);
    return events;
}

void EventBlockCodec::decode(std::span<const unsigned char> data, std::int64_t eventCount,
                             int encoding, const std::string& path, std::int64_t firstSequence,
                             std::vector<MemoryEvent>& events, Fields fields) {
    const auto refuse = [&](const std::string& problem) {
        return RecordingError(path + " is corrupt: its event block from event " +
                              std::to_string(firstSequence) + " " + problem);
    };
    if (encoding < 1 || encoding > kEncoding) {
        throw refuse("has encoding " + std::to_string(encoding) + ", which this PoolScope " +
                     "does not know (it reads encodings 1 to " + std::to_string(kEncoding) + ")");
    }
    if (eventCount < 1 || static_cast<std::uint64_t>(eventCount) > kMaxEvents) {
        throw refuse("counts " + std::to_string(eventCount) + " events (a block holds 1 to " +
                     std::to_string(kMaxEvents) + ")");
    }
    // The declared size is checked against what the events can take before any allocation:
    // a garbled header must not make a reader ask for gigabytes.
    const unsigned long long declared = ZSTD_getFrameContentSize(data.data(), data.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        throw refuse("is not a zstd frame of known size (" + std::to_string(data.size()) +
                     " bytes)");
    }
    if (declared > largestColumns(static_cast<std::uint64_t>(eventCount))) {
        throw refuse("declares " + std::to_string(declared) + " bytes, more than " +
                     std::to_string(eventCount) + " events can take");
    }
    const std::size_t frame = ZSTD_findFrameCompressedSize(data.data(), data.size());
    if (ZSTD_isError(frame)) {
        throw refuse(std::string("is truncated: ") + ZSTD_getErrorName(frame));
    }
    if (frame != data.size()) {
        throw refuse("holds " + std::to_string(data.size() - frame) +
                     " bytes after its compressed events");
    }
    if (!decompressor_) {
        decompressor_.reset(ZSTD_createDCtx());
        if (!decompressor_) {
            throw RecordingError("zstd could not make a decompression context");
        }
    }
    std::vector<unsigned char>& raw = raw_;
    raw.resize(static_cast<std::size_t>(declared));
    const std::size_t read =
        ZSTD_decompressDCtx(decompressor_.get(), raw.data(), raw.size(), data.data(), data.size());
    if (ZSTD_isError(read)) {
        throw refuse(std::string("does not decompress: ") + ZSTD_getErrorName(read));
    }
    if (read != raw.size()) {
        throw refuse("decompresses to " + std::to_string(read) + " bytes, it declares " +
                     std::to_string(raw.size()));
    }
    try {
        if (fields == Fields::All) {
            decodeColumns<Fields::All>(raw, static_cast<std::size_t>(eventCount), encoding, events);
        } else {
            decodeColumns<Fields::Allocations>(raw, static_cast<std::size_t>(eventCount), encoding,
                                               events);
        }
    } catch (const BlockDamage& damage) {
        throw refuse(damage.problem);
    }
}

}  // namespace poolscope
