#include "analysis/SummaryBytes.h"

#include <zstd.h>

#include <cstring>

#include "recording/RecordingError.h"

namespace poolscope {

std::uint64_t SummaryBytes::Reader::checkedUnsignedValue() {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
        if (at_ >= bytes_.size()) {
            fail("it ends inside a number");
        }
        const unsigned char byte = bytes_[at_++];
        if (i == kMaxVarintBytes - 1 && byte > 1) {
            fail("a number is larger than 64 bits");
        }
        value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            return value;
        }
    }
    fail("a number is larger than 64 bits");
}

std::size_t SummaryBytes::Reader::count(std::size_t recordBytes, const char* what) {
    const std::uint64_t value = unsignedValue();
    if (value > (bytes_.size() - at_) / recordBytes) {
        fail(std::string("it claims ") + std::to_string(value) + " " + what +
             ", more than its bytes hold");
    }
    return static_cast<std::size_t>(value);
}

SummaryBytes::Reader SummaryBytes::Reader::column(std::size_t values) {
    const std::size_t from = at_;
    std::size_t ends = 0;
    // A number ends in each byte below 0x80. Eight bytes at a time while eight or more numbers
    // are left, as a word holds at most eight ends: a column of millions of numbers is found
    // in a fraction of the time a byte at a time takes.
    while (values - ends >= 8 && bytes_.size() - at_ >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes_.data() + at_, sizeof word);
        // The ends' high bits moved down to each byte's low bit and summed into the top byte
        // (a popcount, without assuming the processor has the instruction).
        ends += static_cast<std::size_t>(
            ((~word & 0x8080808080808080ull) >> 7) * 0x0101010101010101ull >> 56);
        at_ += sizeof word;
    }
    for (; ends < values; ++at_) {
        if (at_ >= bytes_.size()) {
            fail("it ends inside a column of numbers");
        }
        ends += bytes_[at_] < 0x80 ? 1 : 0;
    }
    return Reader(bytes_.subspan(from, at_ - from), *path_, what_);
}

std::span<const unsigned char> SummaryBytes::Reader::take(std::size_t count) {
    if (count > bytes_.size() - at_) {
        fail("a part inside it claims " + std::to_string(count) + " bytes, more than are left");
    }
    const std::span<const unsigned char> taken = bytes_.subspan(at_, count);
    at_ += count;
    return taken;
}

StackId SummaryBytes::Reader::stackId(std::uint64_t value, const char* whose) const {
    if (value > UINT32_MAX) {
        fail(std::string(whose) + " stack id is out of range");
    }
    return static_cast<StackId>(value);
}

std::uint64_t SummaryBytes::Reader::atMost(std::uint64_t most, const char* what) {
    const std::uint64_t value = unsignedValue();
    if (value > most) {
        fail(std::string(what) + " is out of range");
    }
    return value;
}

void SummaryBytes::Reader::fail(const std::string& problem) const {
    throw RecordingError(std::string(what_) + " of " + *path_ + " is damaged: " + problem);
}

std::vector<unsigned char> SummaryBytes::compressed(const Writer& raw) {
    Writer out;
    out.unsignedValue(raw.bytes.size());
    const std::size_t header = out.bytes.size();
    out.bytes.resize(header + ZSTD_compressBound(raw.bytes.size()));
    const std::size_t written = ZSTD_compress(out.bytes.data() + header, out.bytes.size() - header,
                                              raw.bytes.data(), raw.bytes.size(), 3);
    if (ZSTD_isError(written)) {
        throw RecordingError(std::string("the analysis summary could not be compressed: ") +
                             ZSTD_getErrorName(written));
    }
    out.bytes.resize(header + written);
    return std::move(out.bytes);
}

std::vector<unsigned char> SummaryBytes::decompressed(std::span<const unsigned char> data,
                                                      const std::string& path, const char* what) {
    Reader header(data, path, what);
    const std::uint64_t size = header.unsignedValue();
    if (size > kMaxBytes) {
        header.fail("it claims " + std::to_string(size) + " bytes, more than a summary holds");
    }
    const std::span<const unsigned char> frame = data.subspan(header.position());
    const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (declared != size) {
        header.fail("its compressed frame is unreadable or disagrees with its size");
    }
    std::vector<unsigned char> raw(static_cast<std::size_t>(size));
    const std::size_t written = ZSTD_decompress(raw.data(), raw.size(), frame.data(), frame.size());
    if (ZSTD_isError(written) || written != raw.size()) {
        header.fail("its compressed frame is damaged");
    }
    return raw;
}

}  // namespace poolscope
