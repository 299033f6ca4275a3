#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/ModuleMap.h"

namespace poolscope {

// The live link's wire format, spoken both ways over a Unix domain socket. Each side opens
// with a hello: the 8 magic bytes "PSLINK\r\n", then the protocol version (u32). Then come
// frames: a type (u8), the payload's length (u32) and the payload. Integers are
// little-endian; a string is its length (u32) and its bytes.
//
// The program says who it is (ProcessInfo) as soon as a viewer connects; a viewer that only
// lists programs reads that and leaves. A viewer that watches sends Attach, and the program
// streams: pools, tags, modules and stacks, each before the first events that name it, then
// events, with a Status now and then; Goodbye when it exits normally. Stacks travel as return
// addresses with their module and offset, so the viewer names them from the program's binaries,
// as a recording's reader does, and the program never spends time on names.
namespace LinkProtocol {

inline constexpr std::uint8_t kMagic[8] = {'P', 'S', 'L', 'I', 'N', 'K', '\r', '\n'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kHelloBytes = sizeof kMagic + sizeof(std::uint32_t);
inline constexpr std::size_t kFrameHeaderBytes = 5;
// A frame longer than this is refused before anything is read into memory for it.
inline constexpr std::uint32_t kMaxFrameBytes = 1u << 21;
inline constexpr std::size_t kEventBytes = 64;
inline constexpr std::uint32_t kMaxEventsPerFrame = (kMaxFrameBytes - 4) / kEventBytes;
inline constexpr std::uint32_t kMaxStringBytes = 4096;
inline constexpr std::uint32_t kMaxStackFrames = 64;
inline constexpr std::uint32_t kNoModule = 0xffffffffu;

}  // namespace LinkProtocol

enum class LinkFrameType : std::uint8_t {
    ProcessInfo = 1,
    Attach = 2,
    Events = 3,
    Module = 4,
    Stack = 5,
    Tag = 6,
    Pool = 7,
    Status = 8,
    Goodbye = 9,
};

const char* linkFrameTypeName(LinkFrameType type);

// Who is on the other end: what the Attach dialog lists.
struct LinkProcessInfo {
    std::uint32_t pid = 0;
    std::int64_t startTimeSeconds = 0;    // since the epoch
    std::int64_t programNanoseconds = 0;  // the program's event clock when it said this
    std::string program;
    std::string allocator;  // the pools it has, in words; empty before it made one

    friend bool operator==(const LinkProcessInfo&, const LinkProcessInfo&) = default;
};

struct LinkAttach {
    friend bool operator==(const LinkAttach&, const LinkAttach&) = default;
};

struct LinkEvents {
    std::vector<MemoryEvent> events;
};

// A module of the program, by the index its stacks name it with.
struct LinkModule {
    std::uint32_t index = 0;
    LoadedModule module;
};

struct LinkStackFrame {
    std::uint64_t address = 0;
    std::optional<std::uint32_t> module;
    std::uint64_t offset = 0;  // the return address's offset into the module

    friend bool operator==(const LinkStackFrame&, const LinkStackFrame&) = default;
};

struct LinkStack {
    StackId id = 0;
    std::vector<LinkStackFrame> frames;  // innermost first
};

struct LinkTag {
    std::uint16_t id = 0;
    std::string name;
};

// A pool the program made, so the viewer can draw its map.
struct LinkPool {
    std::uint16_t sourceId = 0;
    std::int32_t capacityChunks = 0;
    std::uint64_t chunkBytes = 0;
    std::string allocator;
};

struct LinkStatus {
    std::int64_t programNanoseconds = 0;
    std::uint64_t engineDroppedEvents = 0;  // the program's event queue was full
    std::uint64_t linkDroppedEvents = 0;    // this viewer's buffer was full
    std::int64_t undisposedAllocations = 0;
};

struct LinkGoodbye {};

using LinkFrame = std::variant<LinkProcessInfo, LinkAttach, LinkEvents, LinkModule, LinkStack,
                               LinkTag, LinkPool, LinkStatus, LinkGoodbye>;

// The type a frame travels as: the variant lists the types in their numeric order.
inline LinkFrameType linkFrameType(const LinkFrame& frame) {
    return static_cast<LinkFrameType>(frame.index() + 1);
}

// Appends the hello and frames to a byte buffer, as the decoder reads them.
class LinkEncoder {
public:
    using Bytes = std::vector<std::uint8_t>;

    static void hello(Bytes& out);
    static void frame(Bytes& out, const LinkFrame& frame);
    // An Events frame straight from a span, at most kMaxEventsPerFrame of them.
    static void events(Bytes& out, std::span<const MemoryEvent> events);
};

}  // namespace poolscope
