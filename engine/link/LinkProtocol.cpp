#include "link/LinkProtocol.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace poolscope {

static_assert(std::endian::native == std::endian::little,
              "the live link writes its integers as they lie in memory");

namespace {

using Bytes = LinkEncoder::Bytes;

template <class T>
void put(Bytes& out, T value) {
    static_assert(std::is_integral_v<T>);
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.insert(out.end(), raw, raw + sizeof(T));
}

void putString(Bytes& out, const std::string& text) {
    const std::size_t length = std::min<std::size_t>(text.size(), LinkProtocol::kMaxStringBytes);
    put(out, static_cast<std::uint32_t>(length));
    out.insert(out.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(length));
}

// Writes the header with a length filled in once the payload is there.
class FrameWriter {
public:
    FrameWriter(Bytes& out, LinkFrameType type) : out_(out), start_(out.size()) {
        put(out_, static_cast<std::uint8_t>(type));
        put(out_, std::uint32_t{0});
    }
    ~FrameWriter() {
        const auto length =
            static_cast<std::uint32_t>(out_.size() - start_ - LinkProtocol::kFrameHeaderBytes);
        std::memcpy(out_.data() + start_ + 1, &length, sizeof length);
    }
    FrameWriter(const FrameWriter&) = delete;
    FrameWriter& operator=(const FrameWriter&) = delete;

private:
    Bytes& out_;
    std::size_t start_;
};

template <class T>
std::uint8_t* store(std::uint8_t* at, T value) {
    std::memcpy(at, &value, sizeof(T));
    return at + sizeof(T);
}

// Field by field into room made beforehand: the hot path of a busy link.
void storeEvent(std::uint8_t* at, const MemoryEvent& event) {
    at = store(at, event.timeNanoseconds);
    at = store(at, event.allocationId);
    at = store(at, event.bytes);
    at = store(at, event.value);
    at = store(at, event.value2);
    at = store(at, event.stackId);
    at = store(at, event.threadId);
    at = store(at, event.slot);
    at = store(at, event.chunkIndex);
    at = store(at, event.chunkCount);
    at = store(at, event.sourceId);
    at = store(at, static_cast<std::uint8_t>(event.kind));
    store(at, static_cast<std::uint8_t>(event.tier));
}

struct FrameEncoder {
    Bytes& out;

    void operator()(const LinkProcessInfo& info) const {
        FrameWriter frame(out, LinkFrameType::ProcessInfo);
        put(out, info.pid);
        put(out, info.startTimeSeconds);
        put(out, info.programNanoseconds);
        putString(out, info.program);
        putString(out, info.allocator);
    }
    void operator()(const LinkAttach&) const { FrameWriter frame(out, LinkFrameType::Attach); }
    void operator()(const LinkEvents& events) const { LinkEncoder::events(out, events.events); }
    void operator()(const LinkModule& module) const {
        FrameWriter frame(out, LinkFrameType::Module);
        put(out, module.index);
        put(out, module.module.loadAddress);
        putString(out, module.module.path);
        putString(out, module.module.buildId);
    }
    void operator()(const LinkStack& stack) const {
        FrameWriter frame(out, LinkFrameType::Stack);
        const std::size_t count =
            std::min<std::size_t>(stack.frames.size(), LinkProtocol::kMaxStackFrames);
        put(out, stack.id);
        put(out, static_cast<std::uint32_t>(count));
        for (std::size_t i = 0; i < count; ++i) {
            const LinkStackFrame& entry = stack.frames[i];
            put(out, entry.address);
            put(out, entry.module.value_or(LinkProtocol::kNoModule));
            put(out, entry.offset);
        }
    }
    void operator()(const LinkTag& tag) const {
        FrameWriter frame(out, LinkFrameType::Tag);
        put(out, tag.id);
        putString(out, tag.name);
    }
    void operator()(const LinkPool& pool) const {
        FrameWriter frame(out, LinkFrameType::Pool);
        put(out, pool.sourceId);
        put(out, pool.capacityChunks);
        put(out, pool.chunkBytes);
        putString(out, pool.allocator);
    }
    void operator()(const LinkStatus& status) const {
        FrameWriter frame(out, LinkFrameType::Status);
        put(out, status.programNanoseconds);
        put(out, status.engineDroppedEvents);
        put(out, status.linkDroppedEvents);
        put(out, status.undisposedAllocations);
    }
    void operator()(const LinkGoodbye&) const { FrameWriter frame(out, LinkFrameType::Goodbye); }
};

}  // namespace

const char* linkFrameTypeName(LinkFrameType type) {
    switch (type) {
        case LinkFrameType::ProcessInfo:
            return "process-info";
        case LinkFrameType::Attach:
            return "attach";
        case LinkFrameType::Events:
            return "events";
        case LinkFrameType::Module:
            return "module";
        case LinkFrameType::Stack:
            return "stack";
        case LinkFrameType::Tag:
            return "tag";
        case LinkFrameType::Pool:
            return "pool";
        case LinkFrameType::Status:
            return "status";
        case LinkFrameType::Goodbye:
            return "goodbye";
    }
    return "unknown";
}

void LinkEncoder::hello(Bytes& out) {
    out.insert(out.end(), std::begin(LinkProtocol::kMagic), std::end(LinkProtocol::kMagic));
    put(out, LinkProtocol::kVersion);
}

void LinkEncoder::frame(Bytes& out, const LinkFrame& frame) {
    std::visit(FrameEncoder{out}, frame);
}

void LinkEncoder::events(Bytes& out, std::span<const MemoryEvent> events) {
    const std::size_t count =
        std::min<std::size_t>(events.size(), LinkProtocol::kMaxEventsPerFrame);
    FrameWriter frame(out, LinkFrameType::Events);
    put(out, static_cast<std::uint32_t>(count));
    const std::size_t first = out.size();
    out.resize(first + count * LinkProtocol::kEventBytes);
    for (std::size_t i = 0; i < count; ++i) {
        storeEvent(out.data() + first + i * LinkProtocol::kEventBytes, events[i]);
    }
}

}  // namespace poolscope
