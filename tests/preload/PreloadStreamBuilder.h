#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "native/PreloadWire.h"

namespace poolscope::test {

// Writes a preload stream as the interposer does, with PreloadWire::put, for decoder tests.
class PreloadStreamBuilder {
public:
    PreloadStreamBuilder& hello(std::uint32_t version = PreloadWire::kVersion) {
        PreloadWire::Hello record{};
        std::memcpy(record.magic, PreloadWire::kMagic, sizeof record.magic);
        record.version = version;
        record.pid = 4321;
        record.startNanoseconds = 1'000'000;
        record.pageBytes = 4096;
        putInto(bytes, record);
        return *this;
    }

    // Adds a record to the packet under way; `tail` follows it (a path, stack frames).
    template <typename Record>
    PreloadStreamBuilder& record(const Record& record, std::span<const unsigned char> tail = {}) {
        putInto(packet_, record);
        packet_.insert(packet_.end(), tail.begin(), tail.end());
        ++records_;
        return *this;
    }

    PreloadStreamBuilder& endPacket() { return endPacketSaying(records_); }

    // Ends the packet with a header that claims `records` records.
    PreloadStreamBuilder& endPacketSaying(std::uint32_t records) {
        putInto(bytes,
                PreloadWire::PacketHeader{static_cast<std::uint32_t>(packet_.size()), records});
        bytes.insert(bytes.end(), packet_.begin(), packet_.end());
        packet_.clear();
        records_ = 0;
        return *this;
    }

    static PreloadWire::RecordHeader header(PreloadWire::RecordKind kind, std::size_t bytes,
                                            std::uint8_t call = 0) {
        return {kind, call, static_cast<std::uint16_t>(bytes), 77, 5'000};
    }

    std::vector<unsigned char> bytes;

private:
    template <typename Record>
    static void putInto(std::vector<unsigned char>& out, const Record& record) {
        const std::size_t at = out.size();
        out.resize(at + sizeof record);
        PreloadWire::put(out.data() + at, record);
    }

    std::vector<unsigned char> packet_;
    std::uint32_t records_ = 0;
};

}  // namespace poolscope::test
