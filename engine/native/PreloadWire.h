#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

// The stream a launched program's interposer (engine/preload, libpoolscope_preload.so) writes to
// the launcher over a pipe. Header-only and allocation-free: the interposer includes it and must
// never call the allocator it hooks, so everything here is plain structs and memcpy.
//
// The stream opens with a Hello, then carries packets: a PacketHeader and `payloadBytes` of
// records. Records are written in one order for the whole process (the interposer appends them
// under one lock, a free before the memory is given back, an allocation after it was made), so the
// reader never sees an address freed before it was made, even across threads. A packet is written
// whole or not at all: when the launcher does not keep up for a bounded time, the interposer drops
// the packet and says how many records it lost in a Dropped record.
//
// Every record starts with a RecordHeader whose `bytes` is the record's whole length, so a reader
// can skip kinds it does not know and refuse a length that does not fit. Integers are
// little-endian (the machine's own: writer and reader run on the same machine).
namespace poolscope::PreloadWire {

inline constexpr char kMagic[8] = {'P', 'S', 'P', 'R', 'E', 'L', 'D', '\n'};
inline constexpr std::uint32_t kVersion = 1;
// Larger packets are refused by the reader before it buffers them.
inline constexpr std::uint32_t kMaxPacketBytes = 1u << 20;
inline constexpr std::uint32_t kMaxStackFrames = 128;
inline constexpr std::uint32_t kMaxPathBytes = 1024;

// The environment the launcher gives the program.
// The write end of a pipe (or a stream socket). The interposer moves it to the top of the
// descriptor table and makes it close-on-exec; a number that is not an open pipe or socket
// leaves the program untracked.
inline constexpr const char* kFdVariable = "POOLSCOPE_PRELOAD_FD";
// Which pipe or socket that is, "DEVICE:INODE" as fstat gives them: a program the traced one
// starts without the interposer's exec hook (posix_spawn, system(), a forked child's exec)
// inherits both variables but not the stream, and the number may hold a pipe of the program's
// own by then (a make jobserver's, a shell pipeline's). The interposer adopts the descriptor
// only when it is this one; without the variable, any pipe or socket is taken.
inline constexpr const char* kStreamVariable = "POOLSCOPE_PRELOAD_STREAM";
// How many frames a stack keeps (default 64, at most kMaxStackFrames); 0 sends no stacks.
inline constexpr const char* kStackDepthVariable = "POOLSCOPE_PRELOAD_STACK_DEPTH";
// How many milliseconds a packet waits for room in a full pipe before it is dropped (default
// 200): the longest the interposer holds the program up for a reader that fell behind.
inline constexpr const char* kDropAfterVariable = "POOLSCOPE_PRELOAD_DROP_AFTER_MS";

struct Hello {
    char magic[8];
    std::uint32_t version;
    std::uint32_t pid;
    std::int64_t startNanoseconds;  // CLOCK_MONOTONIC when the interposer started
    std::uint64_t pageBytes;
};

struct PacketHeader {
    std::uint32_t payloadBytes;
    std::uint32_t records;
};

enum class RecordKind : std::uint8_t {
    Allocate = 1,         // Allocation
    Free = 2,             // Release
    Map = 3,              // Mapping
    Unmap = 4,            // Unmapping
    Remap = 5,            // Remapping
    DescriptorOpen = 6,   // DescriptorOpened, followed by pathBytes of path (no terminator)
    DescriptorClose = 7,  // DescriptorClosed
    Stack = 8,            // StackRecord, followed by `depth` u64 return addresses, innermost first
                          // (the caller of the hooked function first; an address minus one
                          // lies in the call instruction)
    Module = 9,           // ModuleRecord, followed by pathBytes of path
    Dropped = 10,         // DroppedRecords, first in the packet that follows the drop
    Fork = 11,            // ProcessEvent: value = the child's pid; the child is not followed
    Exec = 12,            // ProcessEvent: the program is about to exec, value = 0; a failed
                          // exec follows with value = its errno and the stream goes on. Else
                          // the new image's Hello comes next, if its interposer found the
                          // stream, or the stream ends
    Exit = 13,            // ProcessEvent: a normal exit; value = the status given to exit()
                          // or returned from main (0 when the program never reached main)
    Crash = 14,           // ProcessEvent: a fatal signal; value = the signal
};

// Which call made or released heap memory, so a report can say "new[] freed by free".
enum class HeapCall : std::uint8_t {
    Malloc = 1,
    Calloc,
    Realloc,  // a realloc's new block; its old block arrives as a Free with Realloc, before.
              // realloc(p, 0) that frees leaves only the Free; a failed realloc announces
              // the old block again, with the size the allocator gives it
    PosixMemalign,
    AlignedAlloc,
    Memalign,
    Valloc,
    Pvalloc,
    New,
    NewArray,
    Free,
    Delete,
    DeleteArray,
};

enum class DescriptorCall : std::uint8_t {
    Open = 1,  // open, open64, openat, openat64, creat, creat64
    Fopen,     // fopen, fopen64, fdopen: the descriptor under a FILE (fdopen announces an
               // open descriptor again)
    Socket,
    Accept,
    Pipe,
    Dup,  // dup, dup2, dup3, fcntl(F_DUPFD)
    EventFd,
    Close,
    Fclose,
};

struct RecordHeader {
    RecordKind kind;
    std::uint8_t call;  // HeapCall or DescriptorCall, 0 where neither applies
    std::uint16_t bytes;
    std::uint32_t threadId;  // the kernel's thread id
    // CLOCK_MONOTONIC as of the kernel's last tick (CLOCK_MONOTONIC_COARSE: a few milliseconds'
    // resolution, a fraction of the fine clock's cost); the stream's order says what came first.
    std::int64_t timeNanoseconds;
};

struct Allocation {
    RecordHeader header;
    std::uint64_t address;
    std::uint64_t bytes;
    std::uint32_t stackId;
    std::uint32_t alignment;  // 0 unless the call asked for one
};

struct Release {
    RecordHeader header;
    std::uint64_t address;
};

struct Mapping {
    RecordHeader header;
    std::uint64_t address;
    std::uint64_t bytes;
    std::uint32_t stackId;
    std::int32_t protection;
    std::int32_t flags;
    std::int32_t fd;
};

struct Unmapping {
    RecordHeader header;
    std::uint64_t address;
    std::uint64_t bytes;
};

struct Remapping {
    RecordHeader header;
    std::uint64_t oldAddress;
    std::uint64_t oldBytes;
    std::uint64_t newAddress;
    std::uint64_t newBytes;
    std::uint32_t stackId;
    std::uint32_t reserved;
};

struct DescriptorOpened {
    RecordHeader header;
    std::int32_t fd;
    std::uint32_t stackId;
    std::uint32_t pathBytes;
    std::uint32_t reserved;
};

struct DescriptorClosed {
    RecordHeader header;
    std::int32_t fd;
    std::uint32_t reserved;
};

// A stack, sent once before the first record that names its id (again when the packet that
// carried it was dropped: a reader keeps the first and ignores repeats). Ids start at 1; 0
// means none. After a module was unloaded, the same addresses make a stack with a new id.
struct StackRecord {
    RecordHeader header;
    std::uint32_t stackId;
    std::uint32_t depth;
};

// A loaded object, sent before the first stack with an address in it; objects loaded later
// (dlopen) get their own index when a stack first lands in them. An index is never reused.
struct ModuleRecord {
    RecordHeader header;
    std::uint32_t index;
    std::uint32_t pathBytes;
    std::uint64_t loadAddress;  // dlpi_addr: what an address minus this gives the file offset of
    std::uint64_t startAddress;
    std::uint64_t endAddress;
};

struct DroppedRecords {
    RecordHeader header;
    std::uint64_t records;
};

struct ProcessEvent {
    RecordHeader header;
    std::int64_t value;
};

// Copies a record into `out` and returns the bytes written; the caller checked the room.
template <typename Record>
inline std::size_t put(unsigned char* out, const Record& record) {
    std::memcpy(out, &record, sizeof record);
    return sizeof record;
}

// Reads a record of type Record at `in`; the caller checked that `available` holds it.
template <typename Record>
inline Record get(const unsigned char* in) {
    Record record;
    std::memcpy(&record, in, sizeof record);
    return record;
}

}  // namespace poolscope::PreloadWire
