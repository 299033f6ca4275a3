#include "native/PreloadStreamDecoder.h"

#include <algorithm>

namespace poolscope {

namespace wire = PreloadWire;

namespace {

constexpr auto kLastKind = static_cast<std::uint8_t>(wire::RecordKind::Crash);

PreloadStreamError errorAt(std::uint64_t offset, const std::string& what) {
    return PreloadStreamError("preload stream, offset " + std::to_string(offset) + ": " + what);
}

const char* kindName(wire::RecordKind kind) {
    switch (kind) {
        case wire::RecordKind::Allocate:
            return "Allocate";
        case wire::RecordKind::Free:
            return "Free";
        case wire::RecordKind::Map:
            return "Map";
        case wire::RecordKind::Unmap:
            return "Unmap";
        case wire::RecordKind::Remap:
            return "Remap";
        case wire::RecordKind::DescriptorOpen:
            return "DescriptorOpen";
        case wire::RecordKind::DescriptorClose:
            return "DescriptorClose";
        case wire::RecordKind::Stack:
            return "Stack";
        case wire::RecordKind::Module:
            return "Module";
        case wire::RecordKind::Dropped:
            return "Dropped";
        case wire::RecordKind::Fork:
            return "Fork";
        case wire::RecordKind::Exec:
            return "Exec";
        case wire::RecordKind::Exit:
            return "Exit";
        case wire::RecordKind::Crash:
            return "Crash";
    }
    return "unknown";
}

std::size_t fixedBytes(wire::RecordKind kind) {
    switch (kind) {
        case wire::RecordKind::Allocate:
            return sizeof(wire::Allocation);
        case wire::RecordKind::Free:
            return sizeof(wire::Release);
        case wire::RecordKind::Map:
            return sizeof(wire::Mapping);
        case wire::RecordKind::Unmap:
            return sizeof(wire::Unmapping);
        case wire::RecordKind::Remap:
            return sizeof(wire::Remapping);
        case wire::RecordKind::DescriptorOpen:
            return sizeof(wire::DescriptorOpened);
        case wire::RecordKind::DescriptorClose:
            return sizeof(wire::DescriptorClosed);
        case wire::RecordKind::Stack:
            return sizeof(wire::StackRecord);
        case wire::RecordKind::Module:
            return sizeof(wire::ModuleRecord);
        case wire::RecordKind::Dropped:
            return sizeof(wire::DroppedRecords);
        case wire::RecordKind::Fork:
        case wire::RecordKind::Exec:
        case wire::RecordKind::Exit:
        case wire::RecordKind::Crash:
            return sizeof(wire::ProcessEvent);
    }
    return sizeof(wire::RecordHeader);
}

// The bytes a known record must have, from its fixed part; throws when its own counts are over
// the stream's limits.
std::size_t expectedBytes(wire::RecordKind kind, const unsigned char* record,
                          std::uint64_t offset) {
    const std::size_t fixed = fixedBytes(kind);
    switch (kind) {
        case wire::RecordKind::DescriptorOpen:
        case wire::RecordKind::Module: {
            const std::uint32_t pathBytes =
                kind == wire::RecordKind::Module
                    ? wire::get<wire::ModuleRecord>(record).pathBytes
                    : wire::get<wire::DescriptorOpened>(record).pathBytes;
            if (pathBytes > wire::kMaxPathBytes) {
                throw errorAt(offset, std::string(kindName(kind)) + " record with a path of " +
                                          std::to_string(pathBytes) + " bytes, over the limit of " +
                                          std::to_string(wire::kMaxPathBytes));
            }
            return fixed + pathBytes;
        }
        case wire::RecordKind::Stack: {
            const std::uint32_t depth = wire::get<wire::StackRecord>(record).depth;
            if (depth > wire::kMaxStackFrames) {
                throw errorAt(offset, "Stack record of " + std::to_string(depth) +
                                          " frames, over the limit of " +
                                          std::to_string(wire::kMaxStackFrames));
            }
            return fixed + std::size_t{depth} * sizeof(std::uint64_t);
        }
        default:
            return fixed;
    }
}

}  // namespace

PreloadStreamDecoder::PreloadStreamDecoder(PreloadRecordVisitor& visitor) : visitor_(visitor) {}

bool PreloadStreamDecoder::atBoundary() const {
    return helloSeen_ && pending_.empty();
}

void PreloadStreamDecoder::feed(std::span<const unsigned char> bytes) {
    while (!bytes.empty()) {
        if (pending_.empty()) {
            const std::size_t need = unitBytes(bytes.data(), bytes.size());
            if (bytes.size() < need) {
                pending_.assign(bytes.begin(), bytes.end());
                return;
            }
            consumeUnit(bytes.data(), need);
            bytes = bytes.subspan(need);
            continue;
        }
        std::size_t need = unitBytes(pending_.data(), pending_.size());
        const std::size_t take = std::min(need - pending_.size(), bytes.size());
        pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + take);
        bytes = bytes.subspan(take);
        // A packet header just completed tells how much more the packet needs.
        need = unitBytes(pending_.data(), pending_.size());
        if (pending_.size() == need) {
            consumeUnit(pending_.data(), need);
            pending_.clear();
        }
    }
}

std::size_t PreloadStreamDecoder::unitBytes(const unsigned char* data,
                                            std::size_t available) const {
    if (!helloSeen_) {
        const std::size_t compared = std::min(available, sizeof wire::kMagic);
        if (!std::equal(data, data + compared, wire::kMagic)) {
            throw errorAt(offset_, "not a preload stream: the hello's magic does not match");
        }
        return sizeof(wire::Hello);
    }
    if (execPending_ && available < sizeof wire::kMagic) {
        return sizeof wire::kMagic;
    }
    if (startsNextHello(data, available)) {
        return sizeof(wire::Hello);
    }
    if (available < sizeof(wire::PacketHeader)) {
        return sizeof(wire::PacketHeader);
    }
    const auto header = wire::get<wire::PacketHeader>(data);
    if (header.payloadBytes > wire::kMaxPacketBytes) {
        throw errorAt(offset_, "packet of " + std::to_string(header.payloadBytes) +
                                   " bytes, over the limit of " +
                                   std::to_string(wire::kMaxPacketBytes));
    }
    return sizeof(wire::PacketHeader) + header.payloadBytes;
}

bool PreloadStreamDecoder::startsNextHello(const unsigned char* data, std::size_t available) const {
    return execPending_ && available >= sizeof wire::kMagic &&
           std::equal(data, data + sizeof wire::kMagic, wire::kMagic);
}

void PreloadStreamDecoder::consumeUnit(const unsigned char* data, std::size_t size) {
    if (!helloSeen_ || startsNextHello(data, size)) {
        const auto hello = wire::get<wire::Hello>(data);
        if (hello.version != wire::kVersion) {
            throw errorAt(offset_, "hello of version " + std::to_string(hello.version) +
                                       ", this reader knows version " +
                                       std::to_string(wire::kVersion));
        }
        helloSeen_ = true;
        execPending_ = false;
        visitor_.hello(hello);
    } else {
        const auto header = wire::get<wire::PacketHeader>(data);
        const std::span<const unsigned char> payload(data + sizeof header, size - sizeof header);
        checkPacket(payload, header.records);
        deliverPacket(payload);
    }
    offset_ += size;
}

void PreloadStreamDecoder::checkPacket(std::span<const unsigned char> payload,
                                       std::uint32_t records) const {
    const std::uint64_t payloadOffset = offset_ + sizeof(wire::PacketHeader);
    std::size_t at = 0;
    std::uint32_t count = 0;
    while (at < payload.size()) {
        const std::uint64_t offset = payloadOffset + at;
        const std::size_t left = payload.size() - at;
        if (left < sizeof(wire::RecordHeader)) {
            throw errorAt(offset, std::to_string(left) +
                                      " bytes left in the packet, too few for a record header");
        }
        const auto header = wire::get<wire::RecordHeader>(payload.data() + at);
        if (header.bytes < sizeof(wire::RecordHeader) || header.bytes > left) {
            throw errorAt(offset, "record length " + std::to_string(header.bytes) +
                                      " does not fit the " + std::to_string(left) +
                                      " bytes left in its packet");
        }
        const auto kind = static_cast<std::uint8_t>(header.kind);
        if (kind >= 1 && kind <= kLastKind) {
            if (header.bytes < fixedBytes(header.kind)) {
                throw errorAt(offset, std::string(kindName(header.kind)) + " record of " +
                                          std::to_string(header.bytes) + " bytes, it needs " +
                                          std::to_string(fixedBytes(header.kind)));
            }
            const std::size_t expected = expectedBytes(header.kind, payload.data() + at, offset);
            if (header.bytes != expected) {
                throw errorAt(offset, std::string(kindName(header.kind)) + " record of " +
                                          std::to_string(header.bytes) +
                                          " bytes, its contents need " + std::to_string(expected));
            }
        }
        at += header.bytes;
        ++count;
    }
    if (count != records) {
        throw errorAt(offset_, "packet says " + std::to_string(records) + " records, it holds " +
                                   std::to_string(count));
    }
}

void PreloadStreamDecoder::deliverPacket(std::span<const unsigned char> payload) {
    std::size_t at = 0;
    while (at < payload.size()) {
        const unsigned char* record = payload.data() + at;
        const auto header = wire::get<wire::RecordHeader>(record);
        at += header.bytes;
        switch (header.kind) {
            case wire::RecordKind::Allocate:
                visitor_.allocated(wire::get<wire::Allocation>(record));
                break;
            case wire::RecordKind::Free:
                visitor_.released(wire::get<wire::Release>(record));
                break;
            case wire::RecordKind::Map:
                visitor_.mapped(wire::get<wire::Mapping>(record));
                break;
            case wire::RecordKind::Unmap:
                visitor_.unmapped(wire::get<wire::Unmapping>(record));
                break;
            case wire::RecordKind::Remap:
                visitor_.remapped(wire::get<wire::Remapping>(record));
                break;
            case wire::RecordKind::DescriptorOpen: {
                const auto opened = wire::get<wire::DescriptorOpened>(record);
                visitor_.descriptorOpened(
                    opened, std::string_view(reinterpret_cast<const char*>(record + sizeof opened),
                                             opened.pathBytes));
                break;
            }
            case wire::RecordKind::DescriptorClose:
                visitor_.descriptorClosed(wire::get<wire::DescriptorClosed>(record));
                break;
            case wire::RecordKind::Stack: {
                const auto stack = wire::get<wire::StackRecord>(record);
                // Frames may sit at any alignment in the stream: copied out before use.
                frames_.resize(stack.depth);
                std::memcpy(frames_.data(), record + sizeof stack,
                            frames_.size() * sizeof(std::uint64_t));
                visitor_.stack(stack, frames_);
                break;
            }
            case wire::RecordKind::Module: {
                const auto module = wire::get<wire::ModuleRecord>(record);
                visitor_.module(
                    module, std::string_view(reinterpret_cast<const char*>(record + sizeof module),
                                             module.pathBytes));
                break;
            }
            case wire::RecordKind::Dropped:
                visitor_.dropped(wire::get<wire::DroppedRecords>(record));
                break;
            case wire::RecordKind::Exec: {
                const auto exec = wire::get<wire::ProcessEvent>(record);
                execPending_ = exec.value == 0;
                visitor_.process(exec);
                break;
            }
            case wire::RecordKind::Fork:
            case wire::RecordKind::Exit:
            case wire::RecordKind::Crash:
                visitor_.process(wire::get<wire::ProcessEvent>(record));
                break;
            default:
                // A kind from a newer interposer: its length lets the reader step over it.
                break;
        }
    }
}

}  // namespace poolscope
