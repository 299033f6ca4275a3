#include "link/LinkDecoder.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace poolscope {

namespace {

// Reads one frame's payload, every read checked against what is left of it.
class PayloadReader {
public:
    PayloadReader(std::span<const std::uint8_t> payload, LinkFrameType type, std::uint64_t offset)
        : payload_(payload), type_(type), offset_(offset) {}

    template <class T>
    T integer(const char* field) {
        static_assert(std::is_integral_v<T>);
        need(sizeof(T), field);
        T value;
        std::memcpy(&value, payload_.data() + at_, sizeof(T));
        at_ += sizeof(T);
        return value;
    }

    std::string string(const char* field) {
        const auto length = integer<std::uint32_t>(field);
        if (length > LinkProtocol::kMaxStringBytes) {
            throw error(std::string(field) + " is " + std::to_string(length) +
                        " bytes long, over the limit of " +
                        std::to_string(LinkProtocol::kMaxStringBytes));
        }
        need(length, field);
        std::string text(reinterpret_cast<const char*>(payload_.data() + at_), length);
        at_ += length;
        return text;
    }

    void need(std::size_t bytes, const char* field) const {
        if (payload_.size() - at_ < bytes) {
            throw error(std::string("truncated: ") + field + " needs " + std::to_string(bytes) +
                        " bytes, " + std::to_string(payload_.size() - at_) + " are left");
        }
    }

    void end() const {
        if (at_ != payload_.size()) {
            throw error(std::to_string(payload_.size() - at_) + " bytes left over");
        }
    }

    std::size_t left() const { return payload_.size() - at_; }

    LinkProtocolError error(const std::string& what) const {
        return LinkProtocolError(std::string(linkFrameTypeName(type_)) + " frame at offset " +
                                 std::to_string(offset_) + ": " + what);
    }

private:
    std::span<const std::uint8_t> payload_;
    LinkFrameType type_;
    std::uint64_t offset_;
    std::size_t at_ = 0;
};

constexpr auto kLastKind = static_cast<std::uint8_t>(MemoryEventKind::ImageBufferCreated);
constexpr auto kLastTier = static_cast<std::uint8_t>(kLastMemoryTier);

LinkEvents readEvents(PayloadReader& reader) {
    const auto count = reader.integer<std::uint32_t>("event count");
    if (count > LinkProtocol::kMaxEventsPerFrame) {
        throw reader.error(std::to_string(count) + " events, over the limit of " +
                           std::to_string(LinkProtocol::kMaxEventsPerFrame));
    }
    if (reader.left() != std::size_t{count} * LinkProtocol::kEventBytes) {
        throw reader.error(std::to_string(count) + " events need " +
                           std::to_string(std::size_t{count} * LinkProtocol::kEventBytes) +
                           " bytes, the frame has " + std::to_string(reader.left()));
    }
    LinkEvents decoded;
    decoded.events.resize(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        MemoryEvent& event = decoded.events[i];
        event.timeNanoseconds = reader.integer<std::int64_t>("time");
        event.allocationId = reader.integer<std::uint64_t>("allocation id");
        event.bytes = reader.integer<std::uint64_t>("bytes");
        event.value = reader.integer<std::uint64_t>("value");
        event.value2 = reader.integer<std::uint64_t>("value2");
        event.stackId = reader.integer<std::uint32_t>("stack id");
        event.threadId = reader.integer<std::uint32_t>("thread id");
        event.slot = reader.integer<std::int32_t>("slot");
        event.chunkIndex = reader.integer<std::uint32_t>("chunk index");
        event.chunkCount = reader.integer<std::uint32_t>("chunk count");
        event.sourceId = reader.integer<std::uint16_t>("source id");
        const auto kind = reader.integer<std::uint8_t>("kind");
        const auto tier = reader.integer<std::uint8_t>("tier");
        if (kind > kLastKind) {
            throw reader.error("event " + std::to_string(i) + " has unknown kind " +
                               std::to_string(kind));
        }
        if (tier > kLastTier) {
            throw reader.error("event " + std::to_string(i) + " has unknown tier " +
                               std::to_string(tier));
        }
        event.kind = static_cast<MemoryEventKind>(kind);
        event.tier = static_cast<MemoryTier>(tier);
    }
    return decoded;
}

LinkStack readStack(PayloadReader& reader) {
    LinkStack stack;
    stack.id = reader.integer<std::uint32_t>("stack id");
    if (stack.id == 0) {
        throw reader.error("stack id 0 names no stack");
    }
    const auto count = reader.integer<std::uint32_t>("frame count");
    if (count > LinkProtocol::kMaxStackFrames) {
        throw reader.error(std::to_string(count) + " frames, over the limit of " +
                           std::to_string(LinkProtocol::kMaxStackFrames));
    }
    stack.frames.resize(count);
    for (LinkStackFrame& frame : stack.frames) {
        frame.address = reader.integer<std::uint64_t>("frame address");
        const auto module = reader.integer<std::uint32_t>("frame module");
        if (module != LinkProtocol::kNoModule) {
            frame.module = module;
        }
        frame.offset = reader.integer<std::uint64_t>("frame offset");
    }
    return stack;
}

LinkFrame readFrame(LinkFrameType type, PayloadReader& reader) {
    switch (type) {
        case LinkFrameType::ProcessInfo: {
            LinkProcessInfo info;
            info.pid = reader.integer<std::uint32_t>("pid");
            info.startTimeSeconds = reader.integer<std::int64_t>("start time");
            info.programNanoseconds = reader.integer<std::int64_t>("program time");
            info.program = reader.string("program name");
            info.allocator = reader.string("allocator");
            return info;
        }
        case LinkFrameType::Attach:
            return LinkAttach{};
        case LinkFrameType::Events:
            return readEvents(reader);
        case LinkFrameType::Module: {
            LinkModule module;
            module.index = reader.integer<std::uint32_t>("module index");
            module.module.loadAddress = reader.integer<std::uint64_t>("load address");
            module.module.path = reader.string("module path");
            module.module.buildId = reader.string("build-id");
            return module;
        }
        case LinkFrameType::Stack:
            return readStack(reader);
        case LinkFrameType::Tag: {
            LinkTag tag;
            tag.id = reader.integer<std::uint16_t>("tag id");
            tag.name = reader.string("tag name");
            return tag;
        }
        case LinkFrameType::Pool: {
            LinkPool pool;
            pool.sourceId = reader.integer<std::uint16_t>("source id");
            pool.capacityChunks = reader.integer<std::int32_t>("capacity");
            if (pool.capacityChunks < 0) {
                throw reader.error("capacity " + std::to_string(pool.capacityChunks) +
                                   " is negative");
            }
            pool.chunkBytes = reader.integer<std::uint64_t>("chunk bytes");
            pool.allocator = reader.string("allocator");
            return pool;
        }
        case LinkFrameType::Status: {
            LinkStatus status;
            status.programNanoseconds = reader.integer<std::int64_t>("program time");
            status.engineDroppedEvents = reader.integer<std::uint64_t>("engine drops");
            status.linkDroppedEvents = reader.integer<std::uint64_t>("link drops");
            status.undisposedAllocations = reader.integer<std::int64_t>("undisposed");
            return status;
        }
        case LinkFrameType::Goodbye:
            return LinkGoodbye{};
    }
    throw reader.error("unknown frame type");
}

bool knownType(std::uint8_t type) {
    return type >= static_cast<std::uint8_t>(LinkFrameType::ProcessInfo) &&
           type <= static_cast<std::uint8_t>(LinkFrameType::Goodbye);
}

}  // namespace

void LinkDecoder::fail(const std::string& message) {
    error_ = message;
    throw LinkProtocolError(message);
}

void LinkDecoder::feed(std::span<const std::uint8_t> bytes) {
    if (error_) {
        throw LinkProtocolError(*error_);
    }
    compact();
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void LinkDecoder::compact() {
    // What was taken goes once it is most of the buffer, so a stream costs one copy per byte
    // at most twice.
    if (read_ > 0 && read_ * 2 >= buffer_.size()) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_));
        consumed_ += read_;
        read_ = 0;
    }
}

std::optional<LinkFrame> LinkDecoder::next() {
    if (error_) {
        throw LinkProtocolError(*error_);
    }
    const std::span<const std::uint8_t> pending(buffer_.data() + read_, buffer_.size() - read_);
    if (!helloSeen_) {
        // The magic is checked as far as it has come, so a stranger is refused at once.
        const std::size_t magicBytes = std::min(pending.size(), sizeof LinkProtocol::kMagic);
        if (std::memcmp(pending.data(), LinkProtocol::kMagic, magicBytes) != 0) {
            fail("bad magic at offset " + std::to_string(offset()) +
                 ": the peer does not speak the PoolScope live link");
        }
        if (pending.size() < LinkProtocol::kHelloBytes) {
            return std::nullopt;
        }
        std::uint32_t version = 0;
        std::memcpy(&version, pending.data() + sizeof LinkProtocol::kMagic, sizeof version);
        if (version != LinkProtocol::kVersion) {
            fail("unsupported version " + std::to_string(version) + " (this PoolScope speaks " +
                 std::to_string(LinkProtocol::kVersion) + ")");
        }
        read_ += LinkProtocol::kHelloBytes;
        helloSeen_ = true;
        return next();
    }
    if (pending.empty()) {
        return std::nullopt;
    }
    const std::uint8_t type = pending[0];
    if (!knownType(type)) {
        fail("unknown frame type " + std::to_string(type) + " at offset " +
             std::to_string(offset()));
    }
    if (pending.size() < LinkProtocol::kFrameHeaderBytes) {
        return std::nullopt;
    }
    std::uint32_t length = 0;
    std::memcpy(&length, pending.data() + 1, sizeof length);
    if (length > LinkProtocol::kMaxFrameBytes) {
        fail("frame length " + std::to_string(length) + " over the limit of " +
             std::to_string(LinkProtocol::kMaxFrameBytes) + " at offset " +
             std::to_string(offset()));
    }
    if (pending.size() - LinkProtocol::kFrameHeaderBytes < length) {
        return std::nullopt;
    }
    const auto frameType = static_cast<LinkFrameType>(type);
    PayloadReader reader(pending.subspan(LinkProtocol::kFrameHeaderBytes, length), frameType,
                         offset());
    LinkFrame frame;
    try {
        frame = readFrame(frameType, reader);
        reader.end();
    } catch (const LinkProtocolError& error) {
        fail(error.what());
    }
    read_ += LinkProtocol::kFrameHeaderBytes + length;
    return frame;
}

}  // namespace poolscope
