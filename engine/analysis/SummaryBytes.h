#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "diagnostics/MemoryEvent.h"

namespace poolscope {

// The bytes of what a recording stores of its analyses (AnalysisSummaryCodec, AnalysisResumeCodec):
// figures as varints (signed ones zigzagged), compressed with zstd behind their uncompressed
// size. Reading checks every count against the bytes there are before allocating anything, so
// damaged bytes give a RecordingError naming the file and what is wrong, never a crash or a huge
// allocation.
class SummaryBytes {
public:
    // The most a part may hold uncompressed: a program of millions of call sites or buffers.
    static constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
    static constexpr std::size_t kMaxVarintBytes = 10;
    // What a summary's part is called in an error.
    static constexpr const char* kSummary = "the analysis summary";

    class Writer {
    public:
        void unsignedValue(std::uint64_t value) {
            while (value >= 0x80) {
                bytes.push_back(static_cast<unsigned char>(value | 0x80));
                value >>= 7;
            }
            bytes.push_back(static_cast<unsigned char>(value));
        }
        void signedValue(std::int64_t value) {
            const auto bits = static_cast<std::uint64_t>(value);
            unsignedValue((bits << 1) ^ (value < 0 ? ~std::uint64_t{0} : 0));
        }
        std::vector<unsigned char> bytes;
    };

    class Reader {
    public:
        // `what` names the part in an error: "the analysis summary of FILE is damaged: ...".
        Reader(std::span<const unsigned char> bytes, const std::string& path, const char* what)
            : bytes_(bytes), path_(&path), what_(what) {}

        // Inline: millions of buffers' figures are read one number at a time. Away from the
        // end, where a longest number fits, a byte needs no check that it is there.
        [[gnu::always_inline]] std::uint64_t unsignedValue() {
            if (bytes_.size() - at_ >= kMaxVarintBytes) [[likely]] {
                const unsigned char* const at = bytes_.data() + at_;
                std::uint64_t value = 0;
                for (std::size_t i = 0; i < kMaxVarintBytes - 1; ++i) {
                    const std::uint64_t byte = at[i];
                    value |= (byte & 0x7f) << (7 * i);
                    if (byte < 0x80) {
                        at_ += i + 1;
                        return value;
                    }
                }
                if (at[kMaxVarintBytes - 1] <= 1) [[likely]] {
                    at_ += kMaxVarintBytes;
                    return value | std::uint64_t{at[kMaxVarintBytes - 1]} << 63;
                }
            }
            // Near the end, or a number over 64 bits, which is refused there.
            return checkedUnsignedValue();
        }
        [[gnu::always_inline]] std::int64_t signedValue() {
            const std::uint64_t bits = unsignedValue();
            return static_cast<std::int64_t>((bits >> 1) ^ (~(bits & 1) + 1));
        }
        // A count of records of at least `recordBytes` each, checked against the bytes left.
        std::size_t count(std::size_t recordBytes, const char* what);
        // A reader of the next `values` numbers, which this one then skips: a column of a table
        // that is decoded a row at a time.
        Reader column(std::size_t values);
        // The next `count` bytes as they are (a part inside this one), checked against what is
        // left.
        std::span<const unsigned char> take(std::size_t count);
        // `value` as a stack id, refused when it is out of their range.
        StackId stackId(std::uint64_t value, const char* whose) const;
        // A number that must not pass `most`, refused naming `what` otherwise.
        std::uint64_t atMost(std::uint64_t most, const char* what);
        bool atEnd() const { return at_ == bytes_.size(); }
        std::size_t position() const { return at_; }

        [[noreturn]] void fail(const std::string& problem) const;

    private:
        // The same, checking each byte: near the end, and for a number over 64 bits.
        std::uint64_t checkedUnsignedValue();

        std::span<const unsigned char> bytes_;
        std::size_t at_ = 0;
        const std::string* path_;  // a pointer, so that a column's reader can be copied back
        const char* what_;
    };

    // The figures behind their uncompressed size, compressed.
    static std::vector<unsigned char> compressed(const Writer& raw);
    // A part's figures uncompressed; `what` names the part in an error.
    static std::vector<unsigned char> decompressed(std::span<const unsigned char> data,
                                                   const std::string& path, const char* what);
};

}  // namespace poolscope
