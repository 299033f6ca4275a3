#pragma once

#include <cstdint>
#include <vector>

// Hand-made PNG files whose header claims any size, for the tests that prove a decoder refuses
// such a claim before it spends memory on it. Needs nothing but the standard library, so the
// end-to-end tests of the binary use it too.

namespace poolscope::testing {

// One chunk with its CRC, for hand-made hostile headers.
inline void appendChunk(std::vector<std::uint8_t>& file, const char* type,
                        const std::vector<std::uint8_t>& data) {
    auto put32 = [&](std::uint32_t value) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            file.push_back(static_cast<std::uint8_t>(value >> shift));
        }
    };
    put32(static_cast<std::uint32_t>(data.size()));
    const std::size_t crcStart = file.size();
    file.insert(file.end(), type, type + 4);
    file.insert(file.end(), data.begin(), data.end());
    std::uint32_t crc = 0xffffffffu;
    for (std::size_t i = crcStart; i < file.size(); ++i) {
        crc ^= file[i];
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    put32(crc ^ 0xffffffffu);
}

// A valid signature and IHDR claiming width x height RGBA/8, then the start of the data.
inline std::vector<std::uint8_t> hostilePng(std::uint32_t width, std::uint32_t height) {
    std::vector<std::uint8_t> file = {137, 80, 78, 71, 13, 10, 26, 10};
    std::vector<std::uint8_t> header;
    for (std::uint32_t value : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            header.push_back(static_cast<std::uint8_t>(value >> shift));
        }
    }
    header.insert(header.end(), {8, 6 /* RGBA */, 0, 0, 0});
    appendChunk(file, "IHDR", header);
    appendChunk(file, "IDAT", {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    appendChunk(file, "IEND", {});
    return file;
}

}  // namespace poolscope::testing
